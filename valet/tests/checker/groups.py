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

"""The group rules a stack states, read as engine.md defines them.

Part of the independent checker (see :mod:`valet.tests.checker`).

* A GroupAssignment whose ``group_name`` names a known group (an API group
  or a group of the existing file) IS that group: its members join the
  group's running members, which bind them.
* A ``group_name`` nobody knows makes a group local to the stack; every
  assignment of the stack with that ``group_name`` adds to the one group.
* An assignment without ``group_name`` is a group of its own, under its
  resource name (an exclusivity group always has a name: the resource's).
* ``metadata.valet.groups`` of a server joins a known group the same way
  (a name Valet does not know there is bad input).
* ``OS::Nova::ServerGroup`` with policy ``affinity`` or ``anti-affinity``
  binds the servers naming it in ``scheduler_hints.group`` at host level;
  the soft policies are preferences and make no rule.
"""

SERVER = 'OS::Nova::Server'
GROUP = 'ATT::Valet::GroupAssignment'
SERVER_GROUP = 'OS::Nova::ServerGroup'
#: Nova's hard server-group policies as Valet rules (host level).
NOVA_POLICIES = {'affinity': 'affinity', 'anti-affinity': 'diversity'}
#: Prefix of a group local to the stack whose resource name is also the
#: name of a known group or of a ``group_name`` (they are other groups).
LOCAL = 'resource:'
NOVA = 'nova:'


class Group(object):
    """One hard group rule over new servers and running members.

    :ivar name: key of the group in :attr:`Problem.groups`.
    :ivar servers: new servers that are direct members.
    :ivar subgroups: resource names of nested GroupAssignments.
    :ivar existing: running members (dicts of the existing file).
    :ivar known: True when the group is known outside the stack.
    """

    __slots__ = ('name', 'type', 'level', 'servers', 'subgroups',
                 'existing', 'known')

    def __init__(self, name, gtype, level, servers, subgroups, existing,
                 known=False):
        self.name = name
        self.type = gtype
        self.level = level
        self.servers = servers
        self.subgroups = subgroups
        self.existing = existing
        self.known = known

    def __repr__(self):
        return 'Group(%r, %r, %r, servers=%r, subgroups=%r)' % (
            self.name, self.type, self.level, self.servers, self.subgroups)


def known_groups(named_groups, existing):
    """Return ``{name: {"type", "level"}}`` of the groups Valet knows.

    ``named_groups`` maps a name to ``{"type", "level"}`` or to a
    ``(type, level)`` pair (API groups); the existing file adds its
    ``groups`` list and the groups its servers belong to.
    """
    known = {}
    for name, spec in (named_groups or {}).items():
        if isinstance(spec, (tuple, list)):
            spec = {'type': spec[0], 'level': spec[1]}
        known[name] = dict(spec)
    for grp in (existing or {}).get('groups') or []:
        known.setdefault(grp['name'], grp)
    for server in (existing or {}).get('servers') or []:
        for grp in server.get('groups') or []:
            known.setdefault(grp['name'], grp)
    return known


def ref(value):
    """A member or pipe end by name or as ``{"get_resource": name}``."""
    if isinstance(value, dict) and 'get_resource' in value:
        return value['get_resource']
    return value


def _wanted(props):
    meta = props.get('metadata') or {}
    wanted = (meta.get('valet') or {}).get('groups') or []
    if isinstance(wanted, str):
        wanted = [g.strip() for g in wanted.split(',') if g.strip()]
    return wanted


