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

"""One placement request, flattened into arrays for the optimizers.

A :class:`Problem` joins a data center snapshot and a stack: servers get
indexes and demand vectors, groups become arrays of member indexes (with the
hosts and racks their named group already holds), links become pairs of
member arrays, and each server may carry a mask of the hosts it may use
(``locations`` of a replan, excluded hosts of a migration). Servers in
``fixed`` are already placed and stay where they are.
"""

import itertools

import numpy as np

from valet.optimizer import exception


class GroupInfo(object):
    """A stack group over server indexes.

    ``units`` (diversity) maps each member server to the index of the
    direct member (server or nested group) it belongs to. ``held`` is the
    sorted array of host or rack indexes (per ``level``) that the named
    group already occupies; ``foreign`` (exclusivity) marks the hosts or
    racks holding something that is not a member.
    """

    __slots__ = ('index', 'name', 'type', 'level', 'servers', 'unit_of',
                 'n_units', 'held', 'foreign', 'named')

    def __init__(self, index, group, servers, unit_of, n_units):
        self.index = index
        self.name = group.name
        self.type = group.type
        self.level = group.level
        self.named = group.named
        self.servers = np.asarray(servers, dtype=np.int32)
        self.unit_of = unit_of
        self.n_units = n_units
        self.held = np.zeros(0, dtype=np.int32)
        self.foreign = None


class LinkInfo(object):
    """A link: the server indexes at each end and its bandwidth.

    ``members`` holds the sorted server indexes of both ends as Python
    ints (cheaper to loop over than ``servers``, the same as an array).
    """

    __slots__ = ('name', 'ends', 'members', 'bandwidth')

    def __init__(self, name, ends, bandwidth):
        self.name = name
        self.ends = tuple(tuple(e) for e in ends)
        # Ends are short lists: a Python set beats np.union1d's sorting.
        self.members = tuple(sorted(set(ends[0]).union(ends[1])))
        self.bandwidth = float(bandwidth)

    @property
    def servers(self):
        """The sorted server indexes of both ends, as an int32 array."""
        return np.asarray(self.members, dtype=np.int32)


