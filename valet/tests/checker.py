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

"""An independent checker of placements, written from engine.md alone.

It reads only the external formats (topology dict, existing-servers dict,
Heat template ``resources`` and the ``placements`` output) and shares no code
with ``valet.engine``, so the property tests and the benchmark can judge the
engine without trusting it. :func:`check` lists every broken hard rule,
:func:`measure` computes the objective metrics and :func:`validate` finds the
malformed group rules a template may carry.
"""

import collections
import math
import operator
import re

SERVER = 'OS::Nova::Server'
GROUP = 'ATT::Valet::GroupAssignment'
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
Group = collections.namedtuple(
    'Group', 'name type level servers subgroups existing')


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
        self.named = dict(named_groups or {})
        for grp in (existing or {}).get('groups') or []:
            self.named.setdefault(grp['name'], grp)
        for server in self.existing:
            for grp in server.get('groups') or []:
                self.named.setdefault(grp['name'], grp)
        self.servers = dict((name, res) for name, res in
                            self.resources.items()
                            if res.get('type') == SERVER)
        self.groups = self._read_groups()

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

    def _read_groups(self):
        groups = {}
        for name, res in self.resources.items():
            if res.get('type') != GROUP:
                continue
            props = res.get('properties') or {}
            key = props.get('group_name') or name
            servers, subgroups = [], []
            for member in props.get('resources') or []:
                kind = (self.resources.get(member) or {}).get('type')
                (subgroups if kind == GROUP else servers).append(member)
            groups[key] = Group(key, props.get('group_type'),
                                props.get('level', 'host'), servers,
                                subgroups, [])
        for sname, res in self.servers.items():
            meta = ((res.get('properties') or {}).get('metadata') or {})
            for gname in (meta.get('valet') or {}).get('groups') or []:
                if gname not in groups:
                    spec = self.named.get(gname) or {}
                    groups[gname] = Group(gname, spec.get('type'),
                                          spec.get('level', 'host'),
                                          [], [], [])
                groups[gname].servers.append(sname)
        for server in self.existing:
            for grp in server.get('groups') or []:
                if grp['name'] not in groups and grp.get(
                        'type') == 'exclusivity':
                    # Held elsewhere: this stack must stay out of it.
                    groups[grp['name']] = Group(
                        grp['name'], 'exclusivity', grp.get('level', 'host'),
                        [], [], [])
                if grp['name'] in groups:
                    groups[grp['name']].existing.append(server)
        return groups

    def group_key(self, resource_name):
        """Return the key of the group a GroupAssignment resource defines."""
        props = self.resources[resource_name].get('properties') or {}
        return props.get('group_name') or resource_name

    def leaves(self, group):
        """Return every new server under a group, nested groups included."""
        found = list(group.servers)
        for sub in group.subgroups:
            found.extend(self.leaves(self.groups[self.group_key(sub)]))
        return found

    def end_servers(self, name):
        """Return the servers at one end of a link (a server or a group)."""
        if name in self.servers:
            return [name]
        return self.leaves(self.groups[self.group_key(name)])

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


# Nova's extra_specs_ops: numeric operators compare floats, s-operators
# strings; "=" means "at least".
_NUMERIC = {'=': operator.ge, '==': operator.eq, '!=': operator.ne,
            '>=': operator.ge, '<=': operator.le}
_STRING = {'s==': operator.eq, 's!=': operator.ne, 's<': operator.lt,
           's<=': operator.le, 's>': operator.gt, 's>=': operator.ge}


def _match(value, req):
    """Nova's extra_specs_ops.match: one aggregate value vs a request."""
    value, words = str(value), str(req).split()
    op = words.pop(0) if words else None
    if op == '<or>':
        return value in words[0::2]
    if op not in _NUMERIC and op not in _STRING and op not in (
            '<in>', '<all-in>'):
        return value == str(req)
    if not words:
        return False
    if op == '<in>':
        return words[0] in value
    if op == '<all-in>':
        return all(word in value for word in words)
    if op in _STRING:
        return _STRING[op](value, words[0])
    try:
        return _NUMERIC[op](float(value), float(words[0]))
    except ValueError:
        return False


