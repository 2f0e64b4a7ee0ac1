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

"""The stack lifecycle plugin: Valet plans a stack before Heat builds it.

Registered on the ``heat.stack_lifecycle_plugins`` entry point. For a root
stack (nested stacks are part of their root's plan):

* before CREATE: ``POST /v1/plans`` with every server of the stack and of
  its nested stacks, its group assignments, pipes and Nova server groups;
* before UPDATE: ``PUT /v1/plans/{stack id}`` (action ``update``) with the
  new definition: servers that stay keep their hosts; a stack Valet has no
  plan for (created while Valet was unreachable, with ``failure_mode =
  yield``) is planned whole then;
* before DELETE: ``DELETE /v1/plans/{stack id}`` (a stack Valet has no
  plan for is fine).

Heat calls lifecycle plugins on its legacy engine path only
(``convergence_engine = false`` in heat.conf); the convergence engine
never does.

When Valet refuses (no placement satisfies the rules, a bad rule, a group
the project may not use), the plugin raises: Heat marks the stack FAILED
with Valet's reason and builds nothing. When Valet cannot be reached,
``[valet] failure_mode`` decides: ``reject`` fails the stack the same way,
``yield`` logs a warning and lets Heat go on without a plan.
"""

from heat.engine import lifecycle_plugin
from oslo_config import cfg
from oslo_log import log as logging

from valet.plugins import client as valet_client
from valet.plugins.heat import client_plugin
from valet.plugins.heat import plan as plan_builder

LOG = logging.getLogger(__name__)

CREATE, UPDATE, DELETE, ROLLBACK = 'CREATE', 'UPDATE', 'DELETE', 'ROLLBACK'


class ValetPlanRefused(Exception):
    """Valet refused the stack's plan, or could not be reached."""


class ValetLifecyclePlugin(lifecycle_plugin.LifecyclePlugin):
    """Creates, updates and deletes the plan of a Heat stack in Valet."""

    def __init__(self, conf=None):
        super().__init__()
        self.conf = client_plugin.register_opts(conf or cfg.CONF)
        if getattr(self.conf, 'convergence_engine', False):
            # Heat runs stack lifecycle plugins on its legacy engine path
            # only: with convergence, Valet would never see a stack.
            LOG.warning('heat.conf has convergence_engine = true: Heat does '
                        'not call stack lifecycle plugins then, and Valet '
                        'plans no stack. Set convergence_engine = false.')

    def get_ordinal(self):
        # Before plugins that may act on a placed stack.
        return 50

    def do_pre_op(self, cnxt, stack, current_stack=None, action=None):
        """Plan, re-plan or release the stack before Heat acts on it.

        Heat passes the stack it acts on as ``stack``; on an update (and
        the rollback of an update) ``current_stack`` is the new
        definition.
        """
        if stack.owner_id:
            # A nested stack: its servers are in its root stack's plan.
            return
        action = action or stack.action
        if action == CREATE:
            self._call(stack, 'create', self._create, cnxt, stack)
        elif action in (UPDATE, ROLLBACK) and current_stack is not None:
            self._call(stack, 'update', self._update, cnxt, stack,
                       current_stack)
        elif action in (DELETE, ROLLBACK):
            self._call(stack, 'delete', self._delete, cnxt, stack)

    def do_post_op(self, cnxt, stack, current_stack=None, action=None,
                   is_stack_failure=False):
        """Nothing to do: a failed stack keeps its plan until deleted."""

    def _client(self, cnxt):
        return client_plugin.make_client(cnxt, self.conf)

    def _create(self, cnxt, stack):
        resources = plan_builder.PlanBuilder(
            stack, stack.id, stack.name).build()
        plan = self._client(cnxt).create_plan(stack.name, stack.id,
                                              resources)
        LOG.info('Valet placed stack %(name)s (%(id)s): %(count)d '
                 'server(s).', {'name': stack.name, 'id': stack.id,
                                'count': len(plan.get('placements', {}))})

    def _update(self, cnxt, stack, new_stack):
        resources = plan_builder.PlanBuilder(
            new_stack, stack.id, stack.name, existing=stack).build()
        valet = self._client(cnxt)
        try:
            valet.update_plan(stack.id, resources)
        except valet_client.ValetError as e:
            if e.code != 'valet.plan.not_found':
                raise
            # A stack Valet has no plan for (created while Valet was
            # unreachable and failure_mode = yield, or its plan deleted):
            # plan the new definition whole.
            valet.create_plan(stack.name, stack.id, resources)
            LOG.info('Valet had no plan of stack %(name)s (%(id)s): '
                     'planned it on update.',
                     {'name': stack.name, 'id': stack.id})
            return
        LOG.info('Valet re-planned stack %(name)s (%(id)s).',
                 {'name': stack.name, 'id': stack.id})

    def _delete(self, cnxt, stack):
        if stack.id is None:
            return
        self._client(cnxt).delete_plan(stack.id, missing_ok=True)

    def _call(self, stack, what, func, *args):
        try:
            func(*args)
        except valet_client.ValetError as e:
            raise ValetPlanRefused(
                'Valet refused to %s the plan of stack %s (HTTP %s, %s): %s'
                % (what, stack.name, e.status, e.code, e.detail))
        except valet_client.ValetUnavailable as e:
            if self.conf.valet.failure_mode == 'yield':
                LOG.warning('Valet is unavailable, stack %(name)s goes on '
                            'without a plan ([valet] failure_mode = yield): '
                            '%(reason)s', {'name': stack.name,
                                           'reason': e.reason})
                return
            raise ValetPlanRefused(
                'Valet is unavailable, stack %s refused ([valet] '
                'failure_mode = reject): %s' % (stack.name, e.reason))
