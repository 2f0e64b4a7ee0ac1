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

"""Why a placement is right: each rule's verdict, the links, the totals.

:func:`explain` checks a placement as a person would by hand, from the
hosts it names and the data center as it was before
(:mod:`valet.optimizer.placement_view`): it reads none of the search's
state or metrics, so a placement the search got wrong is reported
``broken``, naming the servers. Each entry carries a ``text`` line for
people (``valet-manage plan --format table`` prints them) beside its
fields.

The stack's servers must not be counted in the data center already (as
for :func:`valet.optimizer.api.place_stack`): their flavors are added to
the hosts named. Aggregate extra specs are not judged here: Nova's
matching rules live in the search's own constraint, and a verdict reusing
it would prove nothing.
"""

from valet.optimizer.model import datacenter as dc_model
from valet.optimizer import placement_view

HOLDS = 'holds'
BROKEN = 'broken'
#: Below this a resource is not short (sums of float capacities).
EPSILON = 1e-6

names = placement_view.names
count = placement_view.count
clauses = placement_view.clauses


def _affinity(view, group, servers, named):
    level = group.level
    at = view.spread(servers, level)
    held = view.held(named, level)
    locs = sorted(set(at) | set(held))
    if len(locs) <= 1:
        text = '1 %s (%s' % (level, view.name(level, locs[0]))
        if held:
            text += ', with %s' % count(held[locs[0]], 'running member')
        return HOLDS, text + ')', []
    # The servers away from where the group mostly is (where it already
    # runs first) are the ones to move.
    home = max(locs, key=lambda loc: (loc in held, len(at.get(loc, ()))))
    bad = [s for loc in locs if loc != home for s in at.get(loc, ())]
    return (BROKEN, 'spans %d %ss: %s' % (len(locs), level,
                                          view.where(level, at, held)),
            bad or list(servers))


def _together(units):
    """``a and b``, ``a, b and c``; a long list is cut short."""
    if len(units) == 1 or len(units) > placement_view.SHOWN:
        return names(units)
    return '%s and %s' % (', '.join(units[:-1]), units[-1])


def _diversity(view, group, servers, named):
    level = group.level
    unit_of = {}
    for member in group.members:
        for server in view.stack.flatten(member):
            unit_of.setdefault(server, member)
    at = view.spread(servers, level)
    held = view.held(named, level)
    clashes, bad = [], []
    for loc, there in at.items():
        units = list(dict.fromkeys(unit_of[s] for s in there))
        if len(units) > 1:
            clashes.append('%s share %s %s' % (
                _together(units), level, view.name(level, loc)))
            bad.extend(there)
        if held.get(loc):
            clashes.append('%s share%s %s %s with %s' % (
                _together(units), '' if len(units) > 1 else 's', level,
                view.name(level, loc), count(held[loc], 'running member')))
            bad.extend(there)
    if clashes:
        return BROKEN, clauses(clashes), bad
    labels = {loc: [unit_of[s] for s in there] for loc, there in at.items()}
    spots = len(set(at) | set(held))
    return HOLDS, '%s: %s' % (count(spots, level),
                              view.where(level, labels, held)), []


def _intruders(view, group, loc, members, own, placed):
    """What shares exclusivity location ``loc`` with the group."""
    hosts = view.hosts_of(group.level, loc)
    dc = view.dc
    others = [s for s in view.stack_on(hosts) if s not in members]
    found = ['%s of this stack' % names(others)] if others else []
    if placed:
        # Where no new member went, only the stack's own servers intrude:
        # what already runs beside the group there is not this plan's doing.
        running = [dc.server_ids[j] for h in hosts
                   for j in view.running_on(h) if j not in own]
        if running:
            found.append('running %s' % names(running))
        busy = [dc.host_names[h] for h in hosts if (dc.used[h] > 0).any()]
        if busy:
            found.append('used capacity on %s' % names(busy))
    return found, others


