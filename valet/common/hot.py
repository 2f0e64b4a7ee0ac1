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

"""Heat templates as users write them, flattened for the optimizer.

``valet-manage plan`` reads a template with its environment files and
parameters as ``openstack stack create -t T -e E --parameter K=V`` would
and hands :func:`valet.optimizer.model.heat.from_template` one flat template::

    {'heat_template_version': ..., 'resources': {
        QUALIFIED_NAME: {'type': T, 'properties': {...}}}}

holding only the resources Valet reads (servers, group assignments, pipes,
Nova server groups) and only the properties it reads. Nested templates (a
``type`` that is a template file, or a type the environment's
``resource_registry`` maps to one) and the members of
``OS::Heat::ResourceGroup`` and ``OS::Heat::AutoScalingGroup`` are
expanded: a nested resource is ``PARENT.CHILD``, a group member
``GROUP.INDEX``. A group assignment that lists a nested stack or a resource
group gets all the servers inside it; a pipe end that names one becomes the
list of those servers.

Files are read by :mod:`valet.common.hot_files`, values evaluated by
:mod:`valet.common.hot_functions`. Nested templates are read on demand, so
that a cycle or a missing file is an error naming the resource that uses
it.
"""

import os
import uuid

from valet.common import hot_files as files
from valet.common import hot_functions as fn

SERVER = 'OS::Nova::Server'
ASSIGNMENT = 'ATT::Valet::GroupAssignment'
PIPE = 'ATT::Valet::Pipe'
SERVER_GROUP = 'OS::Nova::ServerGroup'
RESOURCE_GROUP = 'OS::Heat::ResourceGroup'
AUTOSCALING_GROUP = 'OS::Heat::AutoScalingGroup'

# The types Valet keeps and the properties it reads of each.
READ = {
    SERVER: ('flavor', 'availability_zone', 'metadata', 'scheduler_hints'),
    ASSIGNMENT: ('group_type', 'group_name', 'level', 'resources'),
    PIPE: ('resources', 'bandwidth'),
    SERVER_GROUP: ('policies', 'policy', 'rules'),
}
# Of these properties Valet reads one key only; the rest may hold values
# known only once the stack exists (get_attr of a port, the stack id).
READ_KEY = {'metadata': 'valet', 'scheduler_hints': 'group'}

# Types that create servers Valet cannot plan: an explicit error rather
# than a plan that leaves them out.
UNSUPPORTED_SERVERS = frozenset((
    'AWS::EC2::Instance', 'AWS::AutoScaling::AutoScalingGroup',
    'OS::Heat::InstanceGroup', 'OS::Senlin::Cluster', 'OS::Senlin::Node'))

PARAMETER_TYPES = fn.PARAMETER_TYPES
TEMPLATE_SUFFIXES = ('.yaml', '.template')

# Nested templates and resource groups, counted together (Heat's default
# max_nested_stack_depth is 5); a file inside itself is a cycle whatever
# the depth.
MAX_DEPTH = 10
# Resources Valet reads in one stack, nested templates and groups
# included (Heat's own max_resources_per_stack defaults to 1,000): a count
# of a hundred million is refused at once, not expanded until memory runs
# out.
MAX_RESOURCES = 10000

TemplateError = fn.TemplateError


class Node(object):
    """A resource once its type is known: what Valet sees of it."""

    __slots__ = ('qualified', 'kind', 'servers')

    def __init__(self, qualified, kind):
        self.qualified = qualified
        self.kind = kind
        self.servers = []


class Scope(object):
    """One instance of a template: its file, its place, its parameters."""

    def __init__(self, path, template, prefix, names, stack_name, params,
                 parent=None):
        self.path = path
        self.parent = parent
        # Relative as the user gave it: errors name files as they know them.
        self.dir = os.path.dirname(path)
        self.template = template
        self.prefix = prefix
        self.names = names
        self.stack_name = stack_name
        self.params = params
        self.resources = {}
        self.conditions = template.get('conditions') or {}
        self.evaluating = set()


def _substitute(value, old, new):
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, dict):
        return {k: _substitute(v, old, new) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, old, new) for v in value]
    return value


