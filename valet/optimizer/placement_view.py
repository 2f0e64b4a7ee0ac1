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

"""A placement read back from its host names: where things are, the links
it keeps inside a rack and what its totals are made of.

This is the bookkeeping of :mod:`valet.optimizer.verdicts`, redone from
the placement and the data center as it was before, never taken from the
search (its state, units or metrics), so that it can disagree with them.
"""

from valet.optimizer import exception
from valet.optimizer.model import datacenter as dc_model

#: Names listed in one piece of evidence; a rule over 500 hosts stays one
#: readable line.
SHOWN = 6


def names(items):
    """``a, b, c`` of at most :data:`SHOWN` items, then ``and N more``."""
    items = [str(i) for i in items]
    text = ', '.join(items[:SHOWN])
    if len(items) > SHOWN:
        text += ' and %d more' % (len(items) - SHOWN)
    return text


def clauses(items):
    """``a; b`` of at most :data:`SHOWN` clauses, then ``and N more``."""
    items = list(items)
    text = '; '.join(items[:SHOWN])
    if len(items) > SHOWN:
        text += '; and %d more' % (len(items) - SHOWN)
    return text


def count(n, noun):
    """``1 host``, ``3 hosts``."""
    return '%d %s%s' % (n, noun, '' if n == 1 else 's')


def _mbps(value):
    return int(value) if value == int(value) else value


def _read_placements(datacenter, stack, placements):
    """``{server name: host index}`` of ``{server: host or {"host": h}}``."""
    if not isinstance(placements, dict):
        raise exception.InvalidRequest(
            'placements must map each server name to a host name, got %s'
            % (type(placements).__name__,))
    found = {}
    for name, where in placements.items():
        host = where.get('host') if isinstance(where, dict) else where
        if name not in stack.servers:
            raise exception.InvalidRequest(
                'placements[%r]: not a server of the stack' % (name,))
        if not isinstance(host, str) or host not in datacenter.host_index:
            raise exception.InvalidRequest(
                'placements[%r]: unknown host %r' % (name, host))
        found[name] = datacenter.host_index[host]
    missing = [n for n in stack.servers if n not in found]
    if missing:
        raise exception.InvalidRequest(
            'placements: no host for server(s) %s' % ', '.join(missing))
    return found


class PlacementView(object):
    """A stack's placement on a data center, with the look-ups rules share.

    :ivar host: ``{server name: host index}``.
    :ivar on_host: ``{host index: [server names]}``.
    :ivar load: ``{host index: demand vector of the stack's servers}``.
    :ivar parents: ``{group name: [names of the groups holding it]}``.
    :raises InvalidRequest: see :func:`valet.optimizer.verdicts.explain`.
    """

    def __init__(self, datacenter, stack, placements):
        self.dc = datacenter
        self.stack = stack
        self.host = _read_placements(datacenter, stack, placements)
        self.on_host, self.load = {}, {}
        for server, host in self.host.items():
            self.on_host.setdefault(host, []).append(server)
            demand = stack.servers[server].flavor.demand
            self.load[host] = (self.load[host] + demand
                               if host in self.load else demand)
        self.parents = {}
        for group in stack.groups.values():
            for member in group.members:
                if member in stack.groups:
                    self.parents.setdefault(member, []).append(group.name)
        self._running = None

    def loc(self, server, level):
        """Index of the host or rack (``level``) of a stack server."""
        host = self.host[server]
        return host if level == 'host' else int(self.dc.host_rack[host])

    def name(self, level, loc):
        """Name of host or rack ``loc``."""
        if level == 'host':
            return self.dc.host_names[loc]
        return self.dc.rack_names[loc]

    def spread(self, servers, level):
        """``{host or rack: [servers]}`` in the data center's order."""
        found = {}
        for server in servers:
            found.setdefault(self.loc(server, level), []).append(server)
        return dict(sorted(found.items()))

    def hosts_of(self, level, loc):
        """Host indexes of host or rack ``loc``."""
        if level == 'host':
            return [loc]
        return [int(h) for h in self.dc.rack_hosts[loc]]

    def stack_on(self, hosts):
        """The stack's servers on ``hosts``."""
        return [s for h in hosts for s in self.on_host.get(h, ())]

    def running_on(self, host):
        """Indexes of the servers already running on ``host``."""
        if self._running is None:
            self._running = {}
            for j, h in enumerate(self.dc.server_host.tolist()):
                self._running.setdefault(h, []).append(j)
        return self._running.get(host, [])

    def held(self, named, level):
        """``{host or rack: running members}`` of a named group (or None).
        """
        found = {}
        if named is None:
            return found
        for j in named.servers.tolist():
            loc = int(self.dc.server_host[j])
            if level == 'rack':
                loc = int(self.dc.host_rack[loc])
            found[loc] = found.get(loc, 0) + 1
        return found

    def where(self, level, labels, held=None):
        """``r01 (a1, a2), r02 (1 running)`` for ``{loc: [labels]}``."""
        held = held or {}
        parts = []
        for loc in sorted(set(labels) | set(held)):
            inside = []
            if labels.get(loc):
                inside.append(names(dict.fromkeys(labels[loc])))
            if held.get(loc):
                inside.append('%d running' % held[loc])
            parts.append('%s (%s)' % (self.name(level, loc),
                                      '; '.join(inside)))
        return names(parts)


