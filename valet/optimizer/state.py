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

"""The mutable state of a search: where each server is and what is left.

Placing or removing a server updates the free capacity of its host, the
count of stack servers per host and per rack, and per group the number of
members per host or rack (per diversity unit too), so that constraints and
scores read them as arrays.
"""

import numpy as np


class State(object):
    """Assignment of the servers of a problem.

    ``where[s]`` is the host index of server ``s`` or -1.
    """

    def __init__(self, problem):
        self.problem = problem
        dc = problem.datacenter
        self.free = problem.free.copy()
        self.where = np.full(problem.n_servers, -1, dtype=np.int32)
        self.host_count = np.zeros(dc.n_hosts, dtype=np.int32)
        self.rack_count = np.zeros(dc.n_racks, dtype=np.int32)
        self.group_count = []
        # Diversity: per unit of the group, {host or rack: members there}.
        self.unit_count = []
        for g in problem.groups:
            size = problem.level_size(g.level)
            self.group_count.append(np.zeros(size, dtype=np.int32))
            self.unit_count.append(
                [{} for _ in range(g.n_units)]
                if g.type == 'diversity' else None)
        for s, h in sorted(problem.fixed.items()):
            self.place_server(s, h)

    def copy(self):
        """Return an independent copy of this state."""
        new = State.__new__(State)
        new.problem = self.problem
        new.free = self.free.copy()
        new.where = self.where.copy()
        new.host_count = self.host_count.copy()
        new.rack_count = self.rack_count.copy()
        new.group_count = [c.copy() for c in self.group_count]
        new.unit_count = [None if c is None else [dict(d) for d in c]
                          for c in self.unit_count]
        return new

    def _update(self, s, h, sign):
        p = self.problem
        self.free[h] -= sign * p.demand[s]
        self.host_count[h] += sign
        rack = p.datacenter.host_rack[h]
        self.rack_count[rack] += sign
        for gi in p.server_groups[s]:
            g = p.groups[gi]
            lid = h if g.level == 'host' else rack
            self.group_count[gi][lid] += sign
            if g.type == 'diversity':
                counts = self.unit_count[gi][g.unit_of[s]]
                left = counts.get(lid, 0) + sign
                if left:
                    counts[lid] = left
                else:
                    del counts[lid]

    def place_server(self, s, h):
        """Put server ``s`` on host ``h``."""
        self.where[s] = h
        self._update(s, h, 1)

    def remove_server(self, s):
        """Take server ``s`` off its host."""
        h = self.where[s]
        if h >= 0:
            self._update(s, h, -1)
            self.where[s] = -1

    def place(self, unit, h):
        """Put every server of ``unit`` on host ``h``."""
        for s in unit.servers:
            self.place_server(s, h)

    def remove(self, unit):
        """Take every server of ``unit`` off its host."""
        for s in unit.servers:
            self.remove_server(s)

    def held_by_others(self, gi, unit):
        """Hosts or racks holding members of group ``gi`` not in ``unit``.

        ``unit`` is the index of a unit (direct member) of a diversity
        group.
        """
        count = self.group_count[gi]
        taken = count > 0
        for lid, mine in self.unit_count[gi][unit].items():
            if count[lid] == mine:
                taken[lid] = False
        return taken

    def level_count(self, level):
        """Stack servers per host or per rack."""
        return self.host_count if level == 'host' else self.rack_count

    def opened(self):
        """Hosts that were empty and now hold a server of the stack."""
        return (self.host_count > 0) & ~self.problem.datacenter.occupied
