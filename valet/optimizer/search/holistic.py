# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.

"""The default optimizer: ordered construction, backtracking, local search.

1. Units (servers sharing a host) are grouped into rack-bound clusters and
   linked components and ordered: most constrained and largest first.
2. Each unit goes to its cheapest allowed host, candidates and costs being
   computed over all hosts at once; rack-bound clusters are retried on
   another rack and failing work is moved to the front and the whole
   construction restarted, within ``[engine] backtrack_budget``.
3. Unless the plan meets a cheap lower bound (no empty host opened, no
   cross-rack traffic beyond the links the rules force apart), local
   search moves units, exchanges units between hosts, moves whole parts
   to other racks, then empties opened hosts, while it lowers cross-rack
   bandwidth or the number of empty hosts opened, within work budgets
   that depend on the size of the problem only (``[engine]
   search_effort`` scales them), so the same input gives the same plan on
   any machine. ``[engine] time_limit`` is a safety cap a healthy search
   never reaches. Several starting plans are built and the best is kept
   (see :meth:`HolisticOptimizer._multi_start`).
"""

import collections
import time

import numpy as np

from valet.optimizer import metrics
from valet.optimizer.search import backtracking
from valet.optimizer.search import base
from valet.optimizer.search import effort as effort_mod
from valet.optimizer.search import exchange
from valet.optimizer.search import local_search
from valet.optimizer.search import ordering
from valet.optimizer.search import scoring
from valet.optimizer import state as state_mod
from valet.optimizer import units as units_mod


def at_lower_bound(problem, state):
    """Whether ``state`` meets a cheap lower bound of the objective.

    No placement opens fewer than 0 empty hosts, nor sends less across
    racks than the links the rules force apart (their servers are in
    different units of a rack-level diversity group). A plan at both
    bounds is optimal on the primary objective, and the local search,
    which only takes strict improvements of it, is skipped.
    """
    if np.count_nonzero(state.opened()):
        return False
    floor = float(problem.link_bandwidth[problem.forced_split].sum()) \
        if len(problem.links) else 0.0
    return metrics.cross_rack_mbps(problem, state.where) <= \
        floor + local_search.MARGIN


#: A construction tried besides the first: the options of its Builder;
#: ``whole_parts``, parts up to a whole rack's room (built only when that
#: changes them); ``small_only``, only for stacks of IMPROVE_EVERY_START
#: units or fewer (it pays off on small, tight data centers).
Start = collections.namedtuple('Start', 'options whole_parts small_only')
OTHER_STARTS = (Start({'count_opens': True}, False, False),
                Start({'raw_room': True}, False, True),
                Start({}, True, False))
#: Stacks of at most this many units improve every start, not only the
#: best one.
IMPROVE_EVERY_START = 64


def _partition(ordered):
    """The parts of an ordered plan, as sets of unit indexes."""
    parts = {}
    for cluster in ordered:
        parts.setdefault(cluster.component, set()).update(
            u.index for u in cluster.units)
    return sorted(sorted(p) for p in parts.values())


