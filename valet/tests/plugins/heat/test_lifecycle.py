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

"""stack update and delete, and a Valet that cannot be reached."""

import fixtures
from heat.common import lifecycle_plugin_utils
import testtools

from valet.plugins.heat import plan as plan_builder
from valet.tests.plugins import fixtures as valet_fixtures
from valet.tests.plugins.heat import base
from valet.tests.plugins.heat import heat_engine

QUORUM_V2 = '''heat_template_version: 2015-04-30
resources:
  q1: {type: OS::Nova::Server, properties: {flavor: m1.medium, image: cirros}}
  q2: {type: OS::Nova::Server, properties: {flavor: m1.medium, image: cirros}}
  q4: {type: OS::Nova::Server, properties: {flavor: m1.medium, image: cirros}}
  quorum:
    type: ATT::Valet::GroupAssignment
    properties: {group_type: diversity, level: rack, resources: [q1, q2, q4]}
'''


class TestUpdateDelete(base.HeatTestCase):

    def test_update_adds_and_removes_servers(self):
        stk = self.create(base.sample('quorum.yaml'))
        before = self.placements(stk)
        uuids = {name: stk[name].uuid for name in ('q1', 'q2', 'q3')}
        self.assertEqual(set(uuids.values()),
                         set(self.plan(stk)['placements']))
        updated = self.update(stk, QUORUM_V2)
        after = self.placements(updated)
        self.assertEqual(['q1', 'q2', 'q4'], sorted(after))
        # The servers that stay keep their hosts (and their keys).
        self.assertEqual(before['q1'], after['q1'])
        self.assertEqual(before['q2'], after['q2'])
        self.assertEqual(3, len({rack for _, rack in after.values()}))
        plan = self.plan(updated)['placements']
        self.assertIn(uuids['q1'], plan)
        self.assertIn(uuids['q2'], plan)
        self.assertNotIn(uuids['q3'], plan)
        # q4 had no uuid when Valet planned it: the filter finds it by
        # its path.
        self.assertIn(plan_builder.resource_key(stk.id, ['q4']), plan)
        found = self.admin.list_placements(heat_root_stack_id=stk.id,
                                           valet_resource_path='q4')
        self.assertEqual(1, len(found))

    def test_update_with_get_resource_members(self):
        stk = self.create(base.sample('diversity-of-affinity.yaml'))
        before = self.placements(stk)
        template = base.sample('diversity-of-affinity.yaml').replace(
            'resources: [b1, b2]', 'resources: [b1, b2, b3]').replace(
            '  pair_a:', '  b3: {type: OS::Nova::Server, properties: '
            '{flavor: m1.medium, image: cirros}}\n  pair_a:')
        updated = self.update(stk, template)
        after = self.placements(updated)
        for name in before:
            self.assertEqual(before[name], after[name])
        self.assertEqual(after['b1'], after['b3'])

    def test_update_of_a_resource_group_count(self):
        stk = self.create(base.sample('resource-group.yaml'),
                          params={'count': 2})
        before = self.placements(stk)
        updated = self.update(stk, base.sample('resource-group.yaml'),
                              params={'count': 3})
        after = self.placements(updated)
        self.assertEqual(['workers/0', 'workers/1', 'workers/2'],
                         sorted(after))
        for name in before:
            self.assertEqual(before[name], after[name])
        self.assertEqual(3, len({rack for _, rack in after.values()}))

    def test_update_refused_by_valet(self):
        stk = self.create(base.sample('quorum.yaml'))
        before = self.placements(stk)
        # Five racks' worth of diversity in a four-rack data center.
        template = QUORUM_V2.replace('[q1, q2, q4]', '[q1, q2, q4, q5, q6]')
        template = template.replace('  quorum:', '\n'.join(
            '  %s: {type: OS::Nova::Server, properties: {flavor: m1.medium, '
            'image: cirros}}' % n for n in ('q5', 'q6')) + '\n  quorum:')
        updated = self.update(stk, template, expect=('UPDATE', 'FAILED'))
        self.assertIn('Valet refused to update the plan',
                      updated.status_reason)
        self.assertEqual(before, self.placements(stk))
        self.assertEqual(['q1', 'q2', 'q3', 'quorum'],
                         sorted(updated.resources))

    def test_update_plans_a_stack_valet_never_planned(self):
        # Created while Valet was unreachable (yield): the first update
        # Valet sees gets a plan of the whole new definition.
        self.set_valet(url=valet_fixtures.unused_url(), failure_mode='yield',
                       connect_retries=0)
        stk = self.create(base.sample('quorum.yaml'))
        self.set_valet(url=self.valet.url)
        self.assert_no_plan(stk)
        updated = self.update(stk, QUORUM_V2)
        after = self.placements(updated)
        self.assertEqual(['q1', 'q2', 'q4'], sorted(after))
        self.assertEqual(3, len({rack for _, rack in after.values()}))

    def test_delete_removes_the_plan(self):
        stk = self.create(base.sample('affinity.yaml'))
        self.plan(stk)
        self.delete(stk)
        self.assert_no_plan(stk)

    def test_delete_of_a_stack_without_plan(self):
        self.set_valet(url=valet_fixtures.unused_url(), failure_mode='yield',
                       connect_retries=0)
        stk = self.create(base.sample('affinity.yaml'))
        self.set_valet(url=self.valet.url)
        self.assert_no_plan(stk)
        self.delete(stk)


