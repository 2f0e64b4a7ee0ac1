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

"""Units of work: servers that must share one host.

Host-level affinity makes its members inseparable, so the search places
them together as one unit whose demand is their sum. Units are built over
the servers still to place; fixed servers anchor the units that share a
group with them through the affinity constraint instead.
"""

import numpy as np


class Unit(object):
    """Servers placed together on one host.

    ``groups`` and ``links`` index the problem's groups and links touching
    any member; ``cache`` keeps per-unit results of static constraints.
    """

    __slots__ = ('index', 'servers', 'demand', 'groups', 'links', 'cache')

    def __init__(self, index, servers, problem):
        self.index = index
        members = sorted(int(s) for s in servers)
        self.servers = np.asarray(members, dtype=np.int32)
        if len(members) == 1:
            # The same vector, without a fancy index and a reduction.
            self.demand = problem.demand[members[0]].copy()
        else:
            self.demand = problem.demand[self.servers].sum(axis=0)
        self.groups = tuple(sorted({g for s in members
                                    for g in problem.server_groups[s]}))
        self.links = tuple(sorted({k for s in members
                                   for k in problem.server_links[s]}))
        self.cache = {}

    def names(self, problem):
        """Names of the member servers."""
        return problem.names(self.servers)


def _find(parent, x):
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


def union_find(items, pairs):
    """Group ``items`` (ints) into classes joined by ``pairs`` (a, b)."""
    parent = {i: i for i in items}
    for a, b in pairs:
        ra, rb = _find(parent, a), _find(parent, b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    classes = {}
    for i in items:
        classes.setdefault(_find(parent, i), []).append(i)
    return [classes[k] for k in sorted(classes)]


def build_units(problem, servers=None):
    """Return the units covering ``servers`` (default: every unfixed one)."""
    if servers is None:
        servers = [s for s in range(problem.n_servers)
                   if s not in problem.fixed]
    todo = set(servers)
    pairs = []
    for g in problem.groups:
        if g.type == 'affinity' and g.level == 'host':
            members = [s for s in g.servers if s in todo]
            pairs.extend(zip(members, members[1:]))
    classes = union_find(sorted(todo), pairs)
    return [Unit(i, c, problem) for i, c in enumerate(classes)]
