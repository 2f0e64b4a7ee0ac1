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

"""stack create: the sample templates planned by Valet, every rule held."""

import uuid

from valet.tests.plugins.heat import base

DISABLED_HOST = 'r03-h04'
BUSY_HOST = 'r01-h03'   # has usage no known server accounts for


class TestCreate(base.HeatTestCase):

    def assert_placed(self, stk, names, named_groups=None):
        self.assert_rules_hold(stk, named_groups)
        placed = self.placements(stk)
        self.assertEqual(sorted(names), sorted(placed))
        for name, (host, rack) in placed.items():
            self.assertNotEqual(DISABLED_HOST, host, name)
        return placed

    def test_affinity_host(self):
        stk = self.create(base.sample('affinity.yaml'))
        placed = self.assert_placed(stk, ['app1', 'app2'])
        self.assertEqual(placed['app1'][0], placed['app2'][0])
        # The checker is no rubber stamp: app2 elsewhere breaks the rule.
        elsewhere = 'r02-h01' if placed['app1'][0] != 'r02-h01' else \
            'r02-h02'
        self.assertNotEqual([], self.rule_violations(
            stk, moved={stk['app2'].uuid: elsewhere}))

    def test_plan_is_the_root_stacks(self):
        stk = self.create(base.sample('affinity.yaml'))
        plan = self.plan(stk)
        self.assertEqual(stk.name, plan['name'])
        self.assertEqual(stk.id, plan['stack_id'])
        self.assertEqual(self.project_id, plan['project_id'])
        # Root-stack servers are keyed by their Heat resource uuid, and
        # their placements carry the Heat scheduler hints.
        for name in ('app1', 'app2'):
            res = stk[name]
            self.assertIn(res.uuid, plan['placements'])
            placement = self.admin.get_placement(res.uuid)
            self.assertEqual({'heat_root_stack_id': stk.id,
                              'heat_stack_name': stk.name,
                              'heat_resource_name': name,
                              'heat_resource_uuid': res.uuid,
                              'valet_resource_path': name},
                             placement['metadata'])

    def test_diversity_between_two_affinity_groups(self):
        stk = self.create(base.sample('diversity-of-affinity.yaml'))
        placed = self.assert_placed(stk, ['a1', 'a2', 'b1', 'b2'])
        self.assertEqual(placed['a1'][0], placed['a2'][0])
        self.assertEqual(placed['b1'][0], placed['b2'][0])
        self.assertNotEqual(placed['a1'][1], placed['b1'][1])

    def test_quorum_across_racks(self):
        stk = self.create(base.sample('quorum.yaml'))
        placed = self.assert_placed(stk, ['q1', 'q2', 'q3'])
        self.assertEqual(3, len({rack for _, rack in placed.values()}))

    def test_exclusivity_of_an_api_group(self):
        name = 'excl-' + uuid.uuid4().hex[:8]
        group = self.admin.create_group(name, 'exclusivity', 'host')
        self.addCleanup(self.admin.delete_group, group['id'], True)
        stk = self.create(base.sample('exclusivity.yaml'),
                          params={'group': name})
        placed = self.assert_placed(stk, ['dp1', 'dp2'],
                                    {name: ('exclusivity', 'host')})
        hosts = {host for host, _ in placed.values()}
        # Nothing else on those hosts: no other server of any plan, and no
        # usage Valet cannot account for.
        self.assertNotIn(BUSY_HOST, hosts)
        keys = set(self.plan(stk)['placements'])
        for other in self.admin.list_placements():
            if other['orchestration_id'] not in keys:
                self.assertNotIn(other['location'], hosts, other)

    def test_pipe_keeps_both_ends_in_one_rack(self):
        stk = self.create(base.sample('pipes.yaml'))
        placed = self.assert_placed(stk, ['web', 'db'])
        self.assertNotEqual(placed['web'][0], placed['db'][0])
        self.assertEqual(placed['web'][1], placed['db'][1])

    def test_pipe_to_a_resource_group(self):
        template = base.sample('resource-group.yaml') + (
            '  front: {type: OS::Nova::Server, properties: '
            '{flavor: m1.small, image: cirros}}\n'
            '  front_workers:\n'
            '    type: ATT::Valet::Pipe\n'
            '    properties: {resources: [front, workers], '
            'bandwidth: {min: 100}}\n')
        stk = self.create(template, params={'count': 2})
        self.assert_placed(stk, ['front', 'workers/0', 'workers/1'])

    def test_nova_server_group_anti_affinity(self):
        stk = self.create(base.sample('server-group.yaml'))
        placed = self.assert_placed(stk, ['r1', 'r2', 'r3'])
        self.assertEqual(3, len({host for host, _ in placed.values()}))

    def test_resource_group_in_a_diversity_group(self):
        stk = self.create(base.sample('resource-group.yaml'))
        placed = self.assert_placed(stk, ['workers/0', 'workers/1',
                                          'workers/2'])
        self.assertEqual(3, len({rack for _, rack in placed.values()}))
        self.assert_keys_match_heat_hints(stk, 3)

    def test_resource_group_count_from_a_parameter(self):
        stk = self.create(base.sample('resource-group.yaml'),
                          params={'count': 4})
        placed = self.assert_placed(stk, ['workers/%d' % i
                                          for i in range(4)])
        self.assertEqual(4, len({rack for _, rack in placed.values()}))

    def test_nested_templates(self):
        files = {name: base.sample(name) for name in ('tier.yaml', 'db.yaml')}
        stk = self.create(base.sample('nested.yaml'), files=files)
        paths = ['tier_a/front', 'tier_a/inner/db',
                 'tier_b/front', 'tier_b/inner/db']
        placed = self.assert_placed(stk, paths)
        for tier in ('tier_a', 'tier_b'):
            front, db = placed[tier + '/front'], placed[tier + '/inner/db']
            self.assertEqual(front[1], db[1])       # affinity rack
            self.assertNotEqual(front[0], db[0])    # diversity host
        self.assert_keys_match_heat_hints(stk, 4)
        # The Nova filter's second way to a placement: root stack and path.
        found = self.admin.list_placements(
            heat_root_stack_id=stk.id, valet_resource_path='tier_b/inner/db')
        self.assertEqual(1, len(found))
        self.assertEqual('db', found[0]['metadata']['heat_resource_name'])

    def assert_keys_match_heat_hints(self, stk, count):
        """Every server Heat built has the plan key the filter derives."""
        stored = base.heat_engine.load(self.ctx, stk.id)
        plan = self.plan(stk)['placements']
        servers = [res for res in stored.iter_resources(nested_depth=5)
                   if res.type() == 'OS::Nova::Server']
        self.assertEqual(count, len(servers))
        for res in servers:
            self.assertIsNotNone(res.resource_id, res.name)
            self.assertIn(self.hint_key(stk, res), plan, res.name)

    def test_unsatisfiable_fails_before_building(self):
        servers = '\n'.join(
            '  s%d: {type: OS::Nova::Server, properties: '
            '{flavor: m1.xlarge, image: cirros}}' % i for i in range(10))
        template = ('heat_template_version: 2015-04-30\nresources:\n' +
                    servers + '\n  together:\n'
                    '    type: ATT::Valet::GroupAssignment\n'
                    '    properties: {group_type: affinity, level: host, '
                    'resources: [%s]}\n' % ', '.join(
                        's%d' % i for i in range(10)))
        stk = self.create(template, expect=('CREATE', 'FAILED'))
        self.assertIn('Valet refused to create the plan of stack %s (HTTP '
                      '409, valet.plan.no_placement): No placement satisfies '
                      'the rules' % stk.name, stk.status_reason)
        # Valet's explanation: the servers and what each rule excluded.
        self.assertIn('s9', stk.status_reason)
        self.assertIn('affinity excluded', stk.status_reason)
        self.assert_nothing_built(stk)
        self.assert_no_plan(stk)
