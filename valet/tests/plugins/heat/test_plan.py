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

"""What the lifecycle plugin sends: a plan built from Heat's own objects."""

import uuid

import testtools

from valet.plugins.heat import plan as plan_builder
from valet.plugins import noauth
from valet.tests.plugins import fixtures as valet_fixtures
from valet.tests.plugins.heat import base
from valet.tests.plugins.heat import heat_engine

ROOT = '6f1c5e0a-3b1d-4c8e-9a51-0c2f7b9d1e42'

SERVERS = '''heat_template_version: 2015-04-30
resources:
  sg:
    type: OS::Nova::ServerGroup
    properties: {policies: [affinity]}
  web:
    type: OS::Nova::Server
    properties:
      flavor: m1.small
      image: cirros
      availability_zone: nova
      metadata: {valet: {groups: [g1]}, owner: ops}
      scheduler_hints: {group: {get_resource: sg}, other: x}
  db:
    type: OS::Nova::Server
    properties:
      flavor: m1.large
      image: cirros
      scheduler_hints: {group: 2b4cbd31-6a0b-4bb1-a0cc-2d0e4b2cbb0a}
  grp:
    type: OS::Heat::ResourceGroup
    properties:
      count: 2
      resource_def: {type: OS::Nova::Server, properties: {flavor: m1.small}}
  pipe:
    type: ATT::Valet::Pipe
    properties: {resources: [web, grp], bandwidth: {min: 10}}
  spread:
    type: ATT::Valet::GroupAssignment
    properties: {group_type: diversity, level: rack, resources: [db, grp]}
  port: {type: OS::Heat::TestResource, properties: {value: x}}
'''


def key(*path):
    return str(uuid.uuid5(uuid.UUID(ROOT), '/'.join(path)))


class TestPlan(testtools.TestCase):

    def setUp(self):
        super().setUp()
        heat_engine.setup()
        self.ctx = heat_engine.context(noauth.ValetNoAuth(
            endpoint=valet_fixtures.unused_url()))

    def build(self, template, files=None, params=None):
        env = {'parameters': params} if params else None
        stk = heat_engine.make_stack(self.ctx, 'root', template,
                                     files=files, env=env)
        return plan_builder.PlanBuilder(stk, ROOT, 'root').build()

    def test_servers_and_what_is_read_of_them(self):
        plan = self.build(SERVERS)
        expected = {
            'name': 'web', 'type': 'OS::Nova::Server',
            'properties': {'flavor': 'm1.small',
                           'availability_zone': 'nova',
                           'metadata': {'valet': {'groups': ['g1']}},
                           'scheduler_hints': {'group': key('sg')}},
            'metadata': {'heat_root_stack_id': ROOT,
                         'heat_stack_name': 'root',
                         'heat_resource_name': 'web',
                         'valet_resource_path': 'web'}}
        self.assertEqual(expected, plan[key('web')])
        # A Nova server group outside the stack is Nova's business.
        self.assertEqual({'flavor': 'm1.large'},
                         plan[key('db')]['properties'])
        self.assertEqual({'name': 'sg', 'type': 'OS::Nova::ServerGroup',
                          'properties': {'policies': ['affinity']}},
                         plan[key('sg')])

    def test_resource_group_members(self):
        plan = self.build(SERVERS)
        for index in ('0', '1'):
            member = plan[key('grp', index)]
            self.assertEqual('grp/' + index, member['name'])
            self.assertEqual(index, member['metadata']['heat_resource_name'])
            self.assertEqual('grp/' + index,
                             member['metadata']['valet_resource_path'])
            self.assertNotIn('heat_resource_uuid', member['metadata'])

    def test_members_and_pipe_ends(self):
        plan = self.build(SERVERS)
        self.assertEqual(
            {'group_type': 'diversity', 'level': 'rack',
             'resources': [key('db'), key('grp', '0'), key('grp', '1')]},
            plan[key('spread')]['properties'])
        self.assertEqual(
            {'resources': [key('web'), [key('grp', '0'), key('grp', '1')]],
             'bandwidth': {'min': 10}},
            plan[key('pipe')]['properties'])

    def test_members_in_natural_order(self):
        plan = self.build(SERVERS.replace('count: 2', 'count: 12'))
        self.assertEqual(
            [key('db')] + [key('grp', str(i)) for i in range(12)],
            plan[key('spread')]['properties']['resources'])
        self.assertEqual(list(plan), list(self.build(
            SERVERS.replace('count: 2', 'count: 12'))))

    def test_other_types_are_left_out(self):
        plan = self.build(SERVERS)
        self.assertEqual(
            sorted(['sg', 'web', 'db', 'grp/0', 'grp/1', 'pipe', 'spread']),
            sorted(r['name'] for r in plan.values()))

    def test_nested_templates(self):
        files = {name: base.sample(name) for name in ('tier.yaml', 'db.yaml')}
        plan = self.build(base.sample('nested.yaml'), files=files)
        db = plan[key('tier_b', 'inner', 'db')]
        self.assertEqual('tier_b/inner/db', db['name'])
        self.assertEqual('m1.medium', db['properties']['flavor'])
        # The tier's parameter reaches its nested server.
        self.assertEqual('m1.medium',
                         plan[key('tier_b', 'front')]['properties']['flavor'])
        self.assertEqual(
            [key('tier_a', 'front'), key('tier_a', 'inner', 'db')],
            sorted(plan[key('tier_a_rack')]['properties']['resources']))
        self.assertEqual(
            sorted([key('tier_a', 'front'), key('tier_a', 'inner', 'db')]),
            sorted(plan[key('tier_a', 'apart')]['properties']['resources']))

    def test_empty_resource_group(self):
        plan = self.build(base.sample('resource-group.yaml'),
                          params={'count': 0})
        self.assertEqual({'group_type': 'diversity', 'level': 'rack',
                          'resources': []},
                         plan[key('workers_apart')]['properties'])

    def test_scaling_group_members_are_not_planned(self):
        plan = self.build(
            'heat_template_version: 2015-04-30\nresources:\n'
            '  asg:\n    type: OS::Heat::AutoScalingGroup\n'
            '    properties:\n      min_size: 2\n      max_size: 3\n'
            '      resource: {type: OS::Nova::Server, properties: '
            '{flavor: m1.small}}\n'
            '  web: {type: OS::Nova::Server, properties: '
            '{flavor: m1.small}}\n')
        self.assertEqual(['web'], [r['name'] for r in plan.values()])

    def test_stored_root_servers_are_keyed_by_uuid(self):
        stk = heat_engine.make_stack(self.ctx, 'root', SERVERS)
        stk.store()
        for res in stk.resources.values():
            res.store()
        plan = plan_builder.PlanBuilder(stk, stk.id, 'root').build()
        web = plan[stk['web'].uuid]
        self.assertEqual(stk['web'].uuid,
                         web['metadata']['heat_resource_uuid'])
        self.assertIn(plan_builder.resource_key(stk.id, ['grp', '0']), plan)
