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

"""Hypothesis strategies: small data centers and stacks as real ones are.

A data center holds racks of hosts with background load (known servers or
``used``), disabled hosts, an SSD aggregate present in only some racks, a
host and a rack held by named exclusivity groups, and running members of
named affinity and diversity groups at host and rack level, all consistent
with their rules. A stack holds servers (one tier may need the SSD
aggregate), nested groups, groups that join the named ones through
``group_name`` or through ``metadata.valet.groups``, local groups with a
``group_name`` nobody knows, several assignments sharing one
``group_name``, a Nova server group and links whose ends are servers,
groups or lists of servers. Everything is in the external formats of
engine.md, so the engine and the independent checker read the same input.
"""

import collections

from hypothesis import strategies as st

from valet.tests import checker

FLAVORS = {'s': {'vcpus': 1, 'ram_mb': 2048, 'disk_gb': 10},
           'm': {'vcpus': 2, 'ram_mb': 4096, 'disk_gb': 20},
           'l': {'vcpus': 4, 'ram_mb': 8192, 'disk_gb': 40},
           'ssd': {'vcpus': 1, 'ram_mb': 2048, 'disk_gb': 10, 'extra_specs': {
               'aggregate_instance_extra_specs:ssd': 'true'}}}
#: Named groups (name: type, level) the data center knows; they are in the
#: existing file's ``groups`` whether or not a member runs.
NAMED = {'dedicated': ('exclusivity', 'host'),
         'vault': ('exclusivity', 'rack'),
         'pin': ('affinity', 'rack'), 'pair': ('affinity', 'host'),
         'spread': ('diversity', 'rack'), 'apart': ('diversity', 'host')}
KINDS = ('affinity', 'diversity', 'exclusivity')
STRICT = ('diversity', 'exclusivity')
LEVELS = ('host', 'rack')
NOVA_POLICIES = ('affinity', 'anti-affinity', 'soft-affinity',
                 'soft-anti-affinity')


def _member(name, host, index):
    kind, level = NAMED[name]
    return {'id': '%s-%d' % (name, index), 'host': host, 'flavor': 's',
            'groups': [{'name': name, 'type': kind, 'level': level}]}


def _hold(draw, racks, existing, hosts):
    """Exclusivity groups already holding a rack and a host.

    What ran there is cleared: an exclusive rack or host holds nothing but
    its group's members. Returns the hosts no other group may use.
    """
    by_name = dict((h['name'], h) for h in hosts)
    held = set()
    if len(racks) > 1 and draw(st.integers(0, 2)) == 0:
        rack = draw(st.sampled_from(sorted(racks)))
        held.update(racks[rack])
        for index in range(draw(st.integers(1, 2))):
            existing.append(_member('vault', draw(st.sampled_from(
                racks[rack])), index))
    if draw(st.booleans()):
        free = [h for h in by_name if h not in held]
        if free:
            host = draw(st.sampled_from(free))
            held.add(host)
            existing.append(_member('dedicated', host, 0))
    for name in held:
        by_name[name].pop('used', None)
    existing[:] = [s for s in existing if s['host'] not in held or s.get(
        'groups')]
    return held


def _running(draw, racks, held):
    """Running members of the named affinity and diversity groups."""
    open_racks = dict((r, [h for h in hs if h not in held])
                      for r, hs in racks.items())
    open_racks = dict((r, hs) for r, hs in open_racks.items() if hs)
    found = []
    if not open_racks:
        return found
    hosts = sorted(h for hs in open_racks.values() for h in hs)
    if draw(st.booleans()):
        rack = draw(st.sampled_from(sorted(open_racks)))
        for i in range(draw(st.integers(1, 2))):
            found.append(_member('pin', draw(st.sampled_from(
                open_racks[rack])), i))
    if draw(st.booleans()):
        host = draw(st.sampled_from(hosts))
        found += [_member('pair', host, i)
                  for i in range(draw(st.integers(1, 2)))]
    if draw(st.booleans()):
        chosen = draw(st.lists(st.sampled_from(sorted(open_racks)),
                               min_size=1, max_size=2, unique=True))
        found += [_member('spread', draw(st.sampled_from(open_racks[r])), i)
                  for i, r in enumerate(chosen)]
    if draw(st.booleans()):
        chosen = draw(st.lists(st.sampled_from(hosts), min_size=1,
                               max_size=2, unique=True))
        found += [_member('apart', h, i) for i, h in enumerate(chosen)]
    return found


