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

"""The problem a placement answers, read from the external formats.

Part of the independent checker (see :mod:`valet.tests.checker`).
"""

import collections
import math
import re

from valet.tests.checker import groups as groups_mod

SERVER = groups_mod.SERVER
GROUP = groups_mod.GROUP
SERVER_GROUP = groups_mod.SERVER_GROUP
PIPE = 'ATT::Valet::Pipe'
RESOURCES = ('vcpus', 'ram_mb', 'disk_gb')
RATIO_KEYS = {'vcpus': 'cpu_allocation_ratio',
              'ram_mb': 'ram_allocation_ratio',
              'disk_gb': 'disk_allocation_ratio'}
# Used when neither the host, its aggregates nor the topology say otherwise.
DEFAULT_RATIOS = {'vcpus': 16.0, 'ram_mb': 1.5, 'disk_gb': 1.0}
LEVELS = {'host': 0, 'rack': 1}
DEFAULT_ZONE = 'nova'
SCOPE = 'aggregate_instance_extra_specs'
EPSILON = 1e-6
STRICT = ('diversity', 'exclusivity')

Violation = collections.namedtuple('Violation', 'rule servers detail')
Group = groups_mod.Group


def flavor_demand(flavor):
    """Return {resource: amount} of a flavor dict.

    Disk is ``disk_gb`` when given, else Nova's root_gb + ephemeral_gb +
    swap (MB, rounded up to GB).
    """
    disk = flavor.get('disk_gb')
    if disk is None:
        disk = (float(flavor.get('root_gb') or 0) +
                float(flavor.get('ephemeral_gb') or 0) +
                math.ceil(float(flavor.get('swap') or 0) / 1024.0))
    return {'vcpus': float(flavor.get('vcpus', 0)),
            'ram_mb': float(flavor.get('ram_mb', 0)),
            'disk_gb': float(disk)}


def _resolve_flavor(topology, flavor):
    if isinstance(flavor, dict):
        return flavor
    return (topology.get('flavors') or {})[flavor]


class Problem(object):
    """The checker's own reading of the external formats."""

    def __init__(self, topology, existing=None, resources=None,
                 named_groups=None, reserved=None, rack_pattern=None):
        self.topology = topology
        self.hosts = {}
        for host in topology.get('hosts') or []:
            self.hosts[host['name']] = host
        self.rack_pattern = rack_pattern and re.compile(rack_pattern)
        self.reserved = reserved or {}
        self.aggregates = collections.defaultdict(list)
        for agg in (topology.get('aggregates') or {}).values():
            for name in agg.get('hosts') or []:
                self.aggregates[name].append(agg.get('metadata') or {})
        self.existing = [dict(s) for s in
                         (existing or {}).get('servers') or []]
        self.by_host = collections.defaultdict(list)
        for server in self.existing:
            self.by_host[server.get('host')].append(server)
        self.resources = resources or {}
        self.named = groups_mod.known_groups(named_groups, existing)
        self.servers = dict((name, res) for name, res in
                            self.resources.items()
                            if res.get('type') == SERVER)
        self.groups, self.group_of, self.errors = groups_mod.read(
            self.resources, self.named, self.existing)

    def rack_of(self, host):
        """Return the rack of a host (given, else from its name)."""
        rack = self.hosts[host].get('rack')
        for meta in self.aggregates[host]:
            rack = rack or meta.get('rack')
        if rack is None and self.rack_pattern:
            match = self.rack_pattern.search(host)
            rack = match and match.group('rack')
        # A host that no rule places in a rack is a rack of its own.
        return rack or host

    def zone_of(self, host):
        """The host's zone, else its aggregates', else Nova's default."""
        zone = self.hosts[host].get('availability_zone')
        for meta in self.aggregates[host]:
            zone = zone or meta.get('availability_zone')
        return zone or DEFAULT_ZONE

    def domain(self, host, level):
        """Return the host or rack a host belongs to at a level."""
        return host if level == 'host' else self.rack_of(host)

    def group_key(self, resource_name):
        """Return the key of the group a GroupAssignment resource is in."""
        return self.group_of[resource_name]

    def leaves(self, group, _seen=None):
        """Return every new server under a group, nested groups included."""
        seen = set() if _seen is None else _seen
        seen.add(group.name)
        found = list(group.servers)
        for sub in group.subgroups:
            child = self.groups[self.group_key(sub)]
            if child.name not in seen:
                found.extend(s for s in self.leaves(child, seen)
                             if s not in found)
        return found

    def end_servers(self, end):
        """Return the servers at one end of a link.

        An end is a server, a group, or a list of them (a ResourceGroup's
        servers, expanded).
        """
        if isinstance(end, list):
            found = []
            for item in end:
                found.extend(s for s in self.end_servers(item)
                             if s not in found)
            return found
        end = groups_mod.ref(end)
        if end in self.servers:
            return [end]
        return self.leaves(self.groups[self.group_key(end)])

    def demand(self, server):
        """Return the resource demand of a new server."""
        flavor = (self.servers[server].get('properties') or {})['flavor']
        return flavor_demand(_resolve_flavor(self.topology, flavor))

    def ratio(self, host, resource):
        """Host's own ratio, else lowest aggregate metadata, else default."""
        key = RATIO_KEYS[resource]
        if self.hosts[host].get(key) is not None:
            return float(self.hosts[host][key])
        found = [float(meta[key]) for meta in self.aggregates[host]
                 if meta.get(key) is not None]
        if found:
            return min(found)
        defaults = self.topology.get('defaults') or {}
        return float(defaults.get(key, DEFAULT_RATIOS[resource]))

    def free(self, host):
        """Return {resource: usable capacity} before the new stack lands."""
        spec = self.hosts[host]
        used = spec.get('used') or {}
        free = {}
        for res in RESOURCES:
            cap = float(spec.get(res, 0)) * self.ratio(host, res)
            pct = float(self.reserved.get(res, 0) or 0)
            free[res] = cap - cap * pct / 100.0 - float(used.get(res, 0))
        for server in self.by_host.get(host, ()):
            need = flavor_demand(_resolve_flavor(self.topology,
                                                 server['flavor']))
            for res in RESOURCES:
                free[res] -= need[res]
        return free

    def occupied(self, host):
        """True when anything already runs on a host (server or used)."""
        used = self.hosts[host].get('used') or {}
        if any(float(v) > 0 for v in used.values()):
            return True
        return bool(self.by_host.get(host))

    def hosts_in(self, dom, level):
        """Return the hosts of one host or rack."""
        if level == 'host':
            return [dom]
        if not hasattr(self, '_racks'):
            self._racks = collections.defaultdict(list)
            for name in self.hosts:
                self._racks[self.rack_of(name)].append(name)
        return self._racks[dom]

    def links(self):
        """Yield (servers at end a, servers at end b, Mbps) per pipe."""
        for res in self.resources.values():
            if res.get('type') != PIPE:
                continue
            props = res.get('properties') or {}
            ends = props.get('resources') or []
            mbps = float((props.get('bandwidth') or {}).get('min', 0))
            yield (self.end_servers(ends[0]), self.end_servers(ends[1]),
                   mbps)