class Problem(object):
    """Everything an optimizer needs to place one stack.

    :param datacenter: the data center
        (:class:`~valet.optimizer.model.datacenter.Datacenter`).
    :param stack: the validated :class:`~valet.optimizer.model.stack.Stack`.
    :param fixed: ``{server name: host name}`` of servers that keep their
        host.
    :param fixed_claimed: True when the capacity of the fixed servers is
        already counted in the data center (as ``used``); otherwise they
        consume it here.
    :param released: ``[(host name, demand vector)]`` capacity given back
        (servers that move or go away and were counted in the data center).
    :param host_masks: ``{server name: bool array}`` of hosts a server may
        use, on top of the hosts that are enabled.
    :param seed: tie-breaking seed.
    """

    def __init__(self, datacenter, stack, fixed=None, fixed_claimed=False,
                 released=(), host_masks=None, seed=0):
        dc = self.datacenter = datacenter
        self.stack = stack
        self.seed = seed
        self.servers = list(stack.servers.values())
        self.index = {s.name: i for i, s in enumerate(self.servers)}
        self.demand = np.array([s.flavor.demand for s in self.servers]
                               ).reshape(-1, 3)
        self.fixed = {}
        for name, host in (fixed or {}).items():
            if name not in self.index:
                raise exception.InvalidRequest(
                    'fixed server %r is not in the stack' % name)
            if host not in dc.host_index:
                raise exception.InvalidRequest(
                    'fixed server %r is on unknown host %r' % (name, host))
            self.fixed[self.index[name]] = dc.host_index[host]
        free = np.array(dc.free)
        for host, demand in released:
            if host in dc.host_index:
                free[dc.host_index[host]] += demand
        if fixed_claimed:
            for s, h in self.fixed.items():
                free[h] += self.demand[s]
        self.free = free
        self.host_masks = {}
        for name, mask in (host_masks or {}).items():
            if name in self.index:
                self.host_masks[self.index[name]] = np.asarray(mask, bool)
        self.cache = {}
        self._build_groups()
        self._build_links()
        self._build_preferences()

    @property
    def n_servers(self):
        """Number of servers of the stack (fixed ones included)."""
        return len(self.servers)

    def level_ids(self, level):
        """Per host, the index of its host (identity) or of its rack."""
        dc = self.datacenter
        if level == 'host':
            return self.cache.setdefault(
                'host_ids', np.arange(dc.n_hosts, dtype=np.int32))
        return dc.host_rack

    def level_size(self, level):
        """Number of hosts or of racks."""
        dc = self.datacenter
        return dc.n_hosts if level == 'host' else dc.n_racks

    def names(self, servers):
        """Server names of an iterable of server indexes."""
        return [self.servers[s].name for s in servers]

    def _build_groups(self):
        stack, dc = self.stack, self.datacenter
        self.groups = []
        self.server_groups = [[] for _ in self.servers]
        for group in stack.groups.values():
            members = [self.index[n] for n in stack.flatten(group.name)]
            unit_of = {}
            for u, member in enumerate(group.members):
                for name in stack.flatten(member):
                    unit_of.setdefault(self.index[name], u)
            info = GroupInfo(len(self.groups), group, members, unit_of,
                             len(group.members))
            self._attach_named(info, dc)
            self.groups.append(info)
            for s in members:
                self.server_groups[s].append(info.index)
        self._foreign_exclusive()

    def _attach_named(self, info, dc):
        named = dc.named_groups.get(info.named) if info.named else None
        if named is not None:
            if (named.type, named.level) != (info.type, info.level):
                raise exception.InvalidStack(
                    info.name, 'group %r is %s at %s level in the data '
                    'center, not %s at %s level' % (
                        info.named, named.type, named.level, info.type,
                        info.level))
            info.held = named.occupied(info.level)
        if info.type == 'exclusivity':
            own = np.zeros(dc.n_hosts, dtype=np.int32)
            if named is not None and len(named.servers):
                own = np.bincount(dc.server_host[named.servers],
                                  minlength=dc.n_hosts)
            foreign = ((dc.server_count - own) > 0) | (dc.used > 0).any(1)
            if info.level == 'rack':
                foreign = np.bincount(dc.host_rack, weights=foreign,
                                      minlength=dc.n_racks) > 0
            info.foreign = foreign

    def _foreign_exclusive(self):
        """Hosts that exclusivity groups outside the stack already hold."""
        dc = self.datacenter
        mine = {g.named for g in self.groups if g.type == 'exclusivity'}
        blocked = np.zeros(dc.n_hosts, dtype=bool)
        for name, group in dc.named_groups.items():
            if group.type != 'exclusivity' or name in mine:
                continue
            if group.level == 'host':
                blocked[group.hosts] = True
            else:
                blocked |= np.isin(dc.host_rack, group.racks)
        self.exclusive_elsewhere = blocked

    def _build_preferences(self):
        """Soft rules of Nova server groups, as server index arrays.

        ``preferences`` is ``[(policy, servers)]``; ``server_preferences``
        lists, per server, the indexes of its preferences.
        """
        self.preferences = []
        self.server_preferences = [[] for _ in self.servers]
        for pref in self.stack.preferences:
            members = np.asarray([self.index[n] for n in pref.members],
                                 dtype=np.int32)
            for s in members:
                self.server_preferences[s].append(len(self.preferences))
            self.preferences.append((pref.policy, members))

    def _build_links(self):
        stack = self.stack
        self.links = []
        self.server_links = [[] for _ in self.servers]
        for link in stack.links:
            ends = [[self.index[n] for n in stack.flatten(e)]
                    for e in link.ends]
            info = LinkInfo(link.name, ends, link.bandwidth)
            self.links.append(info)
            for s in info.members:
                self.server_links[s].append(len(self.links) - 1)
        apart = [g for g in self.groups
                 if g.type == 'diversity' and g.level == 'rack']
        self.forced_split = np.array([self._forced(link, apart)
                                      for link in self.links], dtype=bool)
        # Every link's servers end to end, for one-pass measures.
        sizes = [len(link.members) for link in self.links]
        self.link_servers = np.fromiter(
            itertools.chain.from_iterable(
                link.members for link in self.links),
            dtype=np.int64, count=sum(sizes))
        self.link_starts = np.concatenate(
            [[0], np.cumsum(sizes)[:-1]]).astype(np.int64) if sizes else \
            np.zeros(0, dtype=np.int64)
        self.link_bandwidth = np.array([link.bandwidth
                                        for link in self.links], dtype=float)

    @staticmethod
    def _forced(link, apart):
        """Whether the rules force the link's servers into several racks.

        True when two of its servers are in different units of one of
        ``apart``, the rack-level diversity groups: no placement keeps it
        in one rack.
        """
        members = link.members
        for group in apart:
            units = {group.unit_of[s] for s in members
                     if s in group.unit_of}
            if len(units) > 1:
                return True
        return False