def _host(draw, rack, index, existing):
    name = 'r%d-h%d' % (rack, index)
    host = {'name': name, 'rack': 'r%d' % rack, 'vcpus': 8,
            'ram_mb': draw(st.sampled_from((8192, 16384, 32768))),
            'disk_gb': 200, 'availability_zone': 'nova'}
    if draw(st.integers(0, 7)) == 0:
        host['enabled'] = False
    load = draw(st.sampled_from((0, 0, 2048, 4096, 6144)))
    if load and draw(st.booleans()):
        existing.append({'id': 'k-%s' % name, 'host': name,
                         'flavor': 'm' if load == 4096 else 's'})
    elif load:
        host['used'] = {'vcpus': 1, 'ram_mb': load, 'disk_gb': 10}
    return host


@st.composite
def datacenters(draw):
    """A topology dict and an existing-servers dict."""
    n_racks = draw(st.integers(1, 4))
    per_rack = draw(st.integers(1, 4))
    hosts, existing = [], []
    racks = collections.OrderedDict()
    for r in range(n_racks):
        for h in range(per_rack):
            hosts.append(_host(draw, r, h, existing))
            racks.setdefault('r%d' % r, []).append(hosts[-1]['name'])
    held = _hold(draw, racks, existing, hosts)
    existing += _running(draw, racks, held)
    # The SSD tier exists in some racks only, on some of their hosts.
    ssd_racks = draw(st.lists(st.sampled_from(sorted(racks)), min_size=1,
                              max_size=n_racks, unique=True))
    ssd_hosts = draw(st.integers(1, per_rack))
    ssd = [h for r in sorted(ssd_racks) for h in racks[r][:ssd_hosts]]
    topology = {'name': 'dc', 'flavors': FLAVORS,
                'defaults': {'cpu_allocation_ratio': 2.0,
                             'ram_allocation_ratio': 1.0,
                             'disk_allocation_ratio': 1.0},
                'aggregates': {'fast': {'hosts': ssd,
                                        'metadata': {'ssd': 'true'}}},
                'hosts': hosts}
    groups = [{'name': n, 'type': k, 'level': v}
              for n, (k, v) in sorted(NAMED.items())]
    return topology, {'servers': existing, 'groups': groups}


def _servers(draw, res):
    names = ['s%d' % i for i in range(draw(st.integers(1, 7)))]
    for name in names:
        props = {'flavor': draw(st.sampled_from(('s', 's', 'm', 'l',
                                                 'ssd')))}
        if draw(st.integers(0, 4)) == 0:
            props['metadata'] = {'valet': {'groups': [
                draw(st.sampled_from(sorted(NAMED)))]}}
        res[name] = {'type': checker.SERVER, 'properties': props}
    return names


def _fits(kind, level, info):
    """True when a group (kind, level) over members ``info`` is valid.

    ``info`` is ``(level, type, exclusivity levels below)`` per member
    (None for a server's level and type).
    """
    for sub_level, sub_type, excl in info:
        if sub_level and LEVELS.index(sub_level) > LEVELS.index(level):
            return False
        if kind in STRICT and sub_type in STRICT:
            return False
        if kind == 'exclusivity' and level in excl:
            return False
    return True


def _group_props(draw, index, mode, named, info):
    """Type, level and maybe a group_name for assignment ``g<index>``.

    ``mode`` says how the assignment is named: ``plain`` (no group_name),
    ``local`` (a name nobody knows), ``known`` (a named group of the data
    center) or ``("shared", name)`` (the group_name of an earlier
    assignment). ``named`` maps the group_names used so far to (type,
    level); ``info`` describes the members (see :func:`_fits`). Mostly
    valid nesting; one assignment in twelve ignores the rules (bad input
    the engine refuses).
    """
    lawless = draw(st.integers(0, 11)) == 0
    inside = set().union(*[i[3] for i in info])
    rules = [i[:3] for i in info]

    def ok(kind, level):
        return lawless or _fits(kind, level, rules)

    if mode == 'known':
        choices = sorted(n for n in NAMED if n not in inside
                         and ok(*(named.get(n) or NAMED[n])))
        mode = ('known', draw(st.sampled_from(choices))) if choices else (
            'local')
    if isinstance(mode, tuple):
        kind, level = named.get(mode[1]) or NAMED[mode[1]]
        if mode[0] == 'known' and lawless:
            # A stack that gets the known group wrong: bad input.
            level = LEVELS[1 - LEVELS.index(level)]
        return {'group_type': kind, 'level': level, 'group_name': mode[1]}
    # Exclusivity empties whole racks or hosts: drawn less often, or
    # most small data centers could not place the stack at all.
    pairs = [(k, v) for k in KINDS + KINDS[:2] for v in LEVELS if ok(k, v)]
    kind, level = draw(st.sampled_from(pairs))
    props = {'group_type': kind, 'level': level}
    if mode == 'local':
        props['group_name'] = 'local-%d' % index
    return props


