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

"""OS::Valet::Group through real stacks: create, update, delete, join."""

import uuid

from valet.plugins import client as valet_client
from valet.tests.plugins.heat import base


class TestValetGroup(base.HeatTestCase):

    # Valet's groups are managed by admins.
    roles = ('admin',)

    def group_stack(self, **params):
        params.setdefault('name', 'g-' + uuid.uuid4().hex[:10])
        stk = self.create(base.sample('valet-group.yaml'), params=params)
        return stk, params['name']

    def test_create(self):
        stk, name = self.group_stack(type='diversity', level='rack',
                                     description='spread',
                                     members=self.project_id)
        group = self.admin.get_group(name)
        self.assertEqual(('diversity', 'rack', 'spread', [self.project_id]),
                         (group['type'], group['level'],
                          group['description'], group['members']))
        self.assertEqual(group['id'], stk['group'].resource_id)
        self.assertEqual(group['id'],
                         stk['group'].FnGetAtt('id'))
        self.assertEqual(name, stk['group'].FnGetAtt('name'))

    def test_update_description_and_members(self):
        stk, name = self.group_stack(members='p-one,p-two')
        group_id = stk['group'].resource_id
        self.update(stk, base.sample('valet-group.yaml'),
                    params={'name': name, 'description': 'new text',
                            'members': 'p-two,p-three'})
        group = self.admin.get_group(name)
        self.assertEqual(group_id, group['id'])     # updated, not replaced
        self.assertEqual('new text', group['description'])
        self.assertEqual(['p-three', 'p-two'], sorted(group['members']))

    def test_type_change_replaces_the_group(self):
        stk, name = self.group_stack(type='affinity', level='host')
        group_id = stk['group'].resource_id
        self.update(stk, base.sample('valet-group.yaml'),
                    params={'name': name + '-2', 'type': 'affinity',
                            'level': 'rack'})
        group = self.admin.get_group(name + '-2')
        self.assertNotEqual(group_id, group['id'])
        self.assertEqual('rack', group['level'])
        e = self.assertRaises(valet_client.ValetError, self.admin.get_group,
                              group_id)
        self.assertEqual(404, e.status)

    def test_delete(self):
        stk, name = self.group_stack(members='p-one')
        self.delete(stk)
        e = self.assertRaises(valet_client.ValetError, self.admin.get_group,
                              name)
        self.assertEqual(404, e.status)

    def test_delete_of_a_group_gone_already(self):
        stk, name = self.group_stack()
        self.admin.delete_group(stk['group'].resource_id)
        self.delete(stk)

    def test_create_refused_by_valet(self):
        name = 'g-' + uuid.uuid4().hex[:10]
        self.admin.create_group(name, 'affinity', 'host')
        self.addCleanup(self.admin.delete_group, name, True)
        stk = self.create(base.sample('valet-group.yaml'),
                          params={'name': name},
                          expect=('CREATE', 'FAILED'))
        self.assertIn('409', stk.status_reason)

    def test_servers_of_another_stack_join_it(self):
        _, name = self.group_stack(type='diversity', level='rack')
        stk = self.create(base.sample('join-group.yaml'),
                          params={'group': name})
        self.assert_rules_hold(stk, {name: ('diversity', 'rack')})
        placed = self.placements(stk)
        self.assertEqual(['m1', 'm2'], sorted(placed))
        self.assertNotEqual(placed['m1'][1], placed['m2'][1])

    def test_servers_of_the_same_stack_cannot_join_it(self):
        name = 'g-' + uuid.uuid4().hex[:10]
        template = base.sample('valet-group.yaml').replace(
            'outputs:', base.sample('join-group.yaml').split(
                'resources:\n', 1)[1] + 'outputs:').replace(
            '{get_param: group}', name)
        stk = self.create(template, params={'name': name},
                          expect=('CREATE', 'FAILED'))
        self.assertIn('Valet refused to create the plan', stk.status_reason)
        self.assertIn(name, stk.status_reason)
        self.assert_nothing_built(stk)

    def test_exclusivity_group_made_by_a_stack(self):
        _, name = self.group_stack(type='exclusivity', level='host')
        stk = self.create(base.sample('exclusivity.yaml'),
                          params={'group': name})
        self.assert_rules_hold(stk, {name: ('exclusivity', 'host')})
        placed = self.placements(stk)
        hosts = {host for host, _ in placed.values()}
        keys = set(self.plan(stk)['placements'])
        for other in self.admin.list_placements():
            if other['orchestration_id'] not in keys:
                self.assertNotIn(other['location'], hosts, other)
