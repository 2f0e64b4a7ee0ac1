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

"""Build a :class:`~valet.optimizer.model.stack.Stack` from Heat resources.

Two shapes are read: a plan's ``resources`` (keyed by orchestration id, each
``{name, type, properties, metadata?}``, as the API receives them) and a HOT
template (``resources`` keyed by name) for ``valet-manage plan``. Members
and pipe ends may be given by name, by orchestration id or as
``{"get_resource": name}``; a pipe end may also be a list of servers.
Resource types other than servers, group assignments, pipes and Nova
server groups are ignored.

Named groups (engine.md): an assignment whose ``group_name`` names a group
Valet knows (``datacenter.named_groups`` and the API ``groups``) is that
group, its type and level checked; an unknown ``group_name`` makes a group
local to the stack; assignments sharing a ``group_name``, and servers
naming that group in ``metadata.valet.groups``, form one group. Servers
naming an ``OS::Nova::ServerGroup`` in ``scheduler_hints.group`` get its
policy: hard ones as host-level rules, soft ones as preferences.
"""

from valet.optimizer import exception
from valet.optimizer.model import stack as stack_model

SERVER = 'OS::Nova::Server'
ASSIGNMENT = 'ATT::Valet::GroupAssignment'
PIPE = 'ATT::Valet::Pipe'
SERVER_GROUP = 'OS::Nova::ServerGroup'
#: Properties of an ATT::Valet::GroupAssignment.
ASSIGNMENT_PROPERTIES = frozenset(
    ('group_type', 'group_name', 'level', 'resources'))
#: Policies of a Nova server group.
NOVA_POLICIES = ('affinity', 'anti-affinity', 'soft-affinity',
                 'soft-anti-affinity')


class _Raw(object):
    __slots__ = ('key', 'name', 'type', 'properties')

    def __init__(self, key, name, rtype, properties):
        self.key = key
        self.name = name
        self.type = rtype
        self.properties = properties


def from_resources(resources, datacenter, groups=None):
    """Build a stack from a plan's ``resources`` (keyed by orchestration id).

    :param datacenter: gives the flavors and the named groups.
    :param groups: ``{name: (type, level)}`` of API groups, on top of the
        data center's named groups.
    :raises InvalidStack: naming the resource and the broken rule.
    """
    if not isinstance(resources, dict):
        raise exception.InvalidStack('resources', 'must be a mapping')
    raw = []
    for key, res in resources.items():
        if not isinstance(res, dict):
            raise exception.InvalidStack(key, 'must be a mapping')
        props = res.get('properties') or {}
        if not isinstance(props, dict):
            raise exception.InvalidStack(key, 'properties must be a mapping')
        raw.append(_Raw(key, str(res.get('name') or key), res.get('type'),
                        props))
    return _build(raw, datacenter, groups)


def from_template(template, datacenter, groups=None):
    """Build a stack from a parsed HOT template (``resources`` by name).

    ``{"get_param": name}`` (or ``[name, key or index, ...]``) is resolved
    with the parameters' defaults; one without a value is left as it is,
    for the checks of the property that holds it. (``valet-manage plan``
    flattens templates with :mod:`valet.common.hot` first, which resolves
    every parameter Heat would.)
    """
    if not isinstance(template, dict):
        raise exception.InvalidStack('template', 'must be a mapping')
    resources = template.get('resources') or {}
    if not isinstance(resources, dict):
        raise exception.InvalidStack('resources', 'must be a mapping')
    params = {}
    for pname, spec in (template.get('parameters') or {}).items():
        if isinstance(spec, dict) and 'default' in spec:
            params[pname] = spec['default']
    raw = []
    for name, res in resources.items():
        if not isinstance(res, dict):
            raise exception.InvalidStack(name, 'must be a mapping')
        props = res.get('properties') or {}
        if params:
            props = _resolve_params(props, params)
        if not isinstance(props, dict):
            raise exception.InvalidStack(name, 'properties must be a mapping')
        raw.append(_Raw(name, str(name), res.get('type'), props))
    return _build(raw, datacenter, groups)