def _members(draw, free, named, info):
    """The mode of the next assignment and its members."""
    mode = draw(st.sampled_from(('plain', 'plain', 'known', 'known',
                                 'local', 'shared', 'shared')))
    pool = free
    if mode == 'shared':
        mode = 'known'
        if named:
            name = draw(st.sampled_from(sorted(named)))
            # Not the group itself nor anything holding it.
            shared = [f for f in free if name not in info[f][3]]
            if shared:
                mode, pool = ('shared', name), shared
    return mode, draw(st.lists(st.sampled_from(pool), min_size=1,
                               max_size=4, unique=True))


def _server_info(res, name):
    """(level, type, exclusivity levels, group names) of a server."""
    meta = res[name]['properties'].get('metadata') or {}
    joined = meta.get('valet', {}).get('groups', [])
    excl = set(NAMED[g][1] for g in joined if NAMED[g][0] == 'exclusivity')
    return (None, None, excl, set())


def _groups(draw, res, names):
    """A forest of assignments; later ones may hold earlier ones whole."""
    free, named = list(names), {}
    info = dict((n, _server_info(res, n)) for n in names)
    for g in range(draw(st.integers(0, 4))):
        if not free:
            break
        mode, members = _members(draw, free, named, info)
        props = _group_props(draw, g, mode, named,
                             [info[m] for m in members])
        props['resources'] = members
        kind, level = props['group_type'], props['level']
        gname = props.get('group_name')
        if gname:
            named.setdefault(gname, (kind, level))
        excl = set().union(*[info[m][2] for m in members])
        if kind == 'exclusivity':
            excl.add(level)
        inside = set().union(*[info[m][3] for m in members])
        info['g%d' % g] = (level, kind, excl, inside | set(filter(
            None, [gname])))
        res['g%d' % g] = {'type': checker.GROUP, 'properties': props}
        free = ['g%d' % g] + [f for f in free if f not in members]


def _nova_group(draw, res, names):
    if draw(st.integers(0, 4)):
        return
    res['sg'] = {'type': checker.SERVER_GROUP, 'properties': {
        'policies': [draw(st.sampled_from(NOVA_POLICIES))]}}
    for name in draw(st.lists(st.sampled_from(names), min_size=1,
                              unique=True)):
        res[name]['properties']['scheduler_hints'] = {
            'group': {'get_resource': 'sg'}}


def _end(draw, names, groups):
    kind = draw(st.integers(0, 5))
    if kind == 0 and groups:
        return draw(st.sampled_from(groups))
    if kind == 1 and len(names) > 1:
        return draw(st.lists(st.sampled_from(names), min_size=2,
                             max_size=2, unique=True))
    return draw(st.sampled_from(names))


def _links(draw, res, names):
    groups = sorted(n for n, r in res.items()
                    if r['type'] == checker.GROUP)
    for i in range(draw(st.integers(0, 3))):
        a, b = _end(draw, names, groups), _end(draw, names, groups)
        if a != b:
            res['p%d' % i] = {'type': checker.PIPE, 'properties': {
                'resources': [a, b], 'bandwidth': {'min': 100}}}


@st.composite
def stacks(draw):
    """Heat resources: servers, a forest of groups, links."""
    res = {}
    names = _servers(draw, res)
    _groups(draw, res, names)
    _nova_group(draw, res, names)
    _links(draw, res, names)
    return res


def features(datacenter, resources):
    """The kinds of real input an example holds (for coverage tests)."""
    topology, existing = datacenter
    found = set()
    racks = set(h['rack'] for h in topology['hosts'])
    ssd = set(topology['aggregates']['fast']['hosts'])
    if len(racks) > 1 and len(racks) > len(set(
            h['rack'] for h in topology['hosts'] if h['name'] in ssd)):
        found.add('ssd in some racks only')
    if any(not h.get('enabled', True) for h in topology['hosts']):
        found.add('disabled host')
    for server in existing['servers']:
        for grp in server.get('groups') or []:
            found.add('running %s %s' % (grp['type'], grp['level']))
    for res in resources.values():
        props = res['properties']
        if res['type'] == checker.SERVER and props.get('metadata'):
            found.add('join by metadata')
        if res['type'] == checker.SERVER_GROUP:
            found.add('nova server group')
        if res['type'] == checker.PIPE and any(
                isinstance(e, list) or e.startswith('g')
                for e in props['resources']):
            found.add('pipe to a group or list')
        if res['type'] != checker.GROUP:
            continue
        gname = props.get('group_name')
        if gname in NAMED:
            found.add('join by group_name')
        elif gname:
            found.add('local group_name')
        if any(m.startswith('g') for m in props['resources']):
            found.add('nested group')
    names = [r['properties'].get('group_name') for r in resources.values()
             if r['type'] == checker.GROUP]
    if len(set(filter(None, names))) < len(list(filter(None, names))):
        found.add('shared group_name')
    return found