class _Reader(object):
    """Reads the groups of one stack; collects its bad-input errors."""

    def __init__(self, resources, known, existing):
        self.resources = resources
        self.known = known
        self.existing = existing
        self.groups = {}
        self.group_of = {}
        self.errors = []

    def _names(self, rtype):
        return sorted(n for n, r in self.resources.items()
                      if r.get('type') == rtype)

    def _key(self, name, props, given):
        gname = props.get('group_name')
        if gname:
            return gname
        if props.get('group_type') == 'exclusivity':
            return name
        if name in self.known or name in given:
            return LOCAL + name
        return name

    def _mismatch(self, name, props, spec):
        gtype, level = props.get('group_type'), props.get('level')
        if gtype != spec.get('type') or (
                level is not None and level != spec.get('level', 'host')):
            self.errors.append(
                'group %s: %s at level %s does not match the known group '
                '%s (%s at level %s)' % (
                    name, gtype, level, props.get('group_name') or name,
                    spec.get('type'), spec.get('level', 'host')))

    def _group_for(self, name, props, key):
        known = key in self.known
        group = self.groups.get(key)
        if known:
            self._mismatch(name, props, self.known[key])
        if group is None:
            if known:
                spec = self.known[key]
                gtype, level = spec.get('type'), spec.get('level', 'host')
            else:
                gtype = props.get('group_type')
                level = props.get('level', 'host')
            group = Group(key, gtype, level, [], [], [], known)
            self.groups[key] = group
        elif not known and (props.get('group_type'),
                            props.get('level', 'host')) != (group.type,
                                                            group.level):
            self.errors.append(
                'group %s: assignments sharing it disagree on type or '
                'level' % key)
        return group

    def assignments(self):
        """Read every GroupAssignment, merging those of one name."""
        names = self._names(GROUP)
        given = set(filter(None, ((self.resources[n].get('properties') or
                                   {}).get('group_name') for n in names)))
        for name in names:
            props = self.resources[name].get('properties') or {}
            key = self._key(name, props, given)
            group = self._group_for(name, props, key)
            self.group_of[name] = key
            for member in props.get('resources') or []:
                member = ref(member)
                kind = (self.resources.get(member) or {}).get('type')
                found = group.subgroups if kind == GROUP else group.servers
                if member not in found:
                    found.append(member)

    def metadata(self):
        """Join the groups named by servers' ``metadata.valet.groups``."""
        for sname in self._names(SERVER):
            props = self.resources[sname].get('properties') or {}
            for gname in _wanted(props):
                if gname not in self.known:
                    self.errors.append(
                        'server %s: metadata.valet.groups names unknown '
                        'group %s' % (sname, gname))
                    continue
                group = self.groups.get(gname)
                if group is None:
                    spec = self.known[gname]
                    group = Group(gname, spec.get('type'),
                                  spec.get('level', 'host'), [], [], [],
                                  True)
                    self.groups[gname] = group
                if sname not in group.servers:
                    group.servers.append(sname)

    def nova(self):
        """Hard policies of Nova server groups, at host level."""
        members = {}
        for sname in self._names(SERVER):
            props = self.resources[sname].get('properties') or {}
            hint = ref((props.get('scheduler_hints') or {}).get('group'))
            if isinstance(hint, str):
                members.setdefault(hint, []).append(sname)
        for name in self._names(SERVER_GROUP):
            props = self.resources[name].get('properties') or {}
            policies = props.get('policies') or [props.get('policy')]
            hard = [NOVA_POLICIES[p] for p in policies if p in NOVA_POLICIES]
            if hard and members.get(name):
                self.groups[NOVA + name] = Group(
                    NOVA + name, hard[0], 'host', list(members[name]), [],
                    [], False)

    def running(self):
        """Bind running members; keep out of exclusivity held elsewhere."""
        for server in self.existing:
            for grp in server.get('groups') or []:
                name = grp['name']
                if name not in self.groups and grp.get(
                        'type') == 'exclusivity':
                    self.groups[name] = Group(
                        name, 'exclusivity', grp.get('level', 'host'),
                        [], [], [], True)
                group = self.groups.get(name)
                if group is not None and group.known:
                    group.existing.append(server)


def read(resources, known, existing):
    """Return ``(groups, group_of, errors)`` of a stack's resources.

    ``groups`` maps a key to a :class:`Group`, ``group_of`` the name of each
    GroupAssignment resource to the key of its group, ``errors`` lists the
    bad-input findings (type or level mismatches, unknown groups).
    """
    reader = _Reader(resources, known, existing)
    reader.assignments()
    reader.metadata()
    reader.nova()
    reader.running()
    return reader.groups, reader.group_of, reader.errors
