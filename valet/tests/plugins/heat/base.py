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

"""Test cases running stacks in the real heat engine against a real Valet.

One Valet process per test class (the sample 16-host data center); heat
is set up once per process. Each test works in a project of its own and
deletes its stacks, so that the capacity they hold is given back.
"""

import os
import uuid

import fixtures
from heat.common import template_format
from oslo_config import cfg
import testtools
import yaml

from valet.plugins import client as valet_client
from valet.plugins.heat import plan as plan_builder
from valet.tests import checker
from valet.tests.plugins import fixtures as valet_fixtures
from valet.tests.plugins.heat import heat_engine

SAMPLES = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', '..',
    'etc', 'valet', 'samples', 'heat')


DATACENTER = os.path.join(SAMPLES, '..', 'datacenter.yaml')
#: The default of ``[engine] rack_name_pattern``: the racks of r03 and r04.
RACK_PATTERN = r'^(?P<rack>.+?)[-_.]?[hc]\d+$'


def sample(name):
    """The text of a sample template of etc/valet/samples/heat."""
    with open(os.path.join(SAMPLES, name)) as f:
        return f.read()


class HeatTestCase(testtools.TestCase):
    """Stacks of the real heat engine, planned by a running Valet."""

    #: Roles of the stack owner in Valet (noauth headers).
    roles = ('member',)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        heat_engine.setup()
        cls.valet = valet_fixtures.RunningValet()
        cls.valet.setUp()

    @classmethod
    def tearDownClass(cls):
        cls.valet.cleanUp()
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.Timeout(300, gentle=True))
        self.set_valet(url=self.valet.url, failure_mode='reject')
        self.engine = self.useFixture(heat_engine.InProcessEngine()).engine
        self.project_id = 'p-' + uuid.uuid4().hex[:12]
        self.user_id = 'u-' + uuid.uuid4().hex[:12]
        self.ctx = self.context()
        self.admin = self.valet.client()

    def set_valet(self, **options):
        """Override ``[valet]`` options of heat's configuration."""
        for name, value in options.items():
            cfg.CONF.set_override(name, value, group='valet')
            self.addCleanup(cfg.CONF.clear_override, name, group='valet')

    def context(self, roles=None):
        return heat_engine.context(
            self.valet.auth(self.user_id, self.project_id,
                            list(roles or self.roles)),
            project_id=self.project_id, user_id=self.user_id)

    def stack(self, template, name=None, files=None, params=None, ctx=None):
        """A stack (not stored) of ``template`` (YAML text)."""
        env = {'parameters': params} if params else None
        return heat_engine.make_stack(
            ctx or self.ctx, name or 's-' + uuid.uuid4().hex[:10], template,
            files=files, env=env)

    def create(self, template, expect=('CREATE', 'COMPLETE'), name=None,
               files=None, params=None, ctx=None):
        """Create a stack through heat's engine; delete it at cleanup."""
        ctx = ctx or self.ctx
        identity = self.engine.create_stack(
            ctx, name or 's-' + uuid.uuid4().hex[:10],
            template_format.parse(template), {'parameters': params or {}},
            files or {}, {'disable_rollback': True})
        self.addCleanup(self._delete, ctx, identity)
        stk = heat_engine.load(ctx, identity['stack_id'])
        self.assertEqual(expect, stk.state, stk.status_reason)
        return stk

    def update(self, stk, template, expect=('UPDATE', 'COMPLETE'),
               files=None, params=None):
        """Update a stack through heat's engine; the stack once done."""
        self.engine.update_stack(
            stk.context, dict(stk.identifier()),
            template_format.parse(template), {'parameters': params or {}},
            files or {}, {'disable_rollback': True})
        updated = heat_engine.load(stk.context, stk.id)
        self.assertEqual(expect, updated.state, updated.status_reason)
        return updated

    def delete(self, stk, expect=('DELETE', 'COMPLETE')):
        """Delete a stack through heat's engine."""
        self.engine.delete_stack(stk.context, dict(stk.identifier()))
        deleted = heat_engine.load(stk.context, stk.id)
        self.assertEqual(expect, deleted.state, deleted.status_reason)
        return deleted

    def _delete(self, ctx, identity):
        # The test may have pointed heat at another Valet by now.
        cfg.CONF.set_override('url', self.valet.url, group='valet')
        try:
            self.engine.delete_stack(ctx, identity)
        except Exception:
            # Deleted by the test already.
            return

    def plan(self, stk):
        """The stack's plan in Valet."""
        return self.admin.get_plan(stk.id)

    def placements(self, stk):
        """``{resource path: (host, rack)}`` of the stack's plan."""
        return {p['name']: (p['location'], p['rack'])
                for p in self.plan(stk)['placements'].values()}

    def assert_no_plan(self, stk):
        e = self.assertRaises(valet_client.ValetError, self.admin.get_plan,
                              stk.id)
        self.assertEqual(404, e.status)

    def assert_nothing_built(self, stk):
        for res in stk.resources.values():
            self.assertEqual((res.INIT, res.COMPLETE), res.state, res.name)
            self.assertIsNone(res.resource_id, res.name)

    def rule_violations(self, stk, named_groups=None, moved=None):
        """What the independent checker finds wrong with the stack's plan.

        The stack's resources are those the lifecycle plugin sends, built
        again from the stored stack; ``moved`` (``{key: host}``) changes
        placements before the check.
        """
        stored = heat_engine.load(self.ctx, stk.id)
        resources = plan_builder.PlanBuilder(
            stored, stk.id, stk.name).build()
        placements = {key: {'host': one['location']} for key, one in
                      self.plan(stk)['placements'].items()}
        servers = [k for k, r in resources.items()
                   if r['type'] == 'OS::Nova::Server']
        self.assertEqual(sorted(servers), sorted(placements))
        for key, host in (moved or {}).items():
            placements[key] = {'host': host}
        with open(DATACENTER) as f:
            topology = yaml.safe_load(f)
        return checker.check(topology, None, resources, placements,
                             named_groups=named_groups,
                             rack_pattern=RACK_PATTERN)

    def assert_rules_hold(self, stk, named_groups=None):
        """Valet's placements break no rule, says the checker."""
        self.assertEqual([], self.rule_violations(stk, named_groups))

    @staticmethod
    def hint_key(stk, res):
        """The plan key the Nova filter derives from heat's hints."""
        parents = [name for name, _ in res.stack.path_in_stack() if name]
        if not parents:
            return res.uuid
        return plan_builder.resource_key(stk.id, parents + [res.name])