def host_passes_extra_specs(problem, host, extra_specs):
    """Nova's AggregateInstanceExtraSpecsFilter for one host."""
    values = collections.defaultdict(set)
    for meta in problem.aggregates[host]:
        for key, val in meta.items():
            values[key].add(str(val))
    for key, req in (extra_specs or {}).items():
        scope = key.split(':', 1)
        if len(scope) > 1:
            if scope[0] != SCOPE:
                continue
            scope = scope[1:]
        if not values.get(scope[0]):
            return False
        if not any(_match(val, req) for val in values[scope[0]]):
            return False
    return True


def _check_hosts(problem, placements):
    out = []
    load = collections.defaultdict(lambda: dict.fromkeys(RESOURCES, 0.0))
    for server in sorted(problem.servers):
        host = (placements.get(server) or {}).get('host')
        if host not in problem.hosts:
            out.append(Violation('placement', [server],
                                 'not placed on a known host: %s' % host))
            continue
        props = problem.servers[server].get('properties') or {}
        spec = problem.hosts[host]
        if not spec.get('enabled', True):
            out.append(Violation('enabled', [server],
                                 'host %s is disabled' % host))
        zone = props.get('availability_zone')
        if zone and zone.split(':')[0] != problem.zone_of(host):
            out.append(Violation('availability_zone', [server],
                                 '%s is not in zone %s' % (host, zone)))
        flavor = _resolve_flavor(problem.topology, props['flavor'])
        if not host_passes_extra_specs(problem, host,
                                       flavor.get('extra_specs')):
            out.append(Violation('aggregate_extra_specs', [server],
                                 '%s fails the flavor extra specs' % host))
        for res, amount in problem.demand(server).items():
            load[host][res] += amount
    for host in sorted(load):
        free = problem.free(host)
        on_host = sorted(s for s in problem.servers
                         if (placements.get(s) or {}).get('host') == host)
        short = ['%s: need %g, usable %g' % (res, load[host][res], free[res])
                 for res in RESOURCES if load[host][res] > free[res] + EPSILON]
        if short:
            out.append(Violation('capacity', on_host, '%s: %s' % (
                host, '; '.join(short))))
    return out


def _placed(problem, placements, servers):
    return [(s, placements[s]['host']) for s in servers
            if (placements.get(s) or {}).get('host') in problem.hosts]


def _check_affinity(problem, placements, group):
    where = collections.defaultdict(list)
    for server, host in _placed(problem, placements, problem.leaves(group)):
        where[problem.domain(host, group.level)].append(server)
    for server in group.existing:
        if server.get('host') in problem.hosts:
            where[problem.domain(server['host'], group.level)].append(
                server.get('id'))
    if len(where) > 1:
        return [Violation('affinity', sorted(map(str, sum(
            where.values(), []))), 'group %s spans %d %ss: %s' % (
                group.name, len(where), group.level, sorted(where)))]
    return []


def _check_diversity(problem, placements, group):
    units = [(s, [s]) for s in group.servers]
    units += [(sub, problem.leaves(problem.groups[problem.group_key(sub)]))
              for sub in group.subgroups]
    seen = collections.defaultdict(set)
    for unit, members in units:
        for server, host in _placed(problem, placements, members):
            seen[problem.domain(host, group.level)].add(unit)
    for server in group.existing:
        if server.get('host') in problem.hosts:
            dom = problem.domain(server['host'], group.level)
            seen[dom].add('existing:%s' % server.get('id'))
    out = []
    for dom, present in sorted(seen.items()):
        new = [u for u in present if not u.startswith('existing:')]
        if len(present) > 1 and new:
            out.append(Violation('diversity', sorted(present),
                                 'group %s: units %s share %s %s' % (
                                     group.name, sorted(present),
                                     group.level, dom)))
    return out


