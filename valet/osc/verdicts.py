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

"""The verdicts a client can give on a plan: what its hosts and racks show.

``openstack placement plan create`` knows the template it sent and, for
each server, the host and rack Valet chose. That is enough to judge the
rules among the stack's own servers:

* affinity: the group's servers share one host (rack);
* diversity: no two of its members share a host (rack);
* exclusivity: no other server of the stack is on the group's hosts
  (racks);
* the soft policies of Nova server groups (a wish; the plan stands);
* which pipes stay within a rack.

What needs the data center is not judged here and is listed as such
(:data:`NOT_JUDGED`): Valet checked it when it placed the plan, and
``valet-manage plan`` or the engine's own verdicts show it.

The stack is read with Valet's own model
(:mod:`valet.optimizer.model.heat`), so groups mean here what they mean
to the engine: nested assignments, ``metadata.valet.groups``, a
``group_name`` shared by several assignments, Nova server groups.
"""

from valet.optimizer import exception
from valet.optimizer.model import heat

HOLDS = 'holds'
BROKEN = 'broken'

#: What only the data center can tell, with the reason.
NOT_JUDGED = (
    'capacity: room on each host',
    'availability zones and disabled hosts',
    'aggregate extra specs of the flavors',
    'named groups: where they already run',
    'exclusivity: other stacks on the group\'s hosts',
)


class _Catalog(object):
    """What the stack model asks of a data center, without one.

    Flavors are kept by name (sizes are the data center's business) and
    the named groups are those of the API, passed as ``groups``.
    """

    named_groups = {}

    @staticmethod
    def flavor(name):
        return name


def _count(number, noun):
    return '%d %s%s' % (number, noun, '' if number == 1 else 's')


def _where(at):
    """``r01 (web1, web2), r02 (web3)``."""
    return ', '.join('%s (%s)' % (loc, ', '.join(servers))
                     for loc, servers in at.items())


def _spread(servers, location):
    """``{location: [servers there]}`` in the servers' order."""
    at = {}
    for server in servers:
        at.setdefault(location[server], []).append(server)
    return at


def _affinity(stack, group, servers, location):
    at = _spread(servers, location)
    if len(at) <= 1:
        return HOLDS, '1 %s (%s)' % (group.level, ', '.join(at)), []
    return BROKEN, 'spans %d %ss: %s' % (len(at), group.level,
                                         _where(at)), list(servers)


def _diversity(stack, group, servers, location):
    unit_of = {}
    for member in group.members:
        for server in stack.flatten(member):
            unit_of.setdefault(server, member)
    at = _spread(servers, location)
    clashes, bad = [], []
    for loc, there in at.items():
        units = list(dict.fromkeys(unit_of[s] for s in there))
        if len(units) > 1:
            clashes.append('%s share %s %s' % (', '.join(units),
                                               group.level, loc))
            bad.extend(there)
    if clashes:
        return BROKEN, '; '.join(clashes), bad
    labels = {loc: list(dict.fromkeys(unit_of[s] for s in there))
              for loc, there in at.items()}
    return HOLDS, '%s: %s' % (_count(len(at), group.level),
                              _where(labels)), []


def _exclusivity(stack, group, servers, location):
    members = set(servers)
    at = _spread(servers, location)
    others = [s for s in stack.servers
              if s not in members and location[s] in at]
    if others:
        return BROKEN, '%s of the group also hold%s %s' % (
            ', '.join(at), 's' if len(at) == 1 else '',
            ', '.join(others)), others + list(servers)
    return HOLDS, '%s (%s), no other server of the stack on %s' % (
        _count(len(at), group.level), ', '.join(at),
        'it' if len(at) == 1 else 'them'), []


RULES = {'affinity': _affinity, 'diversity': _diversity,
         'exclusivity': _exclusivity}


def _entry(rule, level, name, about, verdict, evidence, servers,
           soft=False):
    head = ' '.join(p for p in (rule, level, name) if p)
    text = '%s (%s): %s, %s' % (head, about, verdict, evidence)
    return {'rule': rule, 'level': level, 'name': name, 'verdict': verdict,
            'evidence': evidence, 'servers': sorted(set(servers)),
            'soft': soft, 'text': text}


