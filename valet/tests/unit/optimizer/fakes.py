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

"""Small data centers, stacks and an independent rule checker for tests."""

import numpy as np

from valet.optimizer.model import heat
from valet.topology import static

FLAVORS = {
    'small': {'vcpus': 1, 'ram_mb': 1024, 'disk_gb': 10},
    'medium': {'vcpus': 2, 'ram_mb': 2048, 'disk_gb': 20},
    'big': {'vcpus': 8, 'ram_mb': 8192, 'disk_gb': 80},
    'ssd': {'vcpus': 2, 'ram_mb': 2048, 'disk_gb': 20,
            'extra_specs': {'aggregate_instance_extra_specs:ssd': 'true'}},
}


def topology(racks=2, hosts_per_rack=2, vcpus=8, ram_mb=8192, disk_gb=100,
             **extra):
    """A topology document: racks r0.. of hosts rN-hM, ratio 1."""
    hosts = []
    for r in range(racks):
        for h in range(hosts_per_rack):
            hosts.append({'name': 'r%d-h%d' % (r, h), 'rack': 'r%d' % r,
                          'vcpus': vcpus, 'ram_mb': ram_mb,
                          'disk_gb': disk_gb, 'availability_zone': 'nova'})
    doc = {'name': 'test',
           'defaults': {'cpu_allocation_ratio': 1.0,
                        'ram_allocation_ratio': 1.0,
                        'disk_allocation_ratio': 1.0},
           'flavors': dict(FLAVORS), 'hosts': hosts}
    doc.update(extra)
    return doc


def datacenter(conf, doc=None, existing=None, **kw):
    """Build a data center from a topology doc and an existing doc."""
    return static.datacenter_from_documents(
        conf, doc or topology(**kw), existing or {}, 'test.yaml',
        'existing.yaml')


def server(flavor='small', **props):
    """A HOT server resource."""
    props['flavor'] = flavor
    return {'type': heat.SERVER, 'properties': props}


def group(group_type, level, members, **props):
    """A HOT GroupAssignment resource."""
    props.update(group_type=group_type, level=level, resources=members)
    return {'type': heat.ASSIGNMENT, 'properties': props}


def pipe(a, b, mbps):
    """A HOT pipe resource."""
    return {'type': heat.PIPE,
            'properties': {'resources': [a, b], 'bandwidth': {'min': mbps}}}


def stack(dc, resources):
    """Build a stack from HOT resources (keyed by name)."""
    return heat.from_template({'resources': resources}, dc)


def _location(dc, host, level):
    index = dc.host_index[host]
    return index if level == 'host' else int(dc.host_rack[index])


def _running(dc, group):
    """Hosts or racks where the named group of ``group`` already runs."""
    running = dc.named_groups.get(group.named) if group.named else None
    if running is None:
        return set()
    return {int(x) for x in running.occupied(group.level)}


def violations(dc, stk, placements):
    """Every hard rule the placements break (independent of the search).

    :param placements: ``{server: {"host": h, ...}}`` of a Result.
    """
    found = []
    host_of = {n: p['host'] for n, p in placements.items()}
    if set(host_of) != set(stk.servers):
        found.append('servers placed %s != %s' % (sorted(host_of),
                                                  sorted(stk.servers)))
        return found
    load = np.array(dc.free)
    for name, host in host_of.items():
        index = dc.host_index[host]
        load[index] -= stk.servers[name].flavor.demand
        if not dc.enabled[index]:
            found.append('%s on disabled %s' % (name, host))
    for index in np.flatnonzero((load < -1e-6).any(axis=1)):
        found.append('capacity exceeded on %s' % dc.host_names[index])
    for g in stk.groups.values():
        members = stk.flatten(g.name)
        locs = {_location(dc, host_of[m], g.level) for m in members}
        held = _running(dc, g)
        if g.type == 'affinity' and len(locs | held) > 1:
            found.append('affinity %s split' % g.name)
        if g.type == 'diversity' and locs & held:
            found.append('diversity %s shares %s with running members' % (
                g.name, sorted(locs & held)))
        if g.type == 'diversity':
            seen = {}
            for unit in g.members:
                for loc in {_location(dc, host_of[m], g.level)
                            for m in stk.flatten(unit)}:
                    if loc in seen and seen[loc] != unit:
                        found.append('diversity %s shared' % g.name)
                    seen[loc] = unit
        if g.type == 'exclusivity':
            for name, host in host_of.items():
                if name not in members and _location(
                        dc, host, g.level) in locs:
                    found.append('exclusivity %s shared with %s' % (
                        g.name, name))
    return found