def _end(end):
    return '[%s]' % ', '.join(end) if isinstance(end, tuple) else end


def link(view, item):
    """A :class:`~valet.optimizer.model.stack.Link`: the racks it spans.

    :returns: ``{"name", "ends", "mbps", "racks", "crosses", "text"}``.
    """
    servers = [s for end in item.ends for s in view.stack.flatten(end)]
    racks = sorted({view.loc(s, 'rack') for s in servers})
    racks = [view.dc.rack_names[r] for r in racks]
    crosses = len(racks) > 1
    where = 'crosses %s' % '/'.join(racks) if crosses else \
        'inside %s' % racks[0]
    mbps = _mbps(item.bandwidth)
    return {'name': item.name, 'ends': [_end(e) for e in item.ends],
            'mbps': mbps, 'racks': racks, 'crosses': crosses,
            'text': '%s: %s -> %s %s Mbps: %s' % (
                item.name, _end(item.ends[0]), _end(item.ends[1]), mbps,
                where)}


def _cross_rack(links):
    crossing = [k for k in links if k['crosses']]
    if crossing:
        text = ' + '.join('%s %s' % (k['name'], k['mbps'])
                          for k in crossing) + ' Mbps'
    elif links:
        text = 'no link crosses racks (%s inside one rack)' % count(
            len(links), 'link')
    else:
        text = 'the stack has no links'
    return {'value': _mbps(sum(k['mbps'] for k in crossing)),
            'links': [k['name'] for k in crossing], 'text': text}


def _opened(view, hosts):
    dc = view.dc
    opened = [h for h in hosts
              if not dc.server_count[h] and not (dc.used[h] > 0).any()]
    busy = []
    for host in hosts:
        why = []
        if dc.server_count[host]:
            why.append(count(int(dc.server_count[host]), 'running server'))
        if (dc.used[host] > 0).any():
            why.append('used capacity')
        if why:
            busy.append('%s (%s)' % (dc.host_names[host], ', '.join(why)))
    parts = ['%s %s empty before' % (
        names(dc.host_names[h] for h in opened),
        'was' if len(opened) == 1 else 'were')
        if opened else 'no empty host opened']
    if busy:
        parts.append('already busy: %s' % names(busy))
    return {'value': len(opened),
            'hosts': [dc.host_names[h] for h in opened],
            'text': '; '.join(parts)}


def _fill(view):
    """Per host used, the share of its dominant resource now taken."""
    dc = view.dc
    per_host = {}
    for host in sorted(view.load):
        capacity = dc.capacity[host]
        taken = capacity - (dc.free[host] - view.load[host])
        shares = [(float(taken[k] / capacity[k]), res)
                  for k, res in enumerate(dc_model.RESOURCES)
                  if capacity[k] > 0]
        share, res = max(shares) if shares else (0.0, None)
        per_host[dc.host_names[host]] = {'fill': round(share, 4),
                                         'resource': res}
    mean = sum(f['fill'] for f in per_host.values()) / max(len(per_host), 1)
    listed = names('%s %d%% %s' % (h, round(f['fill'] * 100), f['resource'])
                   for h, f in per_host.items())
    return {'value': round(mean, 4), 'hosts': per_host,
            'text': 'mean over the hosts used of their fullest resource: '
                    + listed}


def totals(view, links):
    """What ``cross_rack_mbps``, ``hosts_used``, ``empty_hosts_opened``
    and ``dominant_fill`` are made of.

    :param links: the :func:`link` entries of the stack's links.
    :returns: ``{total: {"value", "text", ...}}``.
    """
    hosts = sorted(view.load)
    host_names = [view.dc.host_names[h] for h in hosts]
    return {
        'cross_rack_mbps': _cross_rack(links),
        'hosts_used': {'value': len(hosts), 'hosts': host_names,
                       'text': names(host_names)},
        'empty_hosts_opened': _opened(view, hosts),
        'dominant_fill': _fill(view),
    }
