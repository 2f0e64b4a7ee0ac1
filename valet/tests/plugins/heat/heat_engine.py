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

"""The real Heat engine, in this process, for the Heat plugin's tests.

Set up once per process (:func:`setup`): heat's global configuration with
Valet's ``plugin_dirs`` and the legacy (synchronous) engine path, an
in-memory SQLite database, heat's fake Keystone client, the ``fake://``
message transport, and Valet's lifecycle plugin found through its entry
point. Two things have no cloud behind them here and are replaced:

* ``OS::Nova::Server`` and ``OS::Nova::ServerGroup``: subclasses of Heat's
  own classes (their property schemas and validation stay Heat's) whose
  Nova calls do nothing;
* the ``nova.flavor`` and ``glance.image`` constraints: the sample data
  center's flavors, and any image;
* the engine's RPC: a nested stack is created by an RPC call to a
  heat-engine. :class:`InProcessEngine` answers those calls with Heat's
  own ``EngineService`` in this thread, synchronously.
"""

import uuid

import fixtures
from heat.common import context as heat_context
from heat.common import exception as heat_exception
from heat.common import lifecycle_plugin_utils
from heat.common import messaging as heat_messaging
from heat.common import template_format
from heat.db import api as db_api
from heat.db import models
from heat.engine.clients.os import keystone as ks_plugin
from heat.engine.clients.os.keystone import fake_keystoneclient
from heat.engine import constraints
from heat.engine import environment
from heat.engine import resources
from heat.engine.resources.openstack.nova import server
from heat.engine.resources.openstack.nova import server_group
from heat.engine import scheduler
from heat.engine import service
from heat.engine import stack as parser
from heat.engine import stack_lock
from heat.engine import template as templatem
from heat.rpc import client as rpc_client
from oslo_config import cfg
from oslo_db import options as db_options
import oslo_messaging

from valet.plugins.heat import plugin_dir

_READY = []
SAMPLE_FLAVORS = ('m1.small', 'm1.medium', 'm1.large', 'm1.xlarge',
                  'ssd.large')


class FakeServer(server.Server):
    """Heat's server with no Nova: property validation stays Heat's."""

    def translate_properties(self, properties, client_resolve=True,
                             ignore_resolve_error=False):
        # Resolving looks flavors and images up in Nova and Glance.
        return super().translate_properties(
            properties, client_resolve=False,
            ignore_resolve_error=ignore_resolve_error)

    def validate(self):
        # Heat's property and schema validation; Server.validate's own
        # checks ask Nova and Glance (images, limits).
        return super(server.Server, self).validate()

    def handle_create(self):
        self.resource_id_set(str(uuid.uuid4()))
        return self.resource_id

    def check_create_complete(self, server_id):
        return True

    def handle_update(self, json_snippet, tmpl_diff, prop_diff):
        return []

    def check_update_complete(self, updaters):
        return True

    def handle_delete(self):
        return None

    def check_delete_complete(self, prg):
        return True


class FakeServerGroup(server_group.ServerGroup):
    """Heat's Nova server group with no Nova."""

    def validate(self):
        return super(server_group.ServerGroup, self).validate()

    def handle_create(self):
        self.resource_id_set(str(uuid.uuid4()))

    def handle_delete(self):
        return None


class SampleFlavorConstraint(constraints.BaseCustomConstraint):
    """``nova.flavor``: the flavors of Valet's sample data center."""

    def validate_with_client(self, client, value):
        if value not in SAMPLE_FLAVORS:
            raise heat_exception.EntityNotFound(entity='Flavor', name=value)


class AnyImageConstraint(constraints.BaseCustomConstraint):
    """``glance.image``: no Glance here, every image exists."""

    def validate_with_client(self, client, value):
        return None


class _Done(object):
    """What the synchronous thread group manager returns for a thread."""

    def link(self, callback, *args):
        return None


class SyncThreadGroupManager(object):
    """Heat's ThreadGroupManager, running each task at once, in-line.

    As the real one, a task started with a lock releases it (or persists
    the deferred stack state) when it ends.
    """

    def start(self, stack_id, func, *args, **kwargs):
        func(*args, **kwargs)
        return _Done()

    def start_with_lock(self, cnxt, stack, engine_id, func, *args, **kwargs):
        lock = stack_lock.StackLock(cnxt, stack.id, engine_id)
        with lock.thread_lock():
            return self.start_with_acquired_lock(stack, lock, func, *args,
                                                 **kwargs)

    def start_with_acquired_lock(self, stack, lock, func, *args, **kwargs):
        stack.thread_group_mgr = self
        try:
            func(*args, **kwargs)
        finally:
            if stack is not None and stack.defer_state_persist():
                stack.persist_state_and_release_lock(lock.engine_id)
                notify = kwargs.get('notify')
                if notify is not None and not notify.signalled():
                    notify.signal()
            else:
                lock.release()
        return _Done()

    def add_msg_queue(self, stack_id, msg_queue):
        return None

    def remove_msg_queue(self, gt, stack_id, msg_queue):
        return None

    def send(self, stack_id, message):
        return None

    def stop_timers(self, stack_id):
        return None

    def stop(self, stack_id, graceful=False):
        return None


