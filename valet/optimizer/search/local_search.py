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

"""Improvement of a complete placement.

Three neighbourhoods, all keeping every hard rule and taking only strict
improvements of the primary objective (cross-rack bandwidth, then empty
hosts opened), so the search converges; each stops after a pass without an
improvement, or when its work budget (:mod:`~valet.optimizer.search.
effort`) is spent:

* :func:`improve` takes units off their host one at a time and puts each
  back on the host that lowers the objective most;
* :func:`relocate` lifts a whole part of the stack (linked clusters placed
  together, or a lone unit with the lone units linked to it alone) and
  places it again away from its current racks, keeping the result when it
  is better: a unit alone cannot leave a rack its group or its links hold
  it in;
* :func:`vacate` moves every unit of a host the plan opened at once, which
  no single move can empty.

:mod:`~valet.optimizer.search.exchange` adds a fourth: a unit trades
places with a unit of a full host its links pull it to.
"""

import numpy as np

from valet.optimizer.constraints import base
from valet.optimizer import metrics

# Smallest objective change counted as an improvement.
MARGIN = 1e-6
#: Units placed again by relocations per request, plus
#: RELOCATION_PER_UNIT per unit of the stack.
RELOCATION_BUDGET = 48
RELOCATION_PER_UNIT = 2
#: Moves tried per request, in passes over every unit.
IMPROVE_PASSES = 8
#: Opened hosts whose emptying is tried per request (plus one per eight
#: units), and the most units a host may hold to be tried: a host that
#: many units share is rarely emptied without splitting their links.
VACATE_BUDGET = 8
VACATE_MAX_UNITS = 4


def _move(problem, constraints, scorer, state, unit):
    current = int(state.where[unit.servers[0]])
    state.remove(unit)
    mask = base.candidates(constraints, state, unit)
    mask[current] = True
    idx = np.flatnonzero(mask)
    cost = scorer.primary(state, unit, idx)
    here = cost[np.searchsorted(idx, current)]
    best = int(np.argmin(cost))
    if cost[best] < here - MARGIN:
        state.place(unit, int(idx[best]))
        return True
    state.place(unit, current)
    return False


def _may_gain(problem, state, unit):
    """Whether moving ``unit`` could lower the primary objective.

    Only a unit with a link split across racks, or alone on a host it
    opened, can gain anything; the others are skipped cheaply.
    """
    host = state.where[unit.servers[0]]
    if (state.host_count[host] == len(unit.servers) and
            not problem.datacenter.occupied[host]):
        return True
    return _split(problem, state, [unit])


def by_host(state, units):
    """``{host index: [units on it]}`` of placed ``units``, in order."""
    found = {}
    for unit in units:
        found.setdefault(int(state.where[unit.servers[0]]), []).append(unit)
    return found


def place_off(constraints, scorer, state, unit, host):
    """Put ``unit`` on its cheapest allowed host other than ``host``.

    :returns: False (``state`` unchanged) when no other host is allowed.
    """
    mask = base.candidates(constraints, state, unit)
    mask[host] = False
    if not mask.any():
        return False
    state.place(unit, scorer.choose(state, unit, mask))
    return True


def _cluster_of(ordered):
    """``{server index: index of its cluster in ordered}``."""
    owner = {}
    for ci, cluster in enumerate(ordered):
        for unit in cluster.units:
            for s in unit.servers.tolist():
                owner[s] = ci
    return owner


def improve(problem, constraints, scorer, state, units, effort):
    """Improve ``state`` in place until no move helps or ``effort`` is out.

    Each move tried costs one unit of ``effort`` (an
    :class:`~valet.optimizer.search.effort.Effort`).

    :returns: the number of moves made.
    """
    moves = 0
    while True:
        improved = False
        for unit in units:
            if not _may_gain(problem, state, unit):
                continue
            if not effort.spend():
                return moves
            if _move(problem, constraints, scorer, state, unit):
                improved = True
                moves += 1
        if not improved:
            return moves


def vacate(problem, constraints, scorer, state, units, effort):
    """Empty hosts the plan opened, moving all of their units at once.

    A host opened for several units stays open when any one of them moves
    alone, and :func:`improve` does not even try a unit whose links are
    whole on a host it shares. Here every unit of such a host is placed
    again elsewhere (largest first, each on its cheapest allowed host) and
    the result is kept when it lowers the primary objective. Each host
    tried costs one unit of ``effort``.

    :returns: ``(state, moves)``: the best state found (``state`` itself
        or a copy) and the number of hosts emptied.
    """
    moves = 0
    before = objective(problem, state)
    tried = set()
    while True:
        on_host = by_host(state, units)
        opened = [h for h in np.flatnonzero(state.opened()).tolist()
                  if 1 < len(on_host.get(h, ())) <= VACATE_MAX_UNITS and
                  h not in tried]
        kept = None
        for host in opened:
            if not effort.spend():
                return state, moves
            tried.add(host)
            trial = _emptied(constraints, scorer, state, on_host[host],
                             host)
            if trial is not None and objective(problem, trial) < before:
                kept = trial
                break
        if kept is None:
            return state, moves
        state, before = kept, objective(problem, kept)
        moves += 1