class _Loader(object):
    """Walks a template tree; see :func:`load`."""

    def __init__(self, environment):
        self.registry = environment.get('resource_registry') or {}
        self.defaults = environment.get('parameter_defaults') or {}
        self.pending = []
        self.origins = {}

    def params(self, path, template, given, missing):
        """The :class:`~valet.common.hot_functions.Param` of a template.

        :param given: ``{name: (value, scope, where)}``; ``scope`` is the
            parent's for an expression of a parent resource, else None.
        """
        params = {}
        for name, spec in (template.get('parameters') or {}).items():
            where = fn.Where(path, None, 'parameters.%s' % name)
            if not isinstance(spec, dict):
                where.fail('must be a mapping')
            ptype = spec.get('type')
            if ptype not in PARAMETER_TYPES:
                where.fail('type %r is not one of %s' % (
                    ptype, ', '.join(PARAMETER_TYPES)))
            if name in given:
                value, scope, at = given[name]
                params[name] = fn.Param(name, ptype, value, scope, at)
            elif name in self.defaults:
                params[name] = fn.Param(name, ptype, self.defaults[name])
            elif 'default' in spec:
                params[name] = fn.Param(name, ptype, spec['default'])
            else:
                params[name] = fn.Param(name, ptype,
                                        missing_reason=missing)
        return params

    def lookup(self, rtype, names):
        """The registry's mapping of ``rtype`` for the resource ``names``.
        """
        section = self.registry.get('resources')
        for name in names:
            section = section.get(name) if isinstance(section, dict) else None
        if isinstance(section, dict) and isinstance(section.get(rtype), str):
            return section[rtype]
        if isinstance(self.registry.get(rtype), str):
            return self.registry[rtype]
        best = None
        for key, value in self.registry.items():
            if (isinstance(key, str) and key.endswith('*') and
                    isinstance(value, str) and rtype.startswith(key[:-1])
                    and (best is None or len(key) > len(best[0]))):
                best = (key, value)
        if best is None:
            return None
        key, value = best
        if value.endswith('*'):
            return value[:-1] + rtype[len(key) - 1:]
        return value

    def classify(self, rtype, names, scope, where):
        """Return ``(kind, type, template file or None)`` of a type."""
        seen = set()
        while True:
            if not isinstance(rtype, str) or not rtype:
                where.fail('type must be a string, not %r' % (rtype,))
            target = self.lookup(rtype, names)
            if target is None or target == rtype:
                break
            if '::' not in target:
                return 'stack', rtype, target
            if target in seen:
                where.fail('the resource_registry maps type %r in a loop'
                           % rtype)
            seen.add(rtype)
            rtype = target
        if rtype in READ:
            return 'kept', rtype, None
        if rtype in (RESOURCE_GROUP, AUTOSCALING_GROUP):
            return 'group', rtype, None
        if rtype.endswith(TEMPLATE_SUFFIXES):
            return 'stack', rtype, files.local_path(rtype, scope.dir, where)
        if rtype in UNSUPPORTED_SERVERS:
            where.fail('%s creates servers Valet cannot plan (use '
                       'OS::Nova::Server, alone or in an '
                       'OS::Heat::ResourceGroup)' % rtype)
        if rtype.startswith(('OS::', 'AWS::')):
            return 'other', rtype, None
        where.fail('unknown resource type %r (not a Heat type, not in the '
                   'resource_registry of an environment)' % rtype)

    def expand(self, scope, depth):
        """Instantiate every resource of ``scope`` (pass one)."""
        found = []
        for name, res in (scope.template.get('resources') or {}).items():
            name = str(name)
            where = fn.Where(scope.path, scope.prefix + name)
            if not isinstance(res, dict):
                where.fail('must be a mapping')
            names = scope.names + [name]
            kind, rtype, path = self.classify(res.get('type'), names, scope,
                                              where)
            node = Node(scope.prefix + name, kind)
            scope.resources[name] = node
            found.append((node, rtype, path, res, where, names))
        for node, rtype, path, res, where, names in found:
            if node.kind != 'other' and 'condition' in res:
                where.prop = 'condition'
                if not fn.condition(res['condition'], scope, where):
                    node.kind = 'absent'
                    continue
                where.prop = None
            self.instantiate(scope, node, rtype, path, res.get('properties'),
                             names, depth)

    def instantiate(self, scope, node, rtype, path, props, names, depth):
        """Place ``node`` (of ``scope``) in the flat template.

        :param names: the resource names from the top stack down to it,
            as the registry's ``resources`` section nests them.
        """
        if node.kind in ('other', 'absent'):
            return
        if node.kind == 'kept':
            if len(self.pending) >= MAX_RESOURCES:
                fn.Where(scope.path, node.qualified).fail(
                    'the stack has more than %d servers, group assignments, '
                    'pipes and server groups' % MAX_RESOURCES)
            if node.qualified in self.origins:
                fn.Where(scope.path, node.qualified).fail(
                    'two resources get this qualified name')
            self.origins[node.qualified] = scope.path
            self.pending.append((scope, node, rtype, props))
            if rtype == SERVER:
                node.servers = [node.qualified]
            return
        if depth >= MAX_DEPTH:
            fn.Where(scope.path, node.qualified).fail(
                'nested templates and resource groups more than %d deep'
                % MAX_DEPTH)
        if node.kind == 'stack':
            self.nested(scope, node, path, props, names, depth)
        else:
            self.group(scope, node, rtype, props, names, depth)

    def nested(self, scope, node, path, props, names, depth):
        """Expand a nested template resource."""
        where = fn.Where(scope.path, node.qualified, 'type')
        chain, parent = [], scope
        while parent is not None:
            chain.append(os.path.abspath(parent.path))
            parent = parent.parent
        if os.path.abspath(path) in chain:
            where.fail('nested template %s includes itself' % path)
        template = files.read_template(path, where)
        where.prop = 'properties'
        props = props or {}
        if not isinstance(props, dict):
            where.fail('properties must be a mapping')
        declared = template.get('parameters') or {}
        given = {}
        for key, value in props.items():
            if key not in declared:
                fn.Where(scope.path, node.qualified, key).fail(
                    'not a parameter of the nested template %s' % path)
            given[key] = (value, scope,
                          fn.Where(scope.path, node.qualified, key))
        child = Scope(path, template, node.qualified + '.', names,
                      '%s-%s' % (scope.stack_name, names[-1]),
                      self.params(path, template, given,
                                  'no default, and %s of %s does not set '
                                  'it' % (node.qualified, scope.path)),
                      parent=scope)
        self.expand(child, depth + 1)
        node.servers = [s for n in child.resources.values()
                        for s in n.servers]

    def group(self, scope, node, rtype, props, names, depth):
        """Expand a resource group or an autoscaling group."""
        props = props or {}
        where = fn.Where(scope.path, node.qualified)
        if not isinstance(props, dict):
            where.fail('properties must be a mapping')
        if rtype == RESOURCE_GROUP:
            key, size_key = 'resource_def', 'count'
            size = props.get('count', 1)
        else:
            key = 'resource'
            size_key = ('desired_capacity' if props.get('desired_capacity')
                        is not None else 'min_size')
            size = props.get(size_key)
        where.prop = size_key
        size = fn.plain(fn.resolve(size, scope, where), where)
        if isinstance(size, str) and size.strip().isdigit():
            size = int(size)
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            where.fail('must be a non-negative integer, not %r' % (size,))
        if size > MAX_RESOURCES:
            where.fail('%d members: more than the %d resources a stack may '
                       'have' % (size, MAX_RESOURCES))
        where.prop = key
        definition = props.get(key)
        if not isinstance(definition, dict):
            where.fail('must be a mapping with the type of the members')
        index_var = props.get('index_var', '%index%')
        for index in range(size):
            member_def = definition
            if rtype == RESOURCE_GROUP and isinstance(index_var, str) and (
                    index_var):
                member_def = _substitute(definition, index_var, str(index))
            qualified = '%s.%d' % (node.qualified, index)
            at = fn.Where(scope.path, qualified)
            kind, mtype, path = self.classify(
                member_def.get('type'), names + [str(index)], scope, at)
            member = Node(qualified, kind)
            self.instantiate(scope, member, mtype, path,
                             member_def.get('properties'),
                             names + [str(index)], depth + 1)
            node.servers.extend(member.servers)

    def flat_resources(self):
        """The kept resources with the properties Valet reads (pass two).
        """
        found = {}
        for scope, node, rtype, props in self.pending:
            found[node.qualified] = {
                'type': rtype,
                'properties': self.read(scope, node, rtype, props)}
        return found

    def read(self, scope, node, rtype, props):
        """Evaluate the properties Valet reads of one kept resource."""
        where = fn.Where(scope.path, node.qualified)
        if props is None:
            return {}
        if not isinstance(props, dict):
            props = fn.resolve(props, scope, where)
            if not isinstance(props, dict):
                where.fail('properties must be a mapping')
        found = {}
        for key in READ[rtype]:
            if key not in props:
                continue
            where = fn.Where(scope.path, node.qualified, key)
            value = props[key]
            if key == 'resources':
                found[key] = self.members(value, scope, where,
                                          ends=rtype == PIPE)
            elif key in READ_KEY:
                found[key] = self.one_key(value, READ_KEY[key], scope,
                                          where)
            else:
                found[key] = fn.plain(fn.resolve(value, scope, where),
                                      where)
        return found

    @staticmethod
    def one_key(value, key, scope, where):
        if isinstance(value, dict) and not (
                len(value) == 1 and next(iter(value)) in fn.FUNCTIONS):
            if key not in value:
                return {}
            return {key: fn.plain(fn.resolve(value[key], scope, where),
                                  where)}
        value = fn.plain(fn.resolve(value, scope, where), where)
        if isinstance(value, dict) and key in value:
            return {key: value[key]}
        return value if not isinstance(value, dict) else {}

    @staticmethod
    def members(value, scope, where, ends):
        """Group members (or pipe ends) as qualified names.

        A nested stack or a resource group stands for all its servers:
        spliced into a group's members, a list as a pipe's end.
        """
        value = fn.resolve(value, scope, where)
        if not isinstance(value, list):
            return fn.plain(value, where)
        found = []
        for item in value:
            node = None
            if isinstance(item, fn.Ref):
                node = item.node
            elif isinstance(item, str) and item in scope.resources:
                node = scope.resources[item]
            if node is None:
                found.append(fn.plain(item, where))
            elif node.kind in ('stack', 'group', 'absent'):
                if ends and not node.servers:
                    where.fail('the pipe end %s holds no server'
                               % node.qualified)
                if ends:
                    # One server is just that server; more, a list end.
                    found.append(node.servers[0] if len(node.servers) == 1
                                 else list(node.servers))
                else:
                    found.extend(node.servers)
            else:
                found.append(node.qualified)
        return found


