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

"""Valet plans API: the calls that succeed, on a real valet-engine."""

from tempest import config
from tempest.lib import decorators
from tempest.lib import exceptions as lib_exc

from valet_tempest_plugin.tests import base

CONF = config.CONF


class PlansTest(base.BaseValetTest):
    """Place, read, update, migrate and delete a project's plans."""

    @decorators.idempotent_id('d673f160-0ec8-4c91-8345-7910a7ebf4b4')
    def test_create_show_list_delete_plan(self):
        plan, ids = self.create_plan(names=('web1', 'web2'),
                                     rule=('diversity', 'rack'))
        self.assertEqual(self.member.project_id, plan['project_id'])
        self.assertPlaced(plan, ids)
        racks = {one['rack'] for one in plan['placements'].values()}
        self.assertEqual(2, len(racks), plan)

        by_id = self.member.plans.show_plan(plan['id'])['plan']
        by_stack = self.member.plans.show_plan(plan['stack_id'])['plan']
        self.assertEqual(plan, by_id)
        self.assertEqual(plan, by_stack)

        listed = self.member.plans.list_plans()['plans']
        self.assertIn(plan, listed)
        self.assertEqual([plan], self.member.plans.list_plans(
            stack_id=plan['stack_id'])['plans'])
        self.assertEqual([plan], self.member.plans.list_plans(
            name=plan['name'])['plans'])

        self.member.plans.delete_plan(plan['stack_id'])
        self.assertRaises(lib_exc.NotFound, self.member.plans.show_plan,
                          plan['id'])
        # Its placements are gone with it.
        self.assertEqual([], self.admin.placements.list_placements(
            heat_root_stack_id=plan['stack_id'])['placements'])

    @decorators.idempotent_id('ca0e0c23-306d-4b5c-8856-8290b392f575')
    def test_create_plan_within_locations(self):
        host = CONF.valet.hosts[-1]
        plan, ids = self.create_plan(names=('lonely',), locations=[host])
        self.assertEqual(host,
                         plan['placements'][ids['lonely']]['location'])

    @decorators.idempotent_id('ff71d5b1-b446-4c51-81b4-11fb29f6966f')
    def test_create_plan_without_servers(self):
        resources = {self.new_id(): {'name': 'net', 'type': 'OS::Neutron::Net',
                                     'properties': {'name': 'ignored'}}}
        plan, ids = self.create_plan(resources=resources)
        self.assertEqual({}, ids)
        self.assertEqual({}, plan['placements'])

    @decorators.idempotent_id('8b99ea1f-803b-4283-a974-364790c10247')
    def test_other_resource_types_are_ignored(self):
        stack_id, resources, ids = self.stack(['app1'])
        resources[self.new_id()] = {
            'name': 'volume', 'type': 'OS::Cinder::Volume',
            'properties': {'size': 1}}
        plan, _ids = self.create_plan(resources=resources,
                                      stack_id=stack_id)
        self.assertPlaced(plan, ids)

    @decorators.idempotent_id('b7560346-d3a4-4ac1-85eb-55cb28105b42')
    def test_servers_join_an_api_group(self):
        group = self.create_group(group_type='affinity', level='host')
        plan, ids = self.create_plan(names=('db1', 'db2'),
                                     groups=[group['name']])
        self.assertPlaced(plan, ids)
        hosts = {one['location'] for one in plan['placements'].values()}
        self.assertEqual(1, len(hosts), plan)
        # A group with placed servers cannot go.
        self.assertRaises(lib_exc.Conflict, self.admin.groups.delete_group,
                          group['id'])

    @decorators.idempotent_id('63a0ac28-7d69-4c1c-960c-405ec8ea497d')
    def test_update_plan(self):
        stack_id, resources, ids = self.stack(['web1', 'web2'])
        plan, _ids = self.create_plan(resources=resources,
                                      stack_id=stack_id)
        before = plan['placements']

        # web3 joins, web2 leaves; web1 is unchanged and keeps its host.
        web3 = self.new_id()
        new = {ids['web1']: resources[ids['web1']],
               web3: self.server('web3', stack_id)}
        updated = self.member.plans.update_plan(
            stack_id, new, original_resources=resources)['plan']
        self.assertEqual(sorted([ids['web1'], web3]),
                         sorted(updated['placements']))
        self.assertEqual(before[ids['web1']]['location'],
                         updated['placements'][ids['web1']]['location'])
        self.assertIn(updated['placements'][web3]['location'],
                      CONF.valet.hosts)
        self.assertEqual(updated,
                         self.member.plans.show_plan(plan['id'])['plan'])
        self.assertRaises(lib_exc.NotFound,
                          self.member.placements.show_placement,
                          ids['web2'])

    @decorators.idempotent_id('806f3855-6422-4793-a1da-be047c52c334')
    def test_migrate_server(self):
        plan, ids = self.create_plan(names=('app1', 'app2'))
        server = ids['app1']
        old = plan['placements'][server]['location']
        excluded = [host for host in CONF.valet.hosts if host != old][:2]

        moved = self.member.plans.migrate_server(
            plan['id'], server, excluded_hosts=excluded)['plan']
        new = moved['placements'][server]['location']
        self.assertNotEqual(old, new)
        self.assertNotIn(new, excluded)
        self.assertEqual([], moved['moved'])
        # The other server stays where it was.
        self.assertEqual(plan['placements'][ids['app2']],
                         moved['placements'][ids['app2']])
        self.assertEqual(new, self.member.plans.show_plan(
            plan['id'])['plan']['placements'][server]['location'])