def _emptied(constraints, scorer, state, movers, host):
    """``state`` with ``movers`` placed off ``host``, or None."""
    trial = state.copy()
    for unit in movers:
        trial.remove(unit)
    largest_first = sorted(movers, key=lambda u: (-scorer.size(u.demand),
                                                  u.index))
    for unit in largest_first:
        if not place_off(constraints, scorer, trial, unit, host):
            return None
    return trial


def objective(problem, state):
    """The primary objective: (cross-rack Mbps, empty hosts opened)."""
    return (metrics.cross_rack_mbps(problem, state.where),
            int(np.count_nonzero(state.opened())))


def _parts(ordered):
    parts = []
    for cluster in ordered:
        if parts and parts[-1][0].component == cluster.component:
            parts[-1].append(cluster)
        else:
            parts.append([cluster])
    return parts


def _satellites(problem, ordered):
    """Each lone unit with the lone units linked to it alone.

    A load balancer and its standby or the appliances behind it follow it
    wherever it goes; moving them together lets it change racks at equal
    traffic, to one where they need no new host.
    """
    owner = _cluster_of(ordered)
    lone = [not c.rack_bound and len(c.units) == 1 for c in ordered]
    peers = []
    for ci, cluster in enumerate(ordered):
        found = set()
        if lone[ci]:
            for k in cluster.units[0].links:
                found.update(owner[s] for s in problem.links[k].members
                             if s in owner)
            found.discard(ci)
        peers.append(found)
    result = []
    for ci, cluster in enumerate(ordered):
        if not lone[ci]:
            continue
        around = [p for p in sorted(peers[ci])
                  if lone[p] and peers[p] == {ci}]
        if around:
            result.append([cluster] + [ordered[p] for p in around])
    return result


def _neighbourhoods(problem, state, ordered):
    """Each cluster with the linked clusters sharing its rack.

    Moving a rack-bound cluster alone would split its links; moving it
    with the peers in its rack may not.
    """
    racks = problem.datacenter.host_rack
    owner = _cluster_of(ordered)
    result = []
    for ci, cluster in enumerate(ordered):
        home = racks[state.where[cluster.units[0].servers[0]]]
        peers = {ci}
        for unit in cluster.units:
            for k in unit.links:
                for s in problem.links[k].members:
                    other = owner.get(int(s))
                    if other is not None and other not in peers and all(
                            racks[state.where[u.servers[0]]] == home
                            for u in ordered[other].units):
                        peers.add(other)
        if len(peers) > 1:
            result.append([ordered[i] for i in sorted(peers)])
    return result


def _split(problem, state, units):
    """Whether links of ``units`` split more than the rules force.

    A link is forced to split when its own servers are in different units
    of a rack-level diversity group. Links from ``units`` to servers in
    different units of such a group cannot all stay in one rack either:
    at best the heaviest unit shares the rack, so the rest is a floor.
    """
    inside = {int(s) for u in units for s in u.servers}
    split = 0.0
    toward = {}
    cut = metrics.split_links(problem, state.where)
    for k in {k for u in units for k in u.links}:
        if problem.forced_split[k]:
            continue
        link = problem.links[k]
        if cut[k]:
            split += link.bandwidth
        for s in link.members:
            if s in inside:
                continue
            for gi in problem.server_groups[s]:
                group = problem.groups[gi]
                if group.type == 'diversity' and group.level == 'rack':
                    key = (gi, group.unit_of[s])
                    toward.setdefault(gi, {})
                    toward[gi][key] = toward[gi].get(key, 0.0) + \
                        link.bandwidth
    floor = sum(sum(w.values()) - max(w.values()) for w in toward.values())
    return split > floor + MARGIN


def _part_may_gain(problem, builder, state, units):
    """Whether placing ``units`` elsewhere could lower the objective.

    They may if one of their links is split across racks, or if they
    opened hosts and some rack looks able to take them opening fewer.
    """
    if _split(problem, state, units):
        return True
    dc = problem.datacenter
    opened = {int(state.where[u.servers[0]]) for u in units
              if not dc.occupied[state.where[u.servers[0]]]}
    if not opened:
        return False
    trial = state.copy()
    for unit in units:
        trial.remove(unit)
    demand = np.sum([u.demand for u in units], axis=0)
    return bool(builder.opens_estimate(trial, demand).min() < len(opened))