def _group(stack, group, location, nova_groups, api_groups):
    servers = stack.flatten(group.name)
    about = [_count(len(servers), 'server')]
    if group.name in nova_groups:
        about.insert(0, 'Nova %s' % ('affinity' if group.type == 'affinity'
                                     else 'anti-affinity'))
    if group.named and group.named != group.name:
        about.insert(0, 'group %s' % group.named)
    if group.named and group.named in api_groups:
        about.append('new servers only')
    verdict, evidence, bad = RULES[group.type](
        stack, group, servers, location[group.level])
    return _entry(group.type, group.level, group.name, ', '.join(about),
                  verdict, evidence, bad)


def _preference(preference, hosts):
    at = _spread(preference.members, hosts)
    if preference.policy == 'soft-affinity':
        bad = list(preference.members) if len(at) > 1 else []
    else:
        bad = [s for there in at.values() if len(there) > 1 for s in there]
    evidence = '%s: %s' % (_count(len(at), 'host'), _where(at))
    if bad:
        evidence += ' (a wish, the plan stands)'
    return _entry(preference.policy, 'host', preference.name,
                  'Nova, %s' % _count(len(preference.members), 'server'),
                  BROKEN if bad else HOLDS, evidence, bad, soft=True)


def _link(stack, link, racks):
    ends = [stack.flatten(end) for end in link.ends]
    names = [end if isinstance(end, str) else '+'.join(end)
             for end in link.ends]
    used = sorted({racks[s] for end in ends for s in end})
    crosses = len(used) > 1
    mbps = link.bandwidth
    text = '%s (%s <-> %s%s): %s' % (
        link.name, names[0], names[1],
        ', %g Mbps' % mbps if mbps is not None else '',
        'crosses racks %s' % ', '.join(used) if crosses
        else 'within rack %s' % ', '.join(used))
    return {'name': link.name, 'ends': names, 'mbps': mbps, 'racks': used,
            'crosses': crosses, 'text': text}


def _named_by_name(resources, api_groups):
    """``resources`` with API groups joined by id named by their name."""
    by_id = {g['id']: g['name'] for g in api_groups if g.get('id')}
    found = {}
    for key, res in resources.items():
        props = res.get('properties') or {}
        wanted = ((props.get('metadata') or {}).get('valet') or {}).get(
            'groups') if isinstance(props.get('metadata'), dict) else None
        if isinstance(wanted, list) and any(g in by_id for g in wanted):
            props = dict(props, metadata=dict(
                props['metadata'], valet=dict(
                    props['metadata']['valet'],
                    groups=[by_id.get(g, g) for g in wanted])))
            res = dict(res, properties=props)
        found[key] = res
    return found


def judge(resources, plan, api_groups=()):
    """Judge a plan from its servers' hosts and racks.

    :param resources: the ``resources`` of the ``POST /v1/plans``.
    :param plan: Valet's plan document (``placements`` by orchestration
        id, each with ``name``, ``location`` and ``rack``).
    :param api_groups: the API's groups (``GET /v1/groups``), for the
        type and level of the groups servers join by name or id.
    :returns: ``{"rules", "links", "not_judged"}``: each rule
        ``{"rule", "level", "name", "verdict", "evidence", "servers",
        "soft", "text"}`` (``servers``: those that break it), each link
        ``{"name", "ends", "mbps", "racks", "crosses", "text"}``,
        ``not_judged`` the verdicts that need the data center (with the
        reason the stack could not be judged at all, if so).
    """
    api_groups = list(api_groups)
    known = {g['name']: (g['type'], g['level']) for g in api_groups}
    found = {'rules': [], 'links': [], 'not_judged': list(NOT_JUDGED)}
    try:
        stack = heat.from_resources(_named_by_name(resources, api_groups),
                                    _Catalog(), known)
    except exception.EngineError as exc:
        found['not_judged'] = ['every rule: the template cannot be read '
                               'here (%s)' % exc.message]
        return found
    by_key = {server.key: name for name, server in stack.servers.items()}
    hosts, racks = {}, {}
    for key, where in (plan.get('placements') or {}).items():
        if key in by_key:
            hosts[by_key[key]] = where.get('location')
            racks[by_key[key]] = where.get('rack')
    missing = [name for name in stack.servers if name not in hosts]
    if missing:
        found['not_judged'] = ['every rule: the plan places no server '
                               'named %s' % ', '.join(missing)]
        return found
    location = {'host': hosts, 'rack': racks}
    nova_groups = {res.get('name') for res in resources.values()
                   if res.get('type') == heat.SERVER_GROUP}
    found['rules'] = [
        _group(stack, group, location, nova_groups, known)
        for group in stack.groups.values()]
    found['rules'] += [_preference(p, hosts) for p in stack.preferences]
    found['links'] = [_link(stack, link, racks) for link in stack.links]
    return found
