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

import numpy as np

from valet.engine.constraints import base
from valet.engine import state as state_mod
from valet.engine import units as units_mod


class Cluster(object):
    """Units placed together; ``rack_bound`` when they must share a rack."""

    __slots__ = ('units', 'rack_bound', 'demand', 'component', 'key')

    def __init__(self, units, rack_bound):
        self.units = units
        self.rack_bound = rack_bound
        self.demand = np.sum([u.demand for u in units], axis=0)
        self.component = None
        self.key = None


def _static_count(problem, constraints, unit):
    # Hosts left by the rules that ignore the state: a measure of how
    # constrained the unit is before anything is placed.
    key = ('static_count', unit.index)
    if key not in problem.cache:
        state = problem.cache.setdefault('empty_state',
                                         state_mod.State(problem))
        mask = base.base_mask(state, unit)
        for constraint in constraints:
            if constraint.static:
                mask = constraint.narrow(state, unit, mask)
        problem.cache[key] = int(np.count_nonzero(mask))
    return problem.cache[key]


def _unit_key(problem, constraints, scorer, unit):
    types = {problem.groups[g].type for g in unit.groups}
    return ('exclusivity' not in types, not unit.groups,
            _static_count(problem, constraints, unit),
            -float(np.max(unit.demand * scorer.inv_mean)), unit.index)


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


def plan(problem, units, constraints, scorer):
    """Return the clusters in the order the search places them."""
    found = clusters(problem, units)
    for cluster in found:
        cluster.units.sort(
            key=lambda u: _unit_key(problem, constraints, scorer, u))
        cluster.key = _unit_key(problem, constraints, scorer,
                                cluster.units[0])[:3] + (
            -float(np.max(cluster.demand * scorer.inv_mean)),
            cluster.units[0].index)
    cluster_of = {}
    for ci, cluster in enumerate(found):
        for unit in cluster.units:
            for s in unit.servers:
                cluster_of[int(s)] = ci
    pairs = []
    for link in problem.links:
        idx = sorted({cluster_of[int(s)] for s in link.servers
                      if int(s) in cluster_of})
        pairs.extend(zip(idx, idx[1:]))
    components = units_mod.union_find(list(range(len(found))), pairs)
    for comp_index, comp in enumerate(components):
        for ci in comp:
            found[ci].component = comp_index
    components.sort(key=lambda comp: min(found[ci].key for ci in comp))
    ordered = []
    for comp in components:
        ordered.extend(sorted((found[ci] for ci in comp),
                              key=lambda c: c.key))
    return ordered
