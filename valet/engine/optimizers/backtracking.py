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

"""Constructive search with look-ahead and bounded backtracking.

Clusters are placed in order, each unit on its cheapest allowed host. The
first unit of a rack-bound cluster only considers racks with room for the
whole cluster, and the first unit of a linked component prefers racks with
room for the whole component (look-ahead). When a unit of a rack-bound
cluster finds no host, the cluster is undone and retried with that rack
banned, within the backtracking budget.
"""

import numpy as np

from valet.engine.constraints import base
from valet.engine.optimizers import scoring


def explain(problem, constraints, state, unit):
    """Return ``(reason, explanation)`` for a unit that has no host."""
    report = []
    base.candidates(constraints, state, unit, report)
    names = unit.names(problem)
    explanation = {}
    left = problem.datacenter.n_hosts
    culprit = None
    for rule, removed in report:
        explanation[rule] = {'hosts_excluded': removed, 'servers': names}
        left -= removed
        if left <= 0 and culprit is None and removed:
            culprit = rule
    culprit = culprit or report[-1][0]
    reason = ('No host satisfies rule %r for server(s) %s: %d host(s) '
              'examined' % (culprit, ', '.join(names),
                            problem.datacenter.n_hosts))
    return reason, explanation


class Failure(object):
    """Where a construction stopped."""

    __slots__ = ('cluster', 'unit', 'reason', 'explanation')

    def __init__(self, cluster, unit, reason, explanation):
        self.cluster = cluster
        self.unit = unit
        self.reason = reason
        self.explanation = explanation


class Builder(object):
    """Builds a complete placement from an ordered list of clusters."""

    def __init__(self, problem, constraints, scorer, budget):
        self.problem = problem
        self.constraints = constraints
        self.scorer = scorer
        self.budget = budget
        self.retries = 0

    def run(self, state, ordered):
        """Place every cluster; return None or the :class:`Failure`."""
        started = set()
        remaining = self._component_demand(ordered)
        for cluster in ordered:
            penalty = None
            if cluster.component not in started:
                started.add(cluster.component)
                penalty = self._link_lookahead(
                    state, cluster, remaining[cluster.component])
            unit = self._place_cluster(state, cluster, penalty)
            if unit is not None:
                reason, explanation = explain(
                    self.problem, self.constraints, state, unit)
                return Failure(cluster, unit, reason, explanation)
            remaining[cluster.component] = (
                remaining[cluster.component][0] - cluster.demand,
                remaining[cluster.component][1])
        return None

    def _component_demand(self, ordered):
        problem = self.problem
        found = {}
        for cluster in ordered:
            demand, _bw = found.get(cluster.component, (0.0, 0.0))
            found[cluster.component] = (demand + cluster.demand, 0.0)
        for cluster in ordered:
            for unit in cluster.units:
                for k in unit.links:
                    demand, bw = found[cluster.component]
                    found[cluster.component] = (
                        demand, bw + problem.links[k].bandwidth)
        return found

    def _rack_room(self, state, mask):
        dc = self.problem.datacenter
        idx = np.flatnonzero(mask)
        free = np.clip(state.free[idx], 0.0, None)
        racks = dc.host_rack[idx]
        return np.stack([np.bincount(racks, weights=free[:, k],
                                     minlength=dc.n_racks)
                         for k in range(3)], axis=1)

    def _link_lookahead(self, state, cluster, remaining):
        demand, bandwidth = remaining
        if not bandwidth:
            return None
        room = self._rack_room(state, state.problem.datacenter.enabled)
        short = ~(room >= np.asarray(demand) - 1e-6).all(axis=1)
        # Racks that cannot hold the whole component would split its links.
        return short * (bandwidth * scoring.W_BANDWIDTH)

    def _rack_fit(self, state, cluster, mask):
        room = self._rack_room(state, mask)
        fits = (room >= cluster.demand - 1e-6).all(axis=1)
        narrowed = mask & fits[self.problem.datacenter.host_rack]
        return narrowed if narrowed.any() else mask

    def _try(self, state, cluster, banned, penalty):
        problem = self.problem
        placed = []
        for i, unit in enumerate(cluster.units):
            mask = base.candidates(self.constraints, state, unit)
            if banned is not None:
                mask &= ~banned[problem.datacenter.host_rack]
            if i == 0 and cluster.rack_bound and len(cluster.units) > 1:
                mask = self._rack_fit(state, cluster, mask)
            if not mask.any():
                return placed, unit
            host = self.scorer.choose(state, unit, mask,
                                      penalty if i == 0 else None)
            state.place(unit, host)
            placed.append(unit)
        return placed, None

    def _place_cluster(self, state, cluster, penalty):
        """Place a cluster; return None, or the unit that found no host."""
        racks = self.problem.datacenter.host_rack
        banned = None
        while True:
            placed, failed = self._try(state, cluster, banned, penalty)
            if failed is None:
                return None
            if not (cluster.rack_bound and placed) or \
                    self.retries >= self.budget:
                for unit in placed:
                    state.remove(unit)
                return failed
            first = racks[state.where[placed[0].servers[0]]]
            for unit in placed:
                state.remove(unit)
            if banned is None:
                banned = np.zeros(self.problem.datacenter.n_racks, bool)
            banned[first] = True
            self.retries += 1