def _linked(problem, state, ordered):
    """Each cluster with a split link, first, with its linked clusters.

    The peers follow the cluster wherever it goes, as a pod and the
    database most of its links go to.
    """
    owner = _cluster_of(ordered)
    result, seen = [], set()
    for ci, cluster in enumerate(ordered):
        if not _split(problem, state, cluster.units):
            continue
        peers = []
        for unit in cluster.units:
            for k in unit.links:
                if problem.forced_split[k]:
                    # The rules keep these ends apart: no use moving
                    # them together.
                    continue
                for s in problem.links[k].members:
                    other = owner.get(int(s))
                    if other is not None and other != ci and \
                            other not in peers:
                        peers.append(other)
        key = frozenset(peers + [ci])
        if peers and key not in seen:
            seen.add(key)
            result.append([cluster] + [ordered[i] for i in sorted(peers)])
    return result


def _closed_racks(builder, state, clusters):
    """Racks where some cluster of a part has no allowed host now.

    The part could not stay together there (a database of a
    rack-diversity group whose rack is taken, a server needing SSD), so
    its first cluster is discouraged from going there.
    """
    dc = builder.problem.datacenter
    closed = np.zeros(dc.n_racks, dtype=bool)
    for cluster in clusters:
        mask = base.candidates(builder.constraints, state, cluster.units[0])
        closed |= np.bincount(dc.host_rack[mask],
                              minlength=dc.n_racks) == 0
    return {int(r) for r in np.flatnonzero(closed)}


def _relocate_one(problem, builder, state, clusters, effort,
                  seed_only=False):
    racks = problem.datacenter.host_rack
    units = [u for c in clusters for u in c.units]
    if not _part_may_gain(problem, builder, state, units):
        return False
    before = objective(problem, state)
    movers = clusters[0].units if seed_only else units
    homes = sorted({int(racks[state.where[u.servers[0]]]) for u in movers})
    goal = builder.part_cost(state, clusters)
    trial = state.copy()
    for unit in units:
        trial.remove(unit)
    if len(clusters) > 1:
        homes = sorted(set(homes) | _closed_racks(builder, trial, clusters))
        # The largest cluster bound to one rack chooses the rack; the
        # others follow their links to it.
        clusters = sorted(clusters, key=lambda c: (
            not c.rack_bound, -len(c.units)))
    trial, failure = builder.place_component(trial, clusters, homes, goal,
                                             effort)
    if failure is None and objective(problem, trial) < before:
        return trial
    return None


def relocate(problem, builder, state, ordered, effort):
    """Place parts again elsewhere while that improves the objective.

    Tried in turn: each rack-bound cluster alone, each lone unit with its
    satellites (lone units linked to it alone), each cluster with a split
    link together with its linked clusters (only its own racks avoided),
    each cluster with the linked clusters in its rack, then each part as
    placed.

    :param builder: the :class:`~valet.optimizer.search.backtracking.
        Builder` that built ``state`` from the clusters ``ordered``.
    :param effort: the :class:`~valet.optimizer.search.effort.Effort`
        of this phase; a relocation costs the number of units it places
        again, in every attempt.
    :returns: ``(state, moves)``: the best state found (``state`` itself
        or a copy) and the number of relocations kept.
    """
    moves = 0
    singles = [[c] for c in ordered
               if c.rack_bound and any(u.links for u in c.units)]
    kinds = ('singles', 'satellites', 'linked', 'rack', 'parts')
    # Neighbourhoods are built when reached: they depend on earlier moves.
    for turn, kind in enumerate(kinds):
        # Every kind gets its turn: an equal share of what is left, so
        # that whole parts are tried even when single clusters could use
        # the whole budget.
        share = -(-effort.left // (len(kinds) - turn))
        if kind == 'singles':
            candidates = singles
        elif kind == 'satellites':
            candidates = _satellites(problem, ordered)
        elif kind == 'linked':
            candidates = _linked(problem, state, ordered)
        elif kind == 'rack':
            candidates = _neighbourhoods(problem, state, ordered)
        else:
            candidates = _parts(ordered)
        for clusters in candidates:
            if effort.out():
                return state, moves
            if share <= 0:
                break
            before = effort.left
            better = _relocate_one(problem, builder, state, clusters,
                                   effort, seed_only=kind == 'linked')
            if better is False:
                continue
            share -= before - effort.left
            if better is not None:
                state, moves = better, moves + 1
    return state, moves