def load(path, environments=(), parameters=()):
    """Read a template tree as Heat would create it; flatten it for Valet.

    :param path: the top template.
    :param environments: environment files, merged in order.
    :param parameters: ``KEY=VALUE`` strings (``--parameter``); they win
        over the environments' parameters.
    :returns: ``(template, origins)``: the flat template and
        ``{qualified name: file that defines the resource}``.
    :raises TemplateError: naming the file, the resource and the property.
    """
    envs = [(p, files.read_environment(p)) for p in environments]
    environment = files.merge_environments(envs)
    given = files.parse_parameters(parameters)
    template = files.read_template(path)
    declared = template.get('parameters') or {}
    values = {}
    sources = [(p, env.get('parameters') or {}) for p, env in envs]
    for source, found in sources + [('--parameter', given)]:
        for name, value in found.items():
            if name not in declared:
                raise TemplateError(source, None, None,
                                    'parameter %r is not declared by %s'
                                    % (name, path))
            values[name] = (value, None, None)
    loader = _Loader(environment)
    stack_name = os.path.splitext(os.path.basename(path))[0]
    scope = Scope(path, template, '', [], stack_name, loader.params(
        path, template, values, 'no default, and neither an environment '
        'nor --parameter gives one'))
    loader.expand(scope, 0)
    flat = {'heat_template_version': template.get(
        'heat_template_version', '2015-04-30'),
        'resources': loader.flat_resources()}
    return flat, loader.origins


def stack_resources(template, stack_id):
    """The ``resources`` of a ``POST /v1/plans`` for a flat template.

    What Heat's lifecycle plugin would send for the stack ``stack_id``
    built from ``template`` (as :func:`load` returns it): each resource
    under an orchestration id derived from the stack id and its qualified
    name (stable: the same stack and name give the same id), with the
    Heat scheduler hints Valet stores beside its placement.
    """
    resources = {}
    for name, res in template['resources'].items():
        resources[str(uuid.uuid5(uuid.NAMESPACE_URL,
                                 '%s/%s' % (stack_id, name)))] = {
            'name': name, 'type': res.get('type'),
            'properties': res.get('properties') or {},
            'metadata': {'heat_root_stack_id': stack_id,
                         'heat_resource_name': name}}
    return resources
