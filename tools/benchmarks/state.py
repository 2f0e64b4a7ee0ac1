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

"""Host arrays and group bookkeeping shared by the baseline placers.

The baselines read the external formats through the independent checker's
:class:`valet.tests.checker.Problem` (not through ``valet.engine``) and keep
free capacity and rule state in numpy arrays, so that each decision is a
handful of vector operations over all hosts.
"""

import collections

import numpy

from valet.tests import checker


class HostState(object):
    """Free capacity and group rule state of a partial placement."""

    def __init__(self, problem, select=None):
        self.problem = problem
        self.names = list(problem.hosts)
        self.index = dict((n, i) for i, n in enumerate(self.names))
        racks = [problem.rack_of(n) for n in self.names]
        rack_ids = dict((r, i) for i, r in enumerate(sorted(set(racks))))
        self.racks = racks
        self.dom = {'host': numpy.arange(len(self.names)),
                    'rack': numpy.array([rack_ids[r] for r in racks])}
        self.free = numpy.array([[problem.free(n)[r] for r in
                                  checker.RESOURCES] for n in self.names])
        if not len(self.names):
            self.free = numpy.zeros((0, 3))
        self.enabled = numpy.array([bool(problem.hosts[n].get('enabled',
                                                              True))
                                    for n in self.names], dtype=bool)
        self.busy = numpy.array([problem.occupied(n) for n in self.names],
                                dtype=bool)
        self.clean = {}
        self.rules = [g for g in problem.groups.values()
                      if g.type in ('affinity', 'diversity', 'exclusivity')
                      and (select is None or select(g))]
        self.member_of = collections.defaultdict(list)
        for group in self.rules:
            for unit, leaves in self._units(group):
                for leaf in leaves:
                    self.member_of[leaf].append((group, unit))
        self.placed = {}
        self.stack_count = numpy.zeros(len(self.names), dtype=int)
        self.static = {}

    def _units(self, group):
        units = [(s, [s]) for s in group.servers]
        for sub in group.subgroups:
            child = self.problem.groups[self.problem.group_key(sub)]
            units.append((sub, self.problem.leaves(child)))
        return units

    def _static_mask(self, server):
        """Enabled, AZ and aggregate extra specs (cached per flavor+AZ)."""
        props = self.problem.servers[server].get('properties') or {}
        flavor = props['flavor']
        zone = props.get('availability_zone')
        key = (str(flavor), zone)
        if key not in self.static:
            spec = checker._resolve_flavor(self.problem.topology, flavor)
            mask = self.enabled.copy()
            for i, name in enumerate(self.names):
                if zone and zone.split(':')[0] != self.problem.zone_of(name):
                    mask[i] = False
                elif mask[i] and not checker.host_passes_extra_specs(
                        self.problem, name, spec.get('extra_specs')):
                    mask[i] = False
            self.static[key] = mask
        return self.static[key]

    def demand(self, server):
        """Return the demand vector of a server."""
        need = self.problem.demand(server)
        return numpy.array([need[r] for r in checker.RESOURCES])

    def candidates(self, server):
        """Return a boolean mask of the hosts that may take ``server`` now."""
        mask = self._static_mask(server) & numpy.all(
            self.free + checker.EPSILON >= self.demand(server), axis=1)
        for group, unit in self.member_of.get(server, ()):
            mask &= self._group_mask(server, group, unit)
        for group in self.rules:
            if group.type == 'exclusivity' and server not in set(
                    self.problem.leaves(group)):
                held = self._domains(group, self.problem.leaves(group))
                if held:
                    mask &= ~numpy.isin(self.dom[group.level], list(held))
        return mask

    def _domains(self, group, servers, existing=True):
        dom = self.dom[group.level]
        found = set(int(dom[self.placed[s]]) for s in servers
                    if s in self.placed)
        if existing:
            found.update(int(dom[self.index[e['host']]])
                         for e in group.existing
                         if e.get('host') in self.index)
        return found

    def _group_mask(self, server, group, unit):
        dom = self.dom[group.level]
        if group.type == 'affinity':
            where = self._domains(group, self.problem.leaves(group))
            if where:
                return dom == where.pop() if len(where) == 1 else dom < 0
            return numpy.ones(len(dom), dtype=bool)
        if group.type == 'diversity':
            others = set()
            for other, leaves in self._units(group):
                if other != unit:
                    others |= self._domains(group, leaves, existing=False)
            others |= self._domains(group, [], existing=True)
            return ~numpy.isin(dom, list(others))
        # exclusivity: nothing else may sit in the host or rack
        members = set(self.problem.leaves(group))
        intruded = set(int(dom[h]) for s, h in self.placed.items()
                       if s not in members)
        return self._only_mine(group) & ~numpy.isin(dom, list(intruded))

    def _only_mine(self, group):
        """Hosts whose host/rack holds nothing but this group's members."""
        if group.name not in self.clean:
            dom = self.dom[group.level]
            ids = set(e.get('id') for e in group.existing)
            bad = set()
            for i, name in enumerate(self.names):
                used = self.problem.hosts[name].get('used') or {}
                if any(float(v) > 0 for v in used.values()) or any(
                        s.get('id') not in ids
                        for s in self.problem.by_host.get(name, ())):
                    bad.add(int(dom[i]))
            self.clean[group.name] = ~numpy.isin(dom, list(bad))
        return self.clean[group.name]

    def block_need(self, server):
        """Demand of ``server`` plus its unplaced host-affinity partners."""
        need = self.demand(server)
        for group, _unit in self.member_of.get(server, ()):
            if group.type == 'affinity' and group.level == 'host':
                leaves = self.problem.leaves(group)
                if not any(s in self.placed for s in leaves):
                    need = sum((self.demand(s) for s in leaves),
                               numpy.zeros(3))
        return need

    def place(self, server, host):
        """Record ``server`` on host index ``host``."""
        self.placed[server] = host
        self.free[host] -= self.demand(server)
        self.stack_count[host] += 1

    def unplace(self, server):
        """Undo :meth:`place`."""
        host = self.placed.pop(server)
        self.free[host] += self.demand(server)
        self.stack_count[host] -= 1

    def opens(self):
        """Mask of the hosts a new server would open (empty until now)."""
        return ~self.busy & (self.stack_count == 0)

    def placements(self):
        """Return the placements in the engine's output format."""
        return dict((s, {'host': self.names[h], 'rack': self.racks[h]})
                    for s, h in self.placed.items())
