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

"""The stack to place: servers, groups (possibly nested) and links.

A :class:`Stack` is built by :mod:`valet.optimizer.model.heat` from Heat
resources and checked here against the modelling rules of the engine: group
types and levels, nesting, membership and cycles. Every error names the
resource and the rule it breaks.
"""

import math

from valet.optimizer import exception
from valet.optimizer.model import datacenter as dc_model

LEVEL_RANK = {'host': 0, 'rack': 1}
#: Group types that restrict what else may share a location.
SEPARATING = ('diversity', 'exclusivity')


class Server(object):
    """A server of the stack; ``key`` is its orchestration id (or name)."""

    __slots__ = ('name', 'key', 'flavor', 'availability_zone')

    def __init__(self, name, key, flavor, availability_zone=None):
        self.name = name
        self.key = key
        self.flavor = flavor
        self.availability_zone = availability_zone


class Group(object):
    """An affinity, diversity or exclusivity group.

    ``members`` are names of servers or groups of the stack. ``named`` is
    the cross-stack identity (the API group name, or an exclusivity
    GroupAssignment's ``group_name``) used to find where the group already
    runs; None for a group local to the stack.
    """

    __slots__ = ('name', 'key', 'type', 'level', 'members', 'named')

    def __init__(self, name, key, group_type, level, members, named=None):
        self.name = name
        self.key = key
        self.type = group_type
        self.level = level
        self.members = list(members)
        self.named = named


class Preference(object):
    """A soft rule of a Nova server group: a wish, never a constraint.

    ``policy`` is ``soft-affinity`` (members on one host when it costs
    nothing else) or ``soft-anti-affinity`` (members on different hosts
    when it costs nothing else); ``members`` are server names.
    """

    __slots__ = ('name', 'policy', 'members')

    def __init__(self, name, policy, members):
        self.name = name
        self.policy = policy
        self.members = list(members)


class Link(object):
    """Traffic of ``bandwidth`` Mbps between two servers or groups.

    An end is the name of a server or group, or a tuple of server names
    (the servers of a Heat resource group).
    """

    __slots__ = ('name', 'ends', 'bandwidth')

    def __init__(self, name, ends, bandwidth):
        self.name = name
        self.ends = tuple(ends)
        self.bandwidth = bandwidth


class Stack(object):
    """Servers, groups and links keyed by name, in the template's order."""

    def __init__(self, servers=(), groups=(), links=(), preferences=()):
        self.servers = {s.name: s for s in servers}
        self.groups = {g.name: g for g in groups}
        self.links = list(links)
        self.preferences = list(preferences)

    def flatten(self, name):
        """Return the names of the servers under server or group ``name``.

        ``name`` may also be a tuple of such names (a link end).
        """
        if isinstance(name, tuple):
            members = name
        elif name in self.servers:
            return [name]
        else:
            members = self.groups[name].members
        found = []
        for member in members:
            for server in self.flatten(member):
                if server not in found:
                    found.append(server)
        return found

    def validate(self):
        """Check the modelling rules; raise InvalidStack on the first."""
        for group in self.groups.values():
            _check_group(self, group)
        _check_cycles(self)
        for group in self.groups.values():
            _check_nesting(self, group)
        _check_exclusivity_overlap(self)
        for group in self.groups.values():
            if group.type == 'diversity':
                _check_diversity_units(self, group)
        for link in self.links:
            _check_link(self, link)
        for preference in self.preferences:
            for member in preference.members:
                if member not in self.servers:
                    raise exception.InvalidStack(
                        preference.name, 'unknown member %r' % (member,))
        return self


def _check_group(stack, group):
    if group.type not in dc_model.GROUP_TYPES:
        raise exception.InvalidStack(
            group.name, 'group_type %r is not one of %s' % (
                group.type, ', '.join(dc_model.GROUP_TYPES)))
    if group.level not in dc_model.LEVELS:
        raise exception.InvalidStack(
            group.name, 'level %r is not one of %s' % (
                group.level, ', '.join(dc_model.LEVELS)))
    if not group.members:
        raise exception.InvalidStack(
            group.name, 'resources must name at least one server or group')
    for member in group.members:
        if member not in stack.servers and member not in stack.groups:
            raise exception.InvalidStack(
                group.name, 'unknown member %r (not a server or group '
                'assignment of this stack)' % (member,))


def _check_cycles(stack):
    state = {}

    def visit(name, path):
        state[name] = 'open'
        for member in stack.groups[name].members:
            if member not in stack.groups:
                continue
            if state.get(member) == 'open':
                cycle = path[path.index(member):] + [member]
                raise exception.InvalidStack(
                    name, 'groups nest in a cycle: %s (assignments '
                    'sharing a group_name are one group)' % ' -> '.join(
                        cycle))
            if member not in state:
                visit(member, path + [member])
        state[name] = 'done'

    for name in stack.groups:
        if name not in state:
            visit(name, [name])


def _check_nesting(stack, parent):
    for member in parent.members:
        child = stack.groups.get(member)
        if child is None:
            continue
        if LEVEL_RANK[child.level] > LEVEL_RANK[parent.level]:
            raise exception.InvalidStack(
                child.name, 'nested group level %s is higher than the level '
                '%s of its parent group %r' % (
                    child.level, parent.level, parent.name))
        if child.type in SEPARATING and parent.type in SEPARATING:
            raise exception.InvalidStack(
                child.name, '%s group %r cannot be nested inside %s group '
                '%r' % (child.type, child.name, parent.type, parent.name))


def _check_exclusivity_overlap(stack):
    seen = {}
    for group in stack.groups.values():
        if group.type != 'exclusivity':
            continue
        identity = group.named or group.name
        for server in stack.flatten(group.name):
            other = seen.setdefault((server, group.level), (identity, group))
            if other[0] != identity:
                raise exception.InvalidStack(
                    server, 'server is in two exclusivity groups of level '
                    '%s: %r and %r' % (group.level, other[1].name,
                                       group.name))


def _check_diversity_units(stack, group):
    # Each member of a diversity group is a unit; a server in two of them
    # would have to be apart from itself.
    unit_of = {}
    for member in group.members:
        for server in stack.flatten(member):
            other = unit_of.setdefault(server, member)
            if other != member:
                raise exception.InvalidStack(
                    group.name, 'server %r is in two members of this '
                    'diversity group (%r and %r), which must never share '
                    'a %s' % (server, other, member, group.level))


def _check_link(stack, link):
    if len(link.ends) != 2:
        raise exception.InvalidStack(
            link.name, 'a pipe needs exactly 2 resources, got %d'
            % len(link.ends))
    for end in link.ends:
        for name in end if isinstance(end, tuple) else (end,):
            if name not in stack.servers and name not in stack.groups:
                raise exception.InvalidStack(
                    link.name, 'unknown pipe end %r (not a server or group '
                    'assignment of this stack)' % (name,))
    bandwidth = link.bandwidth
    # NaN compares false with everything (it passed "<= 0" and gave NaN
    # metrics); an infinite one broke the ordering of linked work.
    if (isinstance(bandwidth, bool) or
            not isinstance(bandwidth, (int, float)) or
            not math.isfinite(bandwidth) or bandwidth <= 0):
        raise exception.InvalidStack(
            link.name, 'bandwidth.min must be a positive, finite number of '
            'Mbps, got %r' % (bandwidth,))
