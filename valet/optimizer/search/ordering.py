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

"""Order of the work: most constrained and largest first, kept together.

Units that must share a rack (rack-level affinity) form a cluster placed in
one go, so the search can retry the whole cluster on another rack. Clusters
joined by links form a component, placed one after another so that later
units see where their peers went.
"""

import heapq

import numpy as np

from valet.optimizer.constraints import base
from valet.optimizer import state as state_mod
from valet.optimizer import units as units_mod


#: Share of a rack's free room a linked part may fill: above it, the
#: part may not pack (room is counted before bin packing).
TIGHT = 0.75


class Cluster(object):
    """Units placed together; ``rack_bound`` when they must share a rack."""

    __slots__ = ('units', 'rack_bound', 'demand', 'component', 'key')

    def __init__(self, units, rack_bound):
        self.units = units
        self.rack_bound = rack_bound
        if len(units) == 1:
            self.demand = units[0].demand.copy()
        else:
            self.demand = np.sum([u.demand for u in units], axis=0)
        self.component = None
        self.key = None


def _static_count(problem, constraints, unit):
    # Hosts left by every rule before any server of the stack is placed:
    # a measure of how constrained the unit is. Where named groups
    # already run counts: a new member of a rack-affinity group that runs
    # in one rack has that rack's hosts only.
    key = ('static_count', unit.index)
    if key not in problem.cache:
        if 'empty_state' not in problem.cache:
            problem.cache['empty_state'] = state_mod.State(problem)
        state = problem.cache['empty_state']
        mask = base.candidates(constraints, state, unit)
        problem.cache[key] = int(np.count_nonzero(mask))
    return problem.cache[key]


def _pinned(problem, constraints, cluster):
    """Whether the rules leave the cluster a single rack.

    A new member of a rack-affinity group that already runs, or a server
    whose zone or aggregates exist in one rack only: it anchors the part
    it belongs to, so it is placed first and its peers follow it.
    """
    state = problem.cache['empty_state']
    mask = base.candidates(constraints, state, cluster.units[0])
    racks = problem.datacenter.host_rack[mask]
    return len(racks) > 0 and bool((racks == racks[0]).all())


def _unit_key(problem, constraints, scorer, unit):
    types = {problem.groups[g].type for g in unit.groups}
    return ('exclusivity' not in types, not unit.groups,
            _static_count(problem, constraints, unit),
            -scorer.size(unit.demand), unit.index)


def clusters(problem, units):
    """Group units joined by rack-level affinity into clusters."""
    owner = {}
    for unit in units:
        for s in unit.servers:
            owner[int(s)] = unit.index
    pairs, bound = [], set()
    for g in problem.groups:
        if g.type == 'affinity' and g.level == 'rack':
            idx = sorted({owner[int(s)] for s in g.servers
                          if int(s) in owner})
            pairs.extend(zip(idx, idx[1:]))
            bound.update(idx)
    result = []
    for members in units_mod.union_find([u.index for u in units], pairs):
        result.append(Cluster([units[i] for i in members],
                              any(i in bound for i in members)))
    return result


def _adjacency(problem, found):
    """Bandwidth between clusters: ``[{cluster: Mbps}]`` and the pairs."""
    cluster_of = {}
    for ci, cluster in enumerate(found):
        for unit in cluster.units:
            for s in unit.servers:
                cluster_of[int(s)] = ci
    adjacency = [dict() for _ in found]
    for link in problem.links:
        idx = sorted({cluster_of[s] for s in link.members
                      if s in cluster_of})
        for a in idx:
            for b in idx:
                if a != b:
                    adjacency[a][b] = adjacency[a].get(b, 0.0) + \
                        link.bandwidth
    pairs = sorted(((bw, a, b) for a, peers in enumerate(adjacency)
                    for b, bw in peers.items() if a < b),
                   key=lambda item: (-item[0], item[1], item[2]))
    return adjacency, pairs


def _largest_rack_room(problem):
    dc = problem.datacenter
    free = np.maximum(problem.free, 0.0) * dc.enabled[:, None]
    # One bincount over (rack, resource) bins; each bin still sums its
    # hosts in index order.
    bins = (dc.host_rack[:, None] * 3 + np.arange(3)).ravel()
    room = np.bincount(bins, weights=free.ravel(),
                       minlength=3 * dc.n_racks).reshape(-1, 3)
    if not len(room):
        return np.zeros(3)
    scale = np.maximum(room.mean(axis=0), 1e-9)
    return room[int(np.argmax((room / scale).min(axis=1)))]