def _resolve_params(value, params):
    """``value`` with every ``{"get_param": name}`` of ``params`` replaced.

    A name may be a path (``[name, key or index, ...]``); one that does not
    resolve is kept. Without parameters to resolve the template is read as
    it is, uncopied.
    """
    if isinstance(value, dict):
        if len(value) == 1 and 'get_param' in value:
            path = value['get_param']
            found = params
            for step in (path if isinstance(path, list) else [path]):
                try:
                    found = found[int(step) if isinstance(found, list)
                                  else step]
                except (KeyError, IndexError, TypeError, ValueError):
                    return value
            return found
        return {k: _resolve_params(v, params) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve_params(v, params) for v in value]
    return value


def _known_groups(datacenter, groups):
    """``{name: (type, level)}`` of every group Valet knows."""
    known = dict((n, (g.type, g.level))
                 for n, g in datacenter.named_groups.items())
    known.update(groups or {})
    return known


def _group_names(raw):
    """``{assignment name: group_name}`` of the assignments that set one.

    :raises InvalidStack: a ``group_name`` that is not a non-empty string.
    """
    found = {}
    for item in raw:
        if item.type != ASSIGNMENT:
            continue
        gname = item.properties.get('group_name')
        if gname is None:
            continue
        if not isinstance(gname, str) or not gname.strip():
            raise exception.InvalidStack(
                item.name, 'group_name must be a non-empty string, got %r'
                % (gname,))
        found[item.name] = gname
    return found


def _names(raw):
    """``{key: name}`` of the resources Valet reads; names are unique."""
    names, taken = {}, set()
    for item in raw:
        if item.type in (SERVER, ASSIGNMENT, PIPE, SERVER_GROUP):
            if item.name in taken:
                raise exception.InvalidStack(
                    item.name, 'two resources share this name')
            taken.add(item.name)
            names[item.key] = item.name
    return names


def _aliases(group_names):
    """``{assignment name: name of the first one with its group_name}``.

    Assignments sharing a group_name are one group: the first one's
    resource name stands for all of them.
    """
    canonical, alias = {}, {}
    for name, gname in group_names.items():
        alias[name] = canonical.setdefault(gname, name)
    return alias


def _join_api_groups(api_members, assignments, known, taken):
    """Add the groups of ``metadata.valet.groups`` to ``assignments``."""
    by_name = {g.named: g for g in assignments.values() if g.named}
    for gname, members in api_members.items():
        group = by_name.get(gname)
        if group is not None:
            # The stack joins the group both ways: one group.
            group.members.extend(m for m in members
                                 if m not in group.members)
            continue
        if gname in taken:
            raise exception.InvalidStack(
                gname, 'a group of metadata.valet.groups has the name of a '
                'resource of the stack')
        gtype, level = known[gname]
        assignments[gname] = stack_model.Group(
            gname, 'valet:' + gname, gtype, level, members, named=gname)


def _build(raw, datacenter, groups):
    names = _names(raw)
    known = _known_groups(datacenter, groups)
    group_names = _group_names(raw)
    alias = _aliases(group_names)

    def ref(owner, value):
        if isinstance(value, dict) and set(value) == {'get_resource'}:
            value = value['get_resource']
        if not isinstance(value, str):
            raise exception.InvalidStack(
                owner, 'member %r is not a resource name, orchestration '
                'id or get_resource' % (value,))
        value = names.get(value, value)
        return alias.get(value, value)

    servers, api_members, links = [], {}, []
    assignments, server_groups, hinted = {}, {}, {}
    for item in raw:
        if item.type == SERVER:
            servers.append(_server(item, datacenter, known, api_members,
                                   ref, hinted))
        elif item.type == ASSIGNMENT:
            _assignment(item, ref, known, group_names.get(item.name),
                        alias.get(item.name, item.name), assignments)
        elif item.type == PIPE:
            links.append(_pipe(item, ref))
        elif item.type == SERVER_GROUP:
            server_groups[item.name] = _server_group(item)
    _join_api_groups(api_members, assignments, known, set(names.values()))
    preferences = _nova_groups(server_groups, hinted, assignments)
    return stack_model.Stack(servers, list(assignments.values()), links,
                             preferences).validate()