def _check_exclusivity(problem, placements, group):
    members = set(problem.leaves(group))
    member_ids = set(s.get('id') for s in group.existing)
    doms = set(problem.domain(h, group.level)
               for _s, h in _placed(problem, placements, members))
    held = set(problem.domain(s['host'], group.level)
               for s in group.existing if s.get('host') in problem.hosts)
    out = []
    for dom in sorted(doms | held):
        hosts = problem.hosts_in(dom, group.level)
        intruders = sorted(
            s for s in problem.servers if s not in members
            and (placements.get(s) or {}).get('host') in hosts)
        if dom not in doms:
            # Only the stack's own intruders count where no new member is.
            if intruders:
                out.append(Violation('exclusivity', intruders,
                                     'group %s holds %s %s' % (
                                         group.name, group.level, dom)))
            continue
        intruders += sorted(
            'existing:%s' % s.get('id') for h in hosts
            for s in problem.by_host.get(h, ())
            if s.get('id') not in member_ids)
        intruders += sorted(
            'used:%s' % h for h in hosts
            if any(float(v) > 0 for v in
                   (problem.hosts[h].get('used') or {}).values()))
        if intruders:
            out.append(Violation('exclusivity', intruders,
                                 'group %s: %s %s also holds %s' % (
                                     group.name, group.level, dom,
                                     intruders)))
    return out


def check(topology, existing, resources, placements, named_groups=None,
          reserved=None, rack_pattern=None):
    """Return the list of hard-rule violations of ``placements``.

    ``placements`` is the engine's output (``{server: {"host": ...}}``);
    ``reserved`` is ``{resource: percent}``; ``named_groups`` gives type and
    level of API groups that no existing server names yet.
    """
    problem = Problem(topology, existing, resources, named_groups,
                      reserved, rack_pattern)
    out = _check_hosts(problem, placements)
    checks = {'affinity': _check_affinity, 'diversity': _check_diversity,
              'exclusivity': _check_exclusivity}
    for name in sorted(problem.groups):
        group = problem.groups[name]
        if group.type in checks:
            out.extend(checks[group.type](problem, placements, group))
    return out


def measure(topology, existing, resources, placements, rack_pattern=None):
    """Return the objective metrics of a (complete) placement."""
    problem = Problem(topology, existing, resources,
                      rack_pattern=rack_pattern)
    hosts = set(p['host'] for s, p in placements.items()
                if s in problem.servers and p.get('host') in problem.hosts)
    cross = 0.0
    for ends_a, ends_b, mbps in problem.links():
        racks = set(problem.rack_of(placements[s]['host'])
                    for s in ends_a + ends_b if s in placements)
        if len(racks) > 1:
            cross += mbps
    return {'cross_rack_mbps': cross, 'hosts_used': len(hosts),
            'empty_hosts_opened': sum(1 for h in hosts
                                      if not problem.occupied(h))}


def validate(resources, existing=None, named_groups=None):
    """Return the structural errors of a template's group rules."""
    problem = Problem({}, existing, resources, named_groups)
    out = []
    for name in sorted(problem.groups):
        group = problem.groups[name]
        if group.type not in ('affinity', 'diversity', 'exclusivity'):
            out.append('group %s: bad type %s' % (name, group.type))
        if group.level not in LEVELS:
            out.append('group %s: bad level %s' % (name, group.level))
            continue
        for sub in group.subgroups:
            child = problem.groups[problem.group_key(sub)]
            if LEVELS.get(child.level, 0) > LEVELS[group.level]:
                out.append('group %s: nested %s has a higher level'
                           % (name, child.name))
            # Direct nesting only: an affinity in between is allowed.
            if group.type in STRICT and child.type in STRICT:
                out.append('group %s: %s %s inside %s %s' % (
                    name, child.type, child.name, group.type, name))
    owners = collections.defaultdict(list)
    for name, group in problem.groups.items():
        if group.type == 'exclusivity':
            for server in problem.leaves(group):
                owners[(server, group.level)].append(name)
    for (server, level), names in sorted(owners.items()):
        if len(names) > 1:
            out.append('server %s in exclusivity groups %s at level %s'
                       % (server, sorted(names), level))
    return out