def _exclusivity(view, group, servers, named):
    level = group.level
    members = set(servers)
    at = view.spread(servers, level)
    held = view.held(named, level)
    own = set(named.servers.tolist()) if named is not None else set()
    problems, bad = [], []
    for loc in sorted(set(at) | set(held)):
        found, others = _intruders(view, group, loc, members, own, loc in at)
        if found:
            problems.append('%s %s also holds %s' % (
                level, view.name(level, loc), clauses(found)))
            bad.extend(at.get(loc, []) + others)
    if problems:
        return BROKEN, clauses(problems), bad
    taken = [view.name(level, loc) +
             (' already the group\'s' if loc in held else '') for loc in at]
    return HOLDS, '%s (%s), nothing else on %s' % (
        count(len(at), level), names(taken),
        'it' if len(at) == 1 else 'them'), []


RULES = {'affinity': _affinity, 'diversity': _diversity,
         'exclusivity': _exclusivity}


def _verdict(rule, level, name, about, verdict, evidence, servers,
             soft=False, **fields):
    head = ' '.join(p for p in (rule, level, name) if p)
    entry = dict(rule=rule, level=level, name=name, verdict=verdict,
                 evidence=evidence, servers=sorted(set(servers)), soft=soft,
                 text='%s%s: %s, %s' % (
                     head, ' (%s)' % about if about else '', verdict,
                     evidence))
    entry.update(fields)
    return entry


def _group(view, group, nova_groups):
    named = view.dc.named_groups.get(group.named) if group.named else None
    servers = view.stack.flatten(group.name)
    about = []
    if group.name in nova_groups:
        about.append('Nova %s' % ('affinity' if group.type == 'affinity'
                                  else 'anti-affinity'))
    if group.named and group.named != group.name:
        about.append('group %s' % group.named)
    running = len(named.servers) if named is not None else None
    if named is not None:
        about.append('%d new + %d running' % (len(servers), running))
    else:
        about.append(count(len(servers), 'server'))
    parents = view.parents.get(group.name)
    if parents:
        about.append('in %s' % ', '.join(parents))
    verdict, evidence, bad = RULES[group.type](view, group, servers, named)
    return _verdict(group.type, group.level, group.name, ', '.join(about),
                    verdict, evidence, bad, members=len(servers),
                    running=running, named=group.named,
                    nova=group.name in nova_groups,
                    parents=list(parents or ()))


def _preference(view, pref):
    at = view.spread(pref.members, 'host')
    where = view.where('host', at)
    if pref.policy == 'soft-affinity':
        bad = list(pref.members) if len(at) > 1 else []
    else:
        bad = [s for there in at.values() if len(there) > 1 for s in there]
    if bad:
        evidence = '%s: %s (a wish, the plan stands)' % (
            count(len(at), 'host'), where)
    else:
        evidence = '%s: %s' % (count(len(at), 'host'), where)
    return _verdict(pref.policy, 'host', pref.name,
                    'Nova, %s' % count(len(pref.members), 'server'),
                    BROKEN if bad else HOLDS, evidence, bad, soft=True,
                    members=len(pref.members), running=None, named=None,
                    nova=True, parents=[])


def _elsewhere(view):
    """The hosts that other stacks' exclusivity groups hold stay clear."""
    dc, stack = view.dc, view.stack
    mine = {g.named for g in stack.groups.values()
            if g.type == 'exclusivity'}
    blocked = {}
    for name, group in sorted(dc.named_groups.items()):
        if group.type != 'exclusivity' or name in mine or \
                not len(group.servers):
            continue
        for loc in view.held(group, group.level):
            for host in view.hosts_of(group.level, loc):
                blocked.setdefault(host, name)
    if not blocked:
        return []
    groups = sorted(set(blocked.values()))
    bad = sorted(s for h in blocked for s in view.on_host.get(h, ()))
    if bad:
        evidence = clauses('%s on %s (%s)' % (
            s, dc.host_names[view.host[s]], blocked[view.host[s]])
            for s in bad)
    else:
        evidence = 'no server of this stack on %s' % names(
            dc.host_names[h] for h in sorted(blocked))
    return [_verdict('exclusivity', None, 'of running groups',
                     '%s, %s' % (names(groups),
                                 count(len(blocked), 'host')),
                     BROKEN if bad else HOLDS, evidence, bad,
                     members=0, running=None, named=None, nova=False,
                     parents=[])]


