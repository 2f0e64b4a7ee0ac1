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

"""A Heat stack as a Valet plan's ``resources``, nested stacks included.

Before Heat creates a stack its nested stacks (template resources,
``OS::Heat::ResourceGroup`` members...) do not exist yet. They are built
here in memory from Heat's own objects, as Heat will build them: the
parent resource's ``child_template()`` and ``child_params()`` in a child
environment of the parent's. Nothing is stored and nothing is asked of
the cloud.

Keys and names (the contract with Valet's Nova filter):

* a server of the root stack is keyed by its Heat resource uuid
  (``res.uuid``), which Heat sends Nova as the ``heat_resource_uuid``
  scheduler hint;
* any other server (in a nested stack, or one a stack update adds and
  that has no uuid yet) is keyed by
  ``uuid5(UUID(root stack id), resource_path)``;
* ``resource_path`` is the resource names from the root stack to the
  resource, joined with ``/`` (``web``, ``app_group/0``,
  ``tier/inner/db``): Heat forbids ``/`` in names. It is also the
  resource's ``name`` in the plan, unique in the stack.

The members of scaling groups (``OS::Heat::AutoScalingGroup`` and the
other InstanceGroup types) are left out: Heat names them at random when it
creates them, so no plan made before could be matched to them.

Each server's ``metadata`` carries ``heat_root_stack_id``,
``heat_stack_name`` (the root's), ``heat_resource_name`` (its own),
``valet_resource_path`` and, in the root stack, ``heat_resource_uuid``: the
filter finds a placement by the uuid hint, else by root stack id and path.
"""

import re
import uuid

from heat.engine import environment
from heat.engine.resources.openstack.heat import instance_group
from heat.engine.resources.openstack.nova import server_group
from heat.engine import stack as parser
from heat.engine import template as templatem
from oslo_config import cfg
from oslo_log import log as logging

from valet.plugins.heat import members

LOG = logging.getLogger(__name__)

SERVER_GROUP = 'OS::Nova::ServerGroup'
PATH_SEPARATOR = '/'


def resource_key(root_stack_id, path, res_uuid=None):
    """The orchestration id of the resource at ``path`` (a list)."""
    if res_uuid:
        return res_uuid
    return str(uuid.uuid5(uuid.UUID(root_stack_id),
                          PATH_SEPARATOR.join(path)))


class _Entry(object):
    """A resource Valet reads, with its plan key and resource path."""

    def __init__(self, res, key, path):
        self.res = res
        self.key = key
        self.path = path