def _nova_groups(server_groups, hinted, assignments):
    """Turn Nova server groups into host-level rules and preferences.

    Nova's own filters enforce ``affinity`` and ``anti-affinity``, so they
    are host-level affinity and diversity here; ``soft-affinity`` and
    ``soft-anti-affinity`` are preferences. A server group no server
    names is left out.
    """
    preferences = []
    for sg_name, (policy, item) in server_groups.items():
        members = hinted.get(sg_name)
        if not members:
            continue
        if policy in ('affinity', 'anti-affinity'):
            gtype = 'affinity' if policy == 'affinity' else 'diversity'
            assignments[sg_name] = stack_model.Group(
                sg_name, item.key, gtype, 'host', members)
        else:
            preferences.append(stack_model.Preference(
                sg_name, policy, members))
    for sg_name in hinted:
        if sg_name not in server_groups:
            raise exception.InvalidStack(
                hinted[sg_name][0], 'scheduler_hints.group %r is not an '
                'OS::Nova::ServerGroup of the stack' % (sg_name,))
    return preferences


def _server_group(item):
    props = item.properties
    policies = props.get('policies')
    if policies is None:
        policies = props.get('policy')
    if isinstance(policies, str):
        policies = [policies]
    if not isinstance(policies, list) or len(policies) != 1 or \
            policies[0] not in NOVA_POLICIES:
        raise exception.InvalidStack(
            item.name, 'policies must be one of %s, got %r' % (
                ', '.join(NOVA_POLICIES), policies))
    return policies[0], item


def _valet_groups(item, metadata):
    """The group names of a server's ``metadata.valet.groups``."""
    if metadata is None:
        return ()
    if not isinstance(metadata, dict):
        raise exception.InvalidStack(item.name, 'metadata must be a mapping')
    valet = metadata.get('valet')
    if valet is None:
        return ()
    if not isinstance(valet, dict):
        raise exception.InvalidStack(
            item.name, 'metadata.valet must be a mapping, got %r' % (valet,))
    unknown = sorted(set(valet) - {'groups'})
    if unknown:
        raise exception.InvalidStack(
            item.name, 'metadata.valet has unknown key(s) %s (only '
            '"groups" is read)' % ', '.join(map(repr, unknown)))
    wanted = valet.get('groups')
    if wanted is None:
        return ()
    if isinstance(wanted, str):
        wanted = [g.strip() for g in wanted.split(',') if g.strip()]
    if not isinstance(wanted, list):
        raise exception.InvalidStack(
            item.name, 'metadata.valet.groups must be a list of group '
            'names, got %r' % (wanted,))
    for gname in wanted:
        if not isinstance(gname, str):
            raise exception.InvalidStack(
                item.name, 'metadata.valet.groups holds %r, not a group name'
                % (gname,))
    return wanted


def _server(item, datacenter, known, api_members, ref, hinted):
    props = item.properties
    flavor_name = props.get('flavor')
    if not flavor_name:
        raise exception.InvalidStack(item.name, 'flavor is required')
    flavor = datacenter.flavor(flavor_name) if isinstance(
        flavor_name, str) else None
    if flavor is None:
        raise exception.InvalidStack(
            item.name, 'unknown flavor %r' % (flavor_name,))
    zone = props.get('availability_zone') or None
    if zone is not None and not isinstance(zone, str):
        raise exception.InvalidStack(
            item.name, 'availability_zone must be a string')
    for gname in _valet_groups(item, props.get('metadata')):
        if gname not in known:
            raise exception.InvalidStack(
                item.name, 'metadata.valet.groups names unknown group %r'
                % (gname,))
        members = api_members.setdefault(gname, [])
        if item.name not in members:
            members.append(item.name)
    hints = props.get('scheduler_hints')
    if hints is not None:
        if not isinstance(hints, dict):
            raise exception.InvalidStack(
                item.name, 'scheduler_hints must be a mapping')
        if hints.get('group') is not None:
            sg_name = ref(item.name, hints['group'])
            hinted.setdefault(sg_name, []).append(item.name)
    return stack_model.Server(item.name, item.key, flavor, zone)


