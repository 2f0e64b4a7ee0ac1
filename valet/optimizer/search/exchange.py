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

"""Ejection: make room on a full host by moving one of its units away.

A unit whose links pull it into another rack cannot follow them when no
host of that rack has room left, so moving it alone never helps. The
ejection moves it, with the units on its host that its links pull the
same way, onto a host of that rack that holds units of the stack, and
moves one of that host's units (whose demand frees enough room) to its
own best host. The result is kept only when it strictly lowers the
primary objective (cross-rack bandwidth, then empty hosts opened), so
every hard rule still holds and the search converges.
"""

import numpy as np

from valet.optimizer.constraints import base
from valet.optimizer import metrics
from valet.optimizer.search import local_search

#: Trial exchanges evaluated per request (plus one per four units).
EJECTION_BUDGET = 12


def _pull(problem, scorer, state, unit, cut):
    """The rack ``unit``'s links pull it to, or None.

    Only a unit with a split link that the rules do not force apart is
    considered; the rack is the one where the unit's links would cross
    racks least, when that is less than where the unit is.
    """
    if not any(cut[k] and not problem.forced_split[k] for k in unit.links):
        return None
    cost = scorer.link_cost(state, unit)
    if cost is None:
        return None
    here = problem.datacenter.host_rack[state.where[unit.servers[0]]]
    target = int(np.argmin(cost))
    if cost[target] >= cost[here] - local_search.MARGIN:
        return None
    return target


def _fits(state, unit, host, constraints):
    return bool(base.candidates(constraints, state, unit)[host])


def _try(problem, constraints, scorer, state, movers, host, victim):
    """The state after the exchange, or None if a rule refuses it."""
    trial = state.copy()
    for unit in movers:
        trial.remove(unit)
    trial.remove(victim)
    for unit in movers:
        if not _fits(trial, unit, host, constraints):
            return None
        trial.place(unit, host)
    if not local_search.place_off(constraints, scorer, trial, victim, host):
        return None
    return trial


def _exchanges(problem, scorer, state, units):
    """Each ``(movers, host, victim)`` exchange worth a trial, in order."""
    racks = problem.datacenter.host_rack
    cut = metrics.split_links(problem, state.where)
    on_host = local_search.by_host(state, units)
    for unit in units:
        target = _pull(problem, scorer, state, unit, cut)
        if target is None:
            continue
        home = int(state.where[unit.servers[0]])
        movers = [u for u in on_host[home] if u is unit or
                  _pull(problem, scorer, state, u, cut) == target]
        demand = np.sum([u.demand for u in movers], axis=0)
        hosts = np.flatnonzero((racks == target) & (state.host_count > 0))
        for host in hosts.tolist():
            victims = [v for v in on_host.get(host, ())
                       if (state.free[host] + v.demand >=
                           demand - 1e-6).all()]
            # The smallest victim that frees enough room first.
            victims.sort(key=lambda v: (scorer.size(v.demand), v.index))
            for victim in victims:
                yield movers, host, victim


def eject(problem, constraints, scorer, state, units, effort):
    """Exchange units between hosts while that improves the objective.

    Each pass tries the exchanges of every unit its links pull to
    another rack and keeps the best one; the passes stop when none
    improves the objective or when ``effort`` (an
    :class:`~valet.optimizer.search.effort.Effort`; one unit per trial
    exchange) is out.

    :returns: ``(state, moves)``: the best state found (``state`` itself
        or a copy) and the number of exchanges kept.
    """
    if not len(problem.links):
        return state, 0
    moves = 0
    before = local_search.objective(problem, state)
    while not effort.out():
        best = None
        for movers, host, victim in _exchanges(problem, scorer, state,
                                               units):
            if not effort.spend():
                break
            trial = _try(problem, constraints, scorer, state, movers, host,
                         victim)
            if trial is None:
                continue
            after = local_search.objective(problem, trial)
            if after < (best[0] if best else before):
                best = (after, trial)
        if best is None:
            break
        before, state = best
        moves += 1
    return state, moves