def _apart(problem, found):
    """Per cluster, ``{rack-diversity group: unit}`` of its servers.

    Two clusters holding different units of one rack-level diversity
    group can never share a rack.
    """
    groups = [g for g in problem.groups
              if g.type == 'diversity' and g.level == 'rack']
    result = []
    for cluster in found:
        tokens = {}
        for unit in cluster.units:
            for s in unit.servers.tolist():
                for g in groups:
                    if s in g.unit_of:
                        tokens[g.index] = g.unit_of[s]
        result.append(tokens)
    return result


def _clash(a, b):
    return any(b.get(g, u) != u for g, u in a.items())


def _parts(problem, found, pairs, share=TIGHT):
    """Split linked clusters into parts that one rack may hold.

    Links are merged heaviest first while the merged demand stays within
    a share of the roomiest rack and no rack-level diversity group keeps
    the clusters apart, so that when a component is too big for one rack
    it is cut along its light links, and a part never holds servers that
    the rules send to different racks.
    """
    # Plain floats: numpy's overhead dominates on 3-vectors.
    cap = (share * _largest_rack_room(problem)).tolist()
    parent = list(range(len(found)))
    demand = [c.demand.tolist() for c in found]
    apart = _apart(problem, found)

    def root(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for _bw, a, b in pairs:
        ra, rb = root(a), root(b)
        if ra == rb or _clash(apart[ra], apart[rb]):
            continue
        merged = [x + y for x, y in zip(demand[ra], demand[rb])]
        if all(m <= c for m, c in zip(merged, cap)):
            low, high = min(ra, rb), max(ra, rb)
            parent[high] = low
            demand[low] = merged
            apart[low] = {**apart[high], **apart[low]}
    parts = {}
    for ci in range(len(found)):
        parts.setdefault(root(ci), []).append(ci)
    return [parts[k] for k in sorted(parts)]


def plan(problem, units, constraints, scorer, share=TIGHT):
    """Return the clusters in the order the search places them.

    ``Cluster.component`` is set to the index of the part the cluster
    belongs to; the clusters of a part are contiguous in the result.
    Linked clusters join one part while their demand stays within
    ``share`` of the roomiest rack's free room.
    """
    found = clusters(problem, units)
    keys = {}
    for cluster in found:
        for unit in cluster.units:
            keys[unit.index] = _unit_key(problem, constraints, scorer, unit)
        cluster.units.sort(key=lambda u: keys[u.index])
        cluster.key = (not _pinned(problem, constraints, cluster),) + \
            keys[cluster.units[0].index][:3] + (
                -scorer.size(cluster.demand),
                cluster.units[0].index)
    adjacency, pairs = _adjacency(problem, found)
    parts = _parts(problem, found, pairs, share)
    part_of = {}
    for pi, part in enumerate(parts):
        for ci in part:
            part_of[ci] = pi
    part_key = [min(found[ci].key for ci in part) for part in parts]
    part_adjacency = [dict() for _ in parts]
    for a, peers in enumerate(adjacency):
        for b, bw in peers.items():
            pa, pb = part_of[a], part_of[b]
            if pa != pb:
                part_adjacency[pa][pb] = part_adjacency[pa].get(pb, 0.0) + bw
    components = units_mod.union_find(
        list(range(len(parts))),
        [(a, b) for a, peers in enumerate(part_adjacency) for b in peers])
    components.sort(key=lambda comp: min(part_key[pi] for pi in comp))
    cluster_keys = [c.key for c in found]
    ordered = []
    for comp in components:
        for pi in _follow_links(part_key, comp, part_adjacency):
            for ci in _follow_links(cluster_keys, parts[pi], adjacency):
                found[ci].component = pi
                ordered.append(found[ci])
    return ordered


def _follow_links(keys, members, adjacency):
    """Order ``members`` so that each follows its heaviest peers.

    Starting from the most constrained (smallest key), repeatedly take the
    member with the most bandwidth to those already taken (ties: the
    smallest key), so every member after the first sees placed peers.
    """
    if len(members) == 1:
        return list(members)
    inside = set(members)
    start = min(members, key=lambda m: keys[m])
    weight = {m: 0.0 for m in members}
    heap = [(0.0, keys[m], m) for m in members if m != start]
    heapq.heapify(heap)
    taken, order, frontier = {start}, [start], start
    while len(order) < len(members):
        for peer, bandwidth in adjacency[frontier].items():
            if peer in inside and peer not in taken:
                weight[peer] += bandwidth
                heapq.heappush(heap, (-weight[peer], keys[peer], peer))
        while True:
            neg, _key, member = heapq.heappop(heap)
            if member not in taken and -neg == weight[member]:
                break
        taken.add(member)
        order.append(member)
        frontier = member
    return order