class HolisticOptimizer(base.Optimizer):
    """Fast heuristic search over the whole stack."""

    name = 'holistic'

    def solve(self, problem, deadline):
        """Place every unfixed server of ``problem`` (see the base class).

        The effort of every phase is counted in work (``[engine]
        search_effort`` scales it); ``deadline`` is only a safety cap.
        """
        budget = self.conf.engine.backtrack_budget
        # A limit of 0 s asks for no improvement; it caps nothing else.
        no_time = deadline <= time.monotonic()
        units = units_mod.build_units(problem)
        scorer = scoring.Scorer(problem, problem.seed)
        ordered = ordering.plan(problem, units, self.constraints, scorer)
        builder = backtracking.Builder(problem, self.constraints, scorer,
                                       budget)
        work = {}
        restarts = 0
        while True:
            state, failure = builder.run(state_mod.State(problem), ordered)
            if failure is None:
                break
            position = ordered.index(failure.cluster)
            capped = not no_time and time.monotonic() >= deadline
            if position == 0 or restarts >= budget or capped:
                if capped:
                    work['capped'] = True
                return base.Solution.failed(
                    failure.reason, failure.explanation,
                    stats=dict(work, restarts=restarts,
                               retries=builder.retries))
            # Restart with the work that failed first.
            ordered.insert(0, ordered.pop(position))
            restarts += 1
        bound = at_lower_bound(problem, state)
        builders = [builder]
        wanted = not no_time and self.conf.engine.search_effort > 0
        if not wanted or bound:
            state, found = self._improve(problem, scorer, builder, state,
                                         units, ordered, deadline, work,
                                         True)
        else:
            state, found = self._multi_start(problem, scorer, ordered,
                                             units, state, builders,
                                             deadline, work)
            bound = at_lower_bound(problem, state)
        placements = {problem.servers[s].name: int(h)
                      for s, h in enumerate(state.where)}
        return base.Solution(placements, stats=dict(
            work, restarts=restarts,
            retries=sum(b.retries for b in builders),
            at_lower_bound=bound, **found))

    def _multi_start(self, problem, scorer, ordered, units, state, builders,
                     deadline, work):
        """Build the other starts, improve, keep the best plan.

        The first construction picks a part's home rack by the room its
        servers can use there; the other starts (:data:`OTHER_STARTS`)
        also weigh the empty hosts a part would open, or count every
        enabled host's room, or keep linked clusters in one part up to
        the whole room of a rack (when that gives other parts). Small
        stacks improve every start; larger ones improve the best start
        only. Ties keep the earlier start.

        :returns: ``(state, found)`` of the plan kept.
        """
        starts = [(state, builders[0], ordered)]
        whole = ordering.plan(problem, units, self.constraints, scorer,
                              share=1.0)
        if _partition(whole) == _partition(ordered):
            whole = None
        small = len(units) <= IMPROVE_EVERY_START
        for start in OTHER_STARTS:
            if (start.small_only and not small) or \
                    (start.whole_parts and whole is None):
                continue
            work_order = whole if start.whole_parts else ordered
            other = backtracking.Builder(problem, self.constraints, scorer,
                                         builders[0].budget, **start.options)
            builders.append(other)
            trial, failure = other.run(state_mod.State(problem), work_order)
            if failure is None:
                starts.append((trial, other, work_order))
        work['constructions'] = len(builders)
        if not small:
            best = min(range(len(starts)), key=lambda i: (
                local_search.objective(problem, starts[i][0]), i))
            starts = [starts[best]]
        results = []
        for i, (trial, builder, work_order) in enumerate(starts):
            skip = at_lower_bound(problem, trial)
            trial, found = self._improve(problem, scorer, builder, trial,
                                         units, work_order, deadline, work,
                                         skip)
            results.append((local_search.objective(problem, trial), i,
                            trial, found))
        _objective, _i, state, found = min(results, key=lambda r: r[:2])
        return state, found

    def _improve(self, problem, scorer, builder, state, units, ordered,
                 deadline, work, skip):
        """The improvement phases; returns the state and what they kept."""
        found = {'moves': 0, 'swaps': 0, 'relocations': 0, 'vacated': 0}
        scale = self.conf.engine.search_effort
        if skip:
            # Nothing can beat a plan at the lower bound on the primary
            # objective, or no improvement was asked for.
            return state, found
        n = len(units)

        def effort(size, kind):
            return effort_mod.Effort(int(round(scale * size)), deadline,
                                     work, kind)

        found['moves'] = local_search.improve(
            problem, self.constraints, scorer, state, units,
            effort(local_search.IMPROVE_PASSES * n, 'moves_tried'))
        state, found['swaps'] = exchange.eject(
            problem, self.constraints, scorer, state, units,
            effort(exchange.EJECTION_BUDGET + n // 4, 'exchanges_tried'))
        state, found['relocations'] = local_search.relocate(
            problem, builder, state, ordered,
            effort(local_search.RELOCATION_BUDGET +
                   local_search.RELOCATION_PER_UNIT * n, 'units_relocated'))
        if found['relocations']:
            found['moves'] += local_search.improve(
                problem, self.constraints, scorer, state, units,
                effort(local_search.IMPROVE_PASSES * n, 'moves_tried'))
        state, found['vacated'] = local_search.vacate(
            problem, self.constraints, scorer, state, units,
            effort(local_search.VACATE_BUDGET + n // 8, 'vacates_tried'))
        return state, found
