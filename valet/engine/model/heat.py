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

"""Build a :class:`~valet.engine.model.stack.Stack` from Heat resources.

Two shapes are read: a plan's ``resources`` (keyed by orchestration id, each
``{name, type, properties, metadata?}``, as the API receives them) and a HOT
template (``resources`` keyed by name) for ``valet-manage plan``. Members
and pipe ends may be given by name, by orchestration id or as
``{"get_resource": name}``. Resource types other than servers, group
assignments and pipes are ignored.
"""

from valet.engine import exception
from valet.engine.model import stack as stack_model

SERVER = 'OS::Nova::Server'
ASSIGNMENT = 'ATT::Valet::GroupAssignment'
PIPE = 'ATT::Valet::Pipe'


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

    ``{"get_param": name}`` is resolved with the parameters' defaults.
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

    Without parameters to resolve the template is read as it is, uncopied.
    """
    if isinstance(value, dict):
        if set(value) == {'get_param'} and value['get_param'] in params:
            return params[value['get_param']]
        return {k: _resolve_params(v, params) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve_params(v, params) for v in value]
    return value


def _build(raw, datacenter, groups):
    names, taken = {}, set()
    for item in raw:
        if item.type in (SERVER, ASSIGNMENT, PIPE):
            if item.name in taken:
                raise exception.InvalidStack(
                    item.name, 'two resources share this name')
            taken.add(item.name)
            names[item.key] = item.name

    def ref(owner, value):
        if isinstance(value, dict) and set(value) == {'get_resource'}:
            value = value['get_resource']
        if not isinstance(value, str):
            raise exception.InvalidStack(
                owner, 'member %r is not a resource name, orchestration '
                'id or get_resource' % (value,))
        return names.get(value, value)

    named = dict((n, (g.type, g.level))
                 for n, g in datacenter.named_groups.items())
    named.update(groups or {})
    servers, api_members, assignments, links = [], {}, [], []
    for item in raw:
        if item.type == SERVER:
            servers.append(_server(item, datacenter, named, api_members))
        elif item.type == ASSIGNMENT:
            assignments.append(_assignment(item, ref))
        elif item.type == PIPE:
            links.append(_pipe(item, ref))
    for gname, members in api_members.items():
        if gname in taken:
            raise exception.InvalidStack(
                gname, 'a group of metadata.valet.groups has the name of a '
                'resource of the stack')
        gtype, level = named[gname]
        assignments.append(stack_model.Group(
            gname, 'valet:' + gname, gtype, level, members, named=gname))
    return stack_model.Stack(servers, assignments, links).validate()


def _server(item, datacenter, named, api_members):
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
    metadata = props.get('metadata') or {}
    valet = metadata.get('valet') if isinstance(metadata, dict) else None
    wanted = (valet or {}).get('groups') if isinstance(valet, dict) else None
    if isinstance(wanted, str):
        wanted = [g.strip() for g in wanted.split(',') if g.strip()]
    for gname in wanted or ():
        if gname not in named:
            raise exception.InvalidStack(
                item.name, 'metadata.valet.groups names unknown group %r'
                % (gname,))
        api_members.setdefault(gname, []).append(item.name)
    return stack_model.Server(item.name, item.key, flavor, zone)


def _assignment(item, ref):
    props = item.properties
    members = props.get('resources')
    if not isinstance(members, list):
        raise exception.InvalidStack(
            item.name, 'resources must be a list of servers or groups')
    gtype = props.get('group_type')
    named = None
    if gtype == 'exclusivity':
        named = props.get('group_name') or item.name
    return stack_model.Group(
        item.name, item.key, gtype, props.get('level', 'host'),
        [ref(item.name, m) for m in members], named=named)


def _pipe(item, ref):
    props = item.properties
    ends = props.get('resources')
    if not isinstance(ends, list):
        raise exception.InvalidStack(
            item.name, 'resources must be a list of the 2 ends of the pipe')
    bandwidth = props.get('bandwidth')
    value = bandwidth.get('min') if isinstance(bandwidth, dict) else None
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            pass
    if value is None:
        raise exception.InvalidStack(
            item.name, 'bandwidth must be a mapping with a "min" in Mbps')
    return stack_model.Link(item.name, [ref(item.name, e) for e in ends],
                            value)
