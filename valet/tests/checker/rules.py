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

"""Each hard rule of engine.md, the objective metrics, template checks.

Part of the independent checker (see :mod:`valet.tests.checker`).
"""

import collections
import operator

from valet.tests.checker.problem import _resolve_flavor
from valet.tests.checker.problem import EPSILON
from valet.tests.checker.problem import LEVELS
from valet.tests.checker.problem import Problem
from valet.tests.checker.problem import RESOURCES
from valet.tests.checker.problem import SCOPE
from valet.tests.checker.problem import STRICT
from valet.tests.checker.problem import Violation

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


def _shared_units(problem, group):
    """A server in two units of one diversity group can never hold it."""
    units = collections.defaultdict(list)
    for server in group.servers:
        units[server].append(server)
    for sub in group.subgroups:
        for server in problem.leaves(problem.groups[problem.group_key(sub)]):
            units[server].append(sub)
    return ['server %s is in units %s of diversity group %s' % (
        server, sorted(found), group.name)
        for server, found in sorted(units.items()) if len(found) > 1]


def contradictions(resources, existing=None, named_groups=None):
    """Return the rules of a template that no placement can ever hold.

    engine.md does not say whether such a template is bad input or has no
    placement; either answer is right, a placement is not. Today: a server
    in two units of one diversity group (directly and through a nested
    group, say), which would have to be on another host or rack than
    itself.
    """
    problem = Problem({}, existing, resources, named_groups)
    out = []
    for name in sorted(problem.groups):
        group = problem.groups[name]
        if group.type == 'diversity':
            out.extend(_shared_units(problem, group))
    return out


def _cycles(problem):
    """Groups that contain themselves (through shared group names too)."""
    out = []
    for name in sorted(problem.groups):
        todo = [problem.group_key(sub)
                for sub in problem.groups[name].subgroups]
        seen = set()
        while todo:
            key = todo.pop()
            if key == name:
                out.append('group %s: contains itself' % name)
                break
            if key in seen:
                continue
            seen.add(key)
            todo.extend(problem.group_key(sub)
                        for sub in problem.groups[key].subgroups)
    return out


def validate(resources, existing=None, named_groups=None):
    """Return the bad-input errors of a template's group rules.

    Besides malformed nesting: an assignment whose ``group_name`` names a
    known group with another type or level, assignments sharing a local
    ``group_name`` that disagree and ``metadata.valet.groups`` naming a
    group Valet does not know.
    """
    problem = Problem({}, existing, resources, named_groups)
    out = list(problem.errors)
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
    out.extend(_cycles(problem))
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
