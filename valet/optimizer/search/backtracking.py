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

from valet.optimizer.constraints import base
from valet.optimizer import metrics
from valet.optimizer.search import explain as explain_mod
from valet.optimizer.search import ordering
from valet.optimizer.search import scoring

#: Other home racks tried for a linked component whose links split.
COMPONENT_RETRIES = 3
#: Other racks tried when relocating a part (improvement phase).
RELOCATION_RETRIES = 1
#: Resource columns (vCPUs, RAM, disk), for per-rack sums.
_RESOURCES = np.arange(3)


def explain(problem, constraints, state, unit):
    """Return ``(reason, explanation)`` for a unit that has no host."""
    reason, explanation, _rule = explain_mod.explain(problem, constraints,
                                                     state, unit)
    return reason, explanation


def _most_common(blocked):
    """The ``(reason, explanation)`` of the rule that blocked most often."""
    counts = {}
    for _reason, _explanation, rule in blocked:
        counts[rule] = counts.get(rule, 0) + 1
    best = max(counts.values())
    for reason, explanation, rule in blocked:
        if counts[rule] == best:
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
    """Builds a complete placement from an ordered list of clusters.

    ``budget`` is how many other racks a rack-bound cluster may be tried
    on; ``retries`` counts them over the whole construction.
    """

    def __init__(self, problem, constraints, scorer, budget,
                 count_opens=False, raw_room=False):
        self.problem = problem
        self.constraints = constraints
        self.scorer = scorer
        self.budget = budget
        self.retries = 0
        #: Whether the home rack of a part also weighs the empty hosts
        #: the part would likely open there.
        self.count_opens = count_opens
        #: Whether the home rack of a part is chosen by the room of every
        #: enabled host, rather than of the hosts its servers may use
        #: (another start of the search, not a better rule).
        self.raw_room = raw_room

    def run(self, state, ordered):
        """Place every cluster, component by component.

        :returns: ``(state, failure)``: the state holding the placement
            (a better copy may replace the one given) and None, or the
            :class:`Failure` that stopped the construction.
        """
        start = 0
        while start < len(ordered):
            end = start
            while (end < len(ordered) and
                   ordered[end].component == ordered[start].component):
                end += 1
            state, failure = self.place_component(state,
                                                  ordered[start:end])
            if failure is not None:
                return state, failure
            start = end
        return state, None

    def place_component(self, state, clusters, avoid=(), goal=None,
                        effort=None):
        """Place linked clusters; retry on other racks if links split.

        When the look-ahead expects the component to fit in one rack but
        its links end up split, the component is placed again from a copy
        of the state with the previous home racks discouraged, and the
        best attempt is kept. Racks in ``avoid`` are discouraged from the
        start; with a ``goal`` (a cost as :meth:`part_cost` returns), other
        racks are tried until an attempt beats it or the safety cap of
        ``effort`` (an :class:`~valet.optimizer.search.effort.Effort`,
        charged one unit per unit placed) is reached.

        :returns: ``(state, failure)`` as :meth:`run`.
        """
        demand = np.sum([c.demand for c in clusters], axis=0)
        links = self._inner_links(clusters)
        bandwidth = sum(self.problem.links[k].bandwidth for k in links)
        retry = goal is not None or self._one_rack_possible(
            state, clusters, demand, bandwidth)
        if goal is not None:
            attempts = 1 + RELOCATION_RETRIES
        else:
            attempts = 1 + (COMPONENT_RETRIES if retry else 0)
        best, homes = None, list(avoid)
        for attempt in range(attempts):
            if attempt and effort is not None and effort.past_cap():
                break
            trial = state.copy() if attempts > 1 else state
            penalty = self._link_lookahead(
                trial, clusters, demand, bandwidth, homes,
                goal is not None or self.count_opens)
            failure = None
            for k, cluster in enumerate(clusters):
                failure = self._place_cluster(trial, cluster,
                                              penalty if k == 0 else None)
                if effort is not None:
                    effort.charge(len(cluster.units))
                if failure is not None:
                    break
            if failure is not None:
                if best is None:
                    return trial, failure
                break
            cost = self._cost(trial, links)
            if best is None or cost < best[0]:
                best = (cost, trial)
            if (cost < goal) if goal is not None else (
                    cost[0] == 0 or penalty is None):
                break
            first = clusters[0].units[0].servers[0]
            homes.append(self.problem.datacenter.host_rack[
                trial.where[first]])
        return best[1], None

    def _one_rack_possible(self, state, clusters, demand, bandwidth):
        # Retrying elsewhere only helps if one rack could hold it all.
        if not bandwidth:
            return False
        if self.raw_room and self._rack_diverse(clusters):
            # The construction before usable room gave up there.
            return False
        return bool((self._need(state, clusters, demand) <= 1.0).any())

    def _need(self, state, clusters, demand):
        """Per rack, the share of its room the part needs (above 1: spills).

        The room of every enabled host with ``raw_room``, else
        :meth:`usable_need`.
        """
        if not self.raw_room:
            return self.usable_need(state, clusters, demand)
        room = self._rack_room(state, self.problem.datacenter.enabled)
        return np.max(np.asarray(demand) / np.maximum(room, 1e-9), axis=1)

    def _rack_diverse(self, clusters):
        groups = self.problem.groups
        return any(groups[gi].level == 'rack' and
                   groups[gi].type == 'diversity'
                   for cluster in clusters for unit in cluster.units
                   for gi in unit.groups)

    def _mask_key(self, unit):
        """What decides the unit's allowed hosts, when its members alone do.

        None for a unit in a group or with a host mask of its own (its
        hosts depend on more than its flavors and zone).
        """
        if unit.groups:
            return None
        problem = self.problem
        servers = unit.servers.tolist()
        if any(s in problem.host_masks for s in servers):
            return None
        return tuple((problem.servers[s].flavor.name,
                      problem.servers[s].availability_zone)
                     for s in servers)

    def usable_need(self, state, clusters, demand):
        """Per rack, the share of the room usable by the part it needs.

        Room counts only the hosts where the servers may really go now
        (enabled, zone, aggregate extra specs, exclusivity, diversity and
        affinity, running members of named groups included): per cluster,
        the hosts allowed to its first unit (alike clusters together);
        for the whole part, their union. A rack where some cluster has no
        host needs infinitely much. Above 1, the part cannot stay in that
        rack.
        """
        dc = self.problem.datacenter
        need = np.zeros(dc.n_racks)
        union = np.zeros(dc.n_hosts, dtype=bool)
        # Clusters whose first units are alike (same flavors and zone, no
        # group, no host mask of their own) have the same hosts: their
        # demands are summed against one mask.
        alike = {}
        for cluster in clusters:
            key = self._mask_key(cluster.units[0])
            if key is None:
                key = ('cluster', id(cluster))
            entry = alike.get(key)
            if entry is None:
                alike[key] = [cluster.units[0], cluster.demand.copy()]
            else:
                entry[1] += cluster.demand
        for unit, total in alike.values():
            mask = base.candidates(self.constraints, state, unit)
            union |= mask
            room = self._rack_room(state, mask)
            need = np.maximum(need, np.max(
                total / np.maximum(room, 1e-9), axis=1))
        room = self._rack_room(state, union)
        return np.maximum(need, np.max(
            np.asarray(demand) / np.maximum(room, 1e-9), axis=1))

    def _inner_links(self, clusters):
        # Links inside the part; those to other parts are light by
        # construction and may be cut.
        servers = {int(s) for c in clusters for u in c.units
                   for s in u.servers}
        return sorted({k for c in clusters for u in c.units
                       for k in u.links
                       if servers.issuperset(
                           self.problem.links[k].members)})

    def part_cost(self, state, clusters):
        """(Mbps of the part's inner links split, empty hosts opened)."""
        return self._cost(state, self._inner_links(clusters))

    def _cost(self, state, links):
        split = 0.0
        forced = self.problem.forced_split
        links = [k for k in links if not forced[k]]
        if links:
            links = np.asarray(links, dtype=np.int64)
            cut = metrics.split_links(self.problem, state.where)[links]
            split = float(self.problem.link_bandwidth[links][cut].sum())
        return (split, int(np.count_nonzero(state.opened())))

    def _rack_room(self, state, mask):
        dc = self.problem.datacenter
        idx = np.flatnonzero(mask)
        free = np.maximum(state.free[idx], 0.0)
        # One bincount over (rack, resource) bins instead of one per
        # resource; each bin still sums its hosts in index order.
        bins = (dc.host_rack[idx][:, None] * 3 + _RESOURCES).ravel()
        return np.bincount(bins, weights=free.ravel(),
                           minlength=3 * dc.n_racks).reshape(-1, 3)

    def opens_estimate(self, state, demand):
        """Per rack, empty hosts a part of ``demand`` would likely open.

        The demand beyond the room of hosts already in use, covered by
        the rack's largest empty hosts first (a bound that ignores how
        the units pack); a rack whose empty hosts cannot cover it counts
        one more host than it has.
        """
        dc = self.problem.datacenter
        busy = dc.enabled & (dc.occupied | (state.host_count > 0))
        room = self._rack_room(state, busy)
        deficit = np.clip(np.asarray(demand) - room, 0.0, None)
        short = (deficit > 1e-6).any(axis=1)
        counts = np.zeros(dc.n_racks)
        empty = np.flatnonzero(dc.enabled & ~busy)
        if not short.any():
            return counts
        counts[short] = np.bincount(dc.host_rack[empty],
                                    minlength=dc.n_racks)[short] + 1
        free = np.clip(state.free[empty], 0.0, None)
        racks = dc.host_rack[empty]
        keep = short[racks]
        free, racks = free[keep], racks[keep]
        if not len(racks):
            return counts
        size = (free * self.scorer.inv_mean).max(axis=1)
        order = np.lexsort((-size, racks))
        free, racks = free[order], racks[order]
        total = np.cumsum(free, axis=0)
        starts = np.flatnonzero(np.r_[True, racks[1:] != racks[:-1]])
        before = np.repeat(np.vstack([np.zeros((1, 3)),
                                      total[starts[1:] - 1]]),
                           np.diff(np.r_[starts, len(racks)]), axis=0)
        rank = np.arange(len(racks)) - np.repeat(
            starts, np.diff(np.r_[starts, len(racks)])) + 1
        covered = (total - before >= deficit[racks] - 1e-6).all(axis=1)
        first = np.full(dc.n_racks, np.inf)
        np.minimum.at(first, racks[covered], rank[covered])
        found = np.isfinite(first)
        counts[found] = first[found]
        return counts

    def _link_lookahead(self, state, clusters, demand, bandwidth, homes=(),
                        count_opens=False):
        held = self._held_racks(clusters)
        if not bandwidth and not homes and held is None:
            return None
        penalty = np.zeros(self.problem.datacenter.n_racks)
        scale = max(bandwidth, 1.0) * scoring.W_BANDWIDTH
        if bandwidth:
            need = self._need(state, clusters, demand)
            # Racks that cannot hold the whole component would split its
            # links; nearly full ones risk it (room is counted before
            # packing).
            penalty = np.where(need > 1.0, scale,
                               np.where(need > ordering.TIGHT, scale * 0.1,
                                        0.0))
        if count_opens:
            # Relocations and the start that weighs opened hosts: prefer
            # racks the part fits in without opening hosts.
            penalty += self.opens_estimate(state, demand) * scoring.W_OPEN
        for rack in homes:
            penalty[rack] += 2 * scale
        if held is not None:
            # A rack where an exclusivity group of the part already holds
            # hosts: its members need not open one there.
            penalty[held] -= scoring.W_HELD
        return penalty

    def _held_racks(self, clusters):
        """Racks holding what the part's exclusivity groups hold, or None.
        """
        problem = self.problem
        found = set()
        for cluster in clusters:
            for unit in cluster.units:
                for gi in unit.groups:
                    group = problem.groups[gi]
                    if group.type != 'exclusivity' or not len(group.held):
                        continue
                    if group.level == 'rack':
                        found.update(group.held.tolist())
                    else:
                        found.update(problem.datacenter.host_rack[
                            group.held].tolist())
        return sorted(found) if found else None

    def _rack_fit(self, state, cluster, mask):
        """Keep the racks that look able to hold the whole cluster.

        Room counts only hosts that fit the cluster's smallest unit, and a
        rack needs as many such hosts as the cluster's largest host-level
        diversity group has units. Returns the narrowed mask and, per
        rack, a penalty for the empty hosts the cluster would likely open
        there.
        """
        dc = self.problem.datacenter
        smallest = np.min([u.demand for u in cluster.units], axis=0)
        usable = mask & (state.free >= smallest - 1e-6).all(axis=1)
        room = self._rack_room(state, usable)
        fits = (room >= cluster.demand - 1e-6).all(axis=1)
        spread = self._host_spread(cluster)
        busy = usable & (dc.occupied | (state.host_count > 0))
        busy_hosts = np.bincount(dc.host_rack[busy], minlength=dc.n_racks)
        if spread > 1:
            hosts = np.bincount(dc.host_rack[usable], minlength=dc.n_racks)
            fits &= hosts >= spread
        busy_room = self._rack_room(state, busy)
        opens = np.maximum(spread - busy_hosts, 0) + \
            ~(busy_room >= cluster.demand - 1e-6).all(axis=1)
        narrowed = mask & fits[dc.host_rack]
        if not narrowed.any():
            narrowed = mask
        return narrowed, opens * scoring.W_OPEN

    def _host_spread(self, cluster):
        groups = self.problem.groups
        spread = {}
        for unit in cluster.units:
            for gi in unit.groups:
                if groups[gi].type == 'diversity' and \
                        groups[gi].level == 'host':
                    spread[gi] = spread.get(gi, 0) + 1
        return max(spread.values()) if spread else 1

    def _try(self, state, cluster, banned, penalty, units=None):
        problem = self.problem
        placed = []
        for i, unit in enumerate(units or cluster.units):
            mask = base.candidates(self.constraints, state, unit)
            if banned is not None:
                mask &= ~banned[problem.datacenter.host_rack]
            first_penalty = penalty
            if i == 0 and cluster.rack_bound and len(cluster.units) > 1:
                mask, opens = self._rack_fit(state, cluster, mask)
                first_penalty = opens if penalty is None else penalty + opens
            if not mask.any():
                return placed, unit
            host = self.scorer.choose(state, unit, mask,
                                      first_penalty if i == 0 else None)
            state.place(unit, host)
            placed.append(unit)
        return placed, None

    def _spread_first(self, cluster, failed):
        """The cluster's units, ``failed`` and its diversity peers first."""
        groups = self.problem.groups
        spread = {gi for gi in failed.groups
                  if groups[gi].type == 'diversity'}
        front = [u for u in cluster.units
                 if u is failed or spread.intersection(u.groups)]
        return front + [u for u in cluster.units if u not in front]

    def _place_cluster(self, state, cluster, penalty):
        """Place a cluster; return None, or the :class:`Failure`.

        When one of its units finds no host, a cluster is tried once more
        with that unit and its diversity peers first, then (rack-bound
        clusters) on other racks, up to the budget.
        """
        racks = self.problem.datacenter.host_rack
        banned = None
        tries = 0
        # What blocked the cluster in each rack it was tried on.
        blocked = []
        order = None
        while True:
            placed, failed = self._try(state, cluster, banned, penalty,
                                       order)
            if failed is None:
                return None
            if order is None and placed and self.budget:
                # Once per cluster: the units that could not spread go
                # first (a large server took the one host they needed).
                order = self._spread_first(cluster, failed)
                for unit in placed:
                    state.remove(unit)
                self.retries += 1
                continue
            found = explain_mod.explain(self.problem, self.constraints,
                                        state, failed)
            if not (cluster.rack_bound and placed) or tries >= self.budget:
                reason, explanation, rule = found
                if rule is None and blocked:
                    # The rules leave hosts only in racks already tried:
                    # name what blocked the cluster there.
                    reason, explanation = _most_common(blocked)
                if tries:
                    reason += ' (after trying %d other rack(s))' % tries
                for unit in placed:
                    state.remove(unit)
                return Failure(cluster, failed, reason, explanation)
            blocked.append(found)
            first = racks[state.where[placed[0].servers[0]]]
            for unit in placed:
                state.remove(unit)
            if banned is None:
                banned = np.zeros(self.problem.datacenter.n_racks, bool)
            banned[first] = True
            tries += 1
            self.retries += 1