class TestUnreachable(base.HeatTestCase):

    def test_reject(self):
        self.set_valet(url=valet_fixtures.unused_url(), failure_mode='reject',
                       connect_retries=0)
        stk = self.create(base.sample('affinity.yaml'),
                          expect=('CREATE', 'FAILED'))
        self.assertIn('Valet is unavailable', stk.status_reason)
        self.assertIn('failure_mode = reject', stk.status_reason)
        self.assert_nothing_built(stk)

    def test_yield(self):
        self.set_valet(url=valet_fixtures.unused_url(), failure_mode='yield',
                       connect_retries=0)
        stk = self.create(base.sample('affinity.yaml'))
        for name in ('app1', 'app2'):
            self.assertIsNotNone(stk[name].resource_id)

    def test_hung_valet_fails_the_stack_after_the_timeout(self):
        # Valet takes the connection and never answers: the stack does
        # not wait for ever, it fails once [valet] timeout has passed.
        hung = self.useFixture(valet_fixtures.HungServer())
        self.set_valet(url=hung.url, failure_mode='reject', timeout=1,
                       connect_retries=0)
        stk = self.create(base.sample('affinity.yaml'),
                          expect=('CREATE', 'FAILED'))
        self.assertIn('Valet is unavailable', stk.status_reason)
        self.assertIn('no answer within 1 seconds', stk.status_reason)
        self.assert_nothing_built(stk)

    def test_reject_is_the_default(self):
        self.set_valet(url=valet_fixtures.unused_url(), connect_retries=0)
        base.cfg.CONF.clear_override('failure_mode', group='valet')
        stk = self.create(base.sample('quorum.yaml'),
                          expect=('CREATE', 'FAILED'))
        self.assertIn('Valet is unavailable', stk.status_reason)


class TestConvergenceEngine(testtools.TestCase):

    def test_warns_that_heat_will_not_call_it(self):
        heat_engine.setup()
        logger = self.useFixture(fixtures.FakeLogger(
            name='valet.plugins.heat.lifecycle'))
        self.useFixture(fixtures.MonkeyPatch(
            'heat.common.lifecycle_plugin_utils.pp_class_instances', None))
        base.cfg.CONF.set_override('convergence_engine', True)
        self.addCleanup(base.cfg.CONF.set_override, 'convergence_engine',
                        False)
        plugins = lifecycle_plugin_utils.get_plug_point_class_instances()
        self.assertIn('ValetLifecyclePlugin',
                      [type(p).__name__ for p in plugins])
        self.assertIn('convergence_engine = true', logger.output)