def _capacity(view):
    dc, load = view.dc, view.load
    short, bad = [], []
    for host in sorted(load):
        left = dc.free[host] - load[host]
        lacking = ['%s by %g' % (res, -left[k])
                   for k, res in enumerate(dc_model.RESOURCES)
                   if left[k] < -EPSILON]
        if lacking:
            short.append('%s short of %s (%s)' % (
                dc.host_names[host], ', '.join(lacking),
                names(view.on_host[host])))
            bad.extend(view.on_host[host])
    evidence = clauses(short) if short else \
        '%s used, each within its usable capacity' % count(
            len(load), 'host')
    return _verdict('capacity', None, None, None, BROKEN if bad else HOLDS,
                    evidence, bad)


def _hosts_rules(view):
    """Capacity always; enabled hosts and zones when they matter."""
    dc = view.dc
    rules = [_capacity(view)]
    off = [s for s, h in view.host.items() if not dc.enabled[h]]
    if off:
        rules.append(_verdict('enabled hosts', None, None, None, BROKEN,
                              clauses('%s on disabled %s' % (
                                  s, dc.host_names[view.host[s]])
                                  for s in off), off))
    asked, wrong = 0, []
    for name, server in view.stack.servers.items():
        if not server.availability_zone:
            continue
        asked += 1
        zone, _sep, only = server.availability_zone.partition(':')
        host = view.host[name]
        if dc.az_names[dc.host_az[host]] != zone or \
                (only and only != dc.host_names[host]):
            wrong.append(name)
    if asked:
        evidence = clauses('%s on %s in zone %s, asked %s' % (
            s, dc.host_names[view.host[s]],
            dc.az_names[dc.host_az[view.host[s]]],
            view.stack.servers[s].availability_zone) for s in wrong) or \
            '%s asked for a zone, each is in it' % count(asked, 'server')
        rules.append(_verdict('availability zone', None, None, None,
                              BROKEN if wrong else HOLDS, evidence, wrong))
    return rules


def explain(datacenter, stack, placements, nova_groups=()):
    """Verdicts of every rule, the links and the totals of a placement.

    :param datacenter: the data center before the placement
        (:class:`~valet.optimizer.model.datacenter.Datacenter`).
    :param stack: the :class:`~valet.optimizer.model.stack.Stack` placed.
    :param placements: ``{server name: host name}`` or a Result's
        ``{server name: {"host": host name, ...}}``, for every server.
    :param nova_groups: names of the stack's groups that come from an
        ``OS::Nova::ServerGroup`` (shown with their Nova policy).
    :returns: ``{"ok", "rules", "links", "totals"}``: ``ok`` is True when
        every hard rule holds; ``rules`` lists per group, preference and
        host rule ``{"rule", "level", "name", "verdict", "evidence",
        "servers", "soft", "text", ...}`` (``servers`` names those that
        break it); ``links`` ``{"name", "ends", "mbps", "racks",
        "crosses", "text"}``; ``totals`` maps ``cross_rack_mbps``,
        ``hosts_used``, ``empty_hosts_opened`` and ``dominant_fill`` to
        ``{"value", "text", ...}``.
    :raises InvalidRequest: a placement naming an unknown server or host,
        or a server of the stack without a host.
    """
    view = placement_view.PlacementView(datacenter, stack, placements)
    nova_groups = set(nova_groups)
    rules = [_group(view, g, nova_groups) for g in stack.groups.values()]
    rules.extend(_preference(view, p) for p in stack.preferences)
    rules.extend(_elsewhere(view))
    rules.extend(_hosts_rules(view))
    links = [placement_view.link(view, item) for item in stack.links]
    ok = all(r['verdict'] == HOLDS for r in rules if not r['soft'])
    return {'ok': ok, 'rules': rules, 'links': links,
            'totals': placement_view.totals(view, links)}