def _assignment(item, ref, known, gname, first, assignments):
    """Add the group of a GroupAssignment to ``assignments`` (by name).

    With a ``group_name`` Valet knows, the assignment is that group (its
    type and level must match); an unknown one makes a group local to the
    stack under that name. Assignments sharing a ``group_name`` are one
    group, the first one's: ``first`` is that assignment's name (the
    assignment's own when it is the first or has no ``group_name``).
    """
    props = item.properties
    unknown = sorted(set(props) - ASSIGNMENT_PROPERTIES)
    if unknown:
        raise exception.InvalidStack(
            item.name, 'unknown propert%s %s (a GroupAssignment has %s)' % (
                'y' if len(unknown) == 1 else 'ies',
                ', '.join(map(repr, unknown)),
                ', '.join(sorted(ASSIGNMENT_PROPERTIES))))
    members = props.get('resources')
    if not isinstance(members, list):
        raise exception.InvalidStack(
            item.name, 'resources must be a list of servers or groups')
    gtype = props.get('group_type')
    level = props.get('level', 'host')
    if gname is not None and gname in known and \
            known[gname] != (gtype, level):
        raise exception.InvalidStack(
            item.name, 'group_name %r names a %s group at %s level, but '
            'this assignment says %s at %s level' % (
                gname, known[gname][0], known[gname][1], gtype, level))
    named = None
    if gname is not None and (gname in known or gtype == 'exclusivity'):
        named = gname
    elif gtype == 'exclusivity':
        # Exclusivity groups are always named: by default after the
        # assignment.
        named = item.name
    refs = [ref(item.name, m) for m in members]
    if len(set(refs)) != len(refs):
        if gtype == 'diversity':
            # Each member is a unit kept apart from the others: one group
            # twice would be kept apart from itself.
            twice = sorted({r for r in refs if refs.count(r) > 1})
            raise exception.InvalidStack(
                item.name, 'resources name %s more than once (assignments '
                'sharing a group_name are one group)' % ', '.join(
                    map(repr, twice)))
        # Affinity or exclusivity over a member named twice is the same
        # rule over it once.
        refs = list(dict.fromkeys(refs))
    group = assignments.get(first)
    if group is None:
        assignments[first] = stack_model.Group(
            item.name, item.key, gtype, level, refs, named=named)
        return
    if (group.type, group.level) != (gtype, level):
        raise exception.InvalidStack(
            item.name, 'shares group_name %r with %r, which is %s at %s '
            'level, not %s at %s level' % (
                gname, group.name, group.type, group.level, gtype, level))
    group.members.extend(m for m in refs if m not in group.members)


def _pipe(item, ref):
    props = item.properties
    unknown = sorted(set(props) - {'resources', 'bandwidth'})
    if unknown:
        raise exception.InvalidStack(
            item.name, 'unknown propert%s %s (a Pipe has bandwidth and '
            'resources)' % ('y' if len(unknown) == 1 else 'ies',
                            ', '.join(map(repr, unknown))))
    ends = props.get('resources')
    if not isinstance(ends, list):
        raise exception.InvalidStack(
            item.name, 'resources must be a list of the 2 ends of the pipe')
    bandwidth = props.get('bandwidth')
    value = bandwidth.get('min') if isinstance(bandwidth, dict) else None
    if isinstance(bandwidth, dict) and set(bandwidth) - {'min'}:
        raise exception.InvalidStack(
            item.name, 'bandwidth has unknown key(s) %s (only "min", in '
            'Mbps, is read)' % ', '.join(
                map(repr, sorted(set(bandwidth) - {'min'}))))
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            pass
    if value is None:
        raise exception.InvalidStack(
            item.name, 'bandwidth must be a mapping with a "min" in Mbps')
    resolved = []
    for end in ends:
        if isinstance(end, list):
            # An end that stands for several servers (a resource group).
            end = tuple(ref(item.name, e) for e in end)
        else:
            end = ref(item.name, end)
        resolved.append(end)
    return stack_model.Link(item.name, resolved, value)