class InProcessEngine(fixtures.Fixture):
    """Heat's EngineService answering the engine RPC calls in-line."""

    def _setUp(self):
        self.engine = service.EngineService('valet-tests', 'engine')
        self.engine.engine_id = 'valet-tests-engine'
        self.engine.thread_group_mgr = SyncThreadGroupManager()
        self.useFixture(fixtures.MonkeyPatch(
            'heat.rpc.client.EngineClient.call', self._call))
        self.useFixture(fixtures.MonkeyPatch(
            'heat.rpc.client.EngineClient.cast', self._cast))

    def _dispatch(self, ctxt, msg):
        method, kwargs = msg
        try:
            return getattr(self.engine, method)(ctxt, **kwargs)
        except oslo_messaging.ExpectedException as e:
            # What the RPC layer unwraps on the caller's side.
            raise e.exc_info[1]

    def _call(self, client, ctxt, msg, version=None, timeout=None):
        return self._dispatch(ctxt, msg)

    def _cast(self, client, ctxt, msg, version=None):
        self._dispatch(ctxt, msg)


def setup():
    """Heat's global state for the whole process, once."""
    if _READY:
        return
    cfg.CONF([], project='heat', default_config_files=[])
    cfg.CONF.set_override('plugin_dirs', [plugin_dir.PATH])
    cfg.CONF.set_override('convergence_engine', False)
    cfg.CONF.set_override('stack_scheduler_hints', True)
    cfg.CONF.set_override('max_stacks_per_tenant', -1)
    # A resource that fails fails at once: no retries with back-off.
    cfg.CONF.set_override('action_retry_limit', 0)
    # Heat's task runner waits a second between the steps of a stack
    # action, for clouds to make progress; nothing here needs the wait
    # (heat's own tests turn it off the same way).
    scheduler.ENABLE_SLEEP = False
    db_options.set_defaults(cfg.CONF, connection='sqlite://')
    models.BASE.metadata.create_all(db_api.get_engine())
    ks_plugin.KeystoneClientPlugin._create = (
        lambda self, version=None: fake_keystoneclient.FakeKeystoneClient())
    heat_messaging.setup('fake://', optional=True)
    # An RPC client registers the RPC options (rpc_response_timeout) that
    # the engine reads.
    rpc_client.EngineClient()
    genv = resources.global_env()
    genv.register_class('OS::Nova::Server', FakeServer)
    genv.register_class('OS::Nova::ServerGroup', FakeServerGroup)
    genv.register_constraint('nova.flavor', SampleFlavorConstraint)
    genv.register_constraint('glance.image', AnyImageConstraint)
    # The plugin instances are cached: built again with ours registered.
    lifecycle_plugin_utils.pp_class_instances = None
    _READY.append(True)


def context(auth_plugin, project_id='heat-tests-project',
            user_id='heat-tests-user'):
    """A heat request context whose Keystone session is ``auth_plugin``."""
    return heat_context.RequestContext(
        auth_token='heat-tests-token', project_id=project_id,
        user_id=user_id, roles=['member'], auth_plugin=auth_plugin,
        is_admin=False)


def make_stack(ctx, name, template, files=None, env=None,
               disable_rollback=True, strict_validate=True):
    """A stack to validate or create: ``template`` is YAML text or a dict.

    Validation is strict, as in ``openstack stack create``: property values
    are checked against their constraints (flavors and images against the
    fakes above).
    """
    if isinstance(template, str):
        template = template_format.parse(template)
    tmpl = templatem.Template(template, files=files or {},
                              env=environment.Environment(env or {}))
    return parser.Stack(ctx, name, tmpl, strict_validate=strict_validate,
                        disable_rollback=disable_rollback)


def load(ctx, stack_id):
    """The stored stack (deleted or not), as the engine loads it."""
    return parser.Stack.load(ctx, stack_id=stack_id)


ValidationFailed = heat_exception.StackValidationFailed