class PlanBuilder(object):
    """Walks a root stack and its nested stacks into plan resources.

    :param stack: the stack whose resources are planned (on an update, the
        new definition).
    :param root_id: the root stack's id; :param root_name: its name.
    :param existing: on an update, the existing root stack: servers it
        already has keep their uuid (and so their host).
    """

    def __init__(self, stack, root_id, root_name, existing=None):
        self.stack = stack
        self.root_id = root_id
        self.root_name = root_name
        self.existing = existing
        self.resources = {}
        self.max_depth = cfg.CONF.max_nested_stack_depth

    def build(self):
        """The plan's ``resources``: ``{key: {name, type, properties...}}``."""
        self._walk(self.stack, [])
        return self.resources

    # Walking the stacks.

    def _uuid(self, res, path):
        """The uuid of a root-stack resource, when Heat has given one."""
        if len(path) != 1:
            return None
        if self.existing is not None:
            if res.name in self.existing:
                old = self.existing[res.name]
                if old.type() == res.type() and old.uuid:
                    return old.uuid
            return None
        return res.uuid

    def _walk(self, stack, prefix):
        """Add the resources of ``stack`` and of its nested stacks.

        Members and pipe ends are resolved within ``stack``, where a nested
        stack stands for all of its servers.

        :returns: the keys of every server of the stack and of its nested
            stacks.
        """
        index, servers = {}, []
        # In name order: the same stack always gives the same plan.
        for res in sorted(stack.resources.values(), key=_name_order):
            path = prefix + [res.name]
            kind = members.kind(res)
            if kind == 'nested':
                inner = self._nested(res, path)
                index[res.name] = inner
                servers.extend(inner)
            elif kind is not None or self._is_server_group(res) or \
                    res.has_interface(members.PIPE):
                key = resource_key(self.root_id, path, self._uuid(res, path))
                index[res.name] = _Entry(res, key, path)
                if kind == 'server':
                    servers.append(key)
        for entry in index.values():
            if isinstance(entry, _Entry):
                self.resources[entry.key] = self._body(entry, stack, index)
        return servers

    def _nested(self, res, path):
        """The server keys of the nested stack of ``res``, built in memory."""
        if isinstance(res, instance_group.InstanceGroup):
            # Scaling groups name their members at random as they create
            # them: a plan made now could never be matched to them. Nova's
            # filter places them one by one.
            LOG.info('Resource %s (%s): scaling group members are not '
                     'planned.', res.name, res.type())
            return []
        child = child_stack(res, self.max_depth)
        if child is None:
            return []
        return self._walk(child, path)

    @staticmethod
    def _is_server_group(res):
        return isinstance(res, server_group.ServerGroup)

    # One resource.

    def _body(self, entry, stack, index):
        res = entry.res
        body = {'name': PATH_SEPARATOR.join(entry.path)}
        kind = members.kind(res)
        if kind == 'server':
            body['type'] = members.SERVER
            body['properties'] = self._server(res, stack, index)
            body['metadata'] = self._hints(entry)
        elif kind == 'assignment':
            body['type'] = members.ASSIGNMENT
            body['properties'] = self._assignment(res, stack, index)
        elif self._is_server_group(res):
            body['type'] = SERVER_GROUP
            policies = res.properties['policies']
            body['properties'] = {'policies': list(policies or [])}
        else:
            body['type'] = members.PIPE
            body['properties'] = self._pipe(res, stack, index)
        return body

    def _hints(self, entry):
        metadata = {
            'heat_root_stack_id': self.root_id,
            'heat_stack_name': self.root_name,
            'heat_resource_name': entry.res.name,
            'valet_resource_path': PATH_SEPARATOR.join(entry.path),
        }
        if len(entry.path) == 1 and entry.key != resource_key(
                self.root_id, entry.path):
            metadata['heat_resource_uuid'] = entry.key
        return metadata

    def _server(self, res, stack, index):
        props = {'flavor': res.properties['flavor']}
        zone = res.properties['availability_zone']
        if zone:
            props['availability_zone'] = zone
        metadata = res.properties['metadata']
        if isinstance(metadata, dict) and 'valet' in metadata:
            props['metadata'] = {'valet': metadata['valet']}
        hints = res.properties['scheduler_hints']
        if isinstance(hints, dict) and hints.get('group') is not None:
            group = _one(hints['group'])
            found = members.find(stack, group)
            if found is not None and self._is_server_group(found):
                props['scheduler_hints'] = {'group': index[found.name].key}
            else:
                # A Nova server group outside the stack: Nova enforces it;
                # Valet cannot know its members.
                LOG.info('Server %s: scheduler_hints.group %s is not a '
                         'server group of its stack; left to Nova.',
                         res.name, group)
        return props

    def _refs(self, res, stack, index, values):
        """Each member value as a key, or as the keys of a nested stack."""
        refs = []
        for value in values or ():
            found = members.lookup(res, 'resources', value)
            target = index[found.name]
            refs.append(target.key if isinstance(target, _Entry)
                        else list(target))
        return refs

    def _assignment(self, res, stack, index):
        props = {'group_type': res.properties['group_type'],
                 'level': res.properties['level']}
        if res.properties['group_name']:
            props['group_name'] = res.properties['group_name']
        flat = []
        for ref in self._refs(res, stack, index,
                              res.properties['resources']):
            for key in (ref if isinstance(ref, list) else [ref]):
                if key not in flat:
                    flat.append(key)
        props['resources'] = flat
        return props

    def _pipe(self, res, stack, index):
        return {'resources': self._refs(res, stack, index,
                                        res.properties['resources']),
                'bandwidth': {'min': res.properties['bandwidth']['min']}}


def _name_order(res):
    """Resource names in natural order: ``2`` before ``10``."""
    return [(0, int(part), '') if part.isdigit() else (1, 0, part)
            for part in re.split(r'(\d+)', res.name)]


def _one(value):
    """A scheduler hint's value (Heat allows a list of one)."""
    if isinstance(value, list) and len(value) == 1:
        return value[0]
    return value


def child_stack(res, max_depth):
    """The nested stack of ``res`` as Heat will build it, in memory.

    None when the resource type does not say what it nests.
    """
    if res.stack.nested_depth + 1 > max_depth:
        LOG.warning('Resource %s: nested deeper than %d, not planned.',
                    res.name, max_depth)
        return None
    try:
        template = res.child_template()
        params = res.child_params()
    except NotImplementedError:
        LOG.info('Resource %s (%s) does not tell its nested stack before '
                 'it is created: its servers are not planned.',
                 res.name, res.type())
        return None
    child_env = environment.get_child_environment(
        res.stack.env, params, child_resource_name=res.name,
        item_to_remove=res.resource_info)
    if isinstance(template, templatem.Template):
        template = template.t
    parsed = templatem.Template(
        template, files=res.child_template_files(child_env), env=child_env)
    nested = parser.Stack(
        res.context, '%s-%s' % (res.stack.name, res.name), parsed,
        parent_resource=res.name, owner_id=res.stack.id,
        user_creds_id=res.stack.user_creds_id,
        stack_user_project_id=res.stack.stack_user_project_id,
        nested_depth=res.stack.nested_depth + 1, strict_validate=False)
    nested.set_parent_stack(res.stack)
    return nested
