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

"""Valet placements API: Heat's hints find a placement, Nova reserves it.

The service persona plays Nova's filter: it searches a placement by the
scheduler hints Heat gives a server, then reserves the planned host (or
has the engine re-place the server) among the hosts Nova still
considers.
"""

from tempest import config
from tempest.lib import decorators
from tempest.lib import exceptions as lib_exc

from valet_tempest_plugin.tests import base

CONF = config.CONF

PLACEMENT_FIELDS = ['id', 'location', 'metadata', 'name',
                    'orchestration_id', 'plan_id', 'rack', 'reserved',
                    'resource_id', 'state']


class PlacementsTest(base.BaseValetTest):
    """Search, show, reserve, re-plan and delete placements."""

    credentials = ['admin', 'primary', base.SERVICE]

    def others(self, host):
        """Every configured host but host."""
        return [one for one in CONF.valet.hosts if one != host]

    @decorators.idempotent_id('94351629-11d2-4c4d-a042-f2e8aa59ad0e')
    def test_find_by_heat_hints_and_show(self):
        plan, ids = self.create_plan(names=('app1', 'app2'),
                                     rule=('affinity', 'rack'))
        found = self.service.placements.list_placements(
            heat_root_stack_id=plan['stack_id'],
            heat_resource_name='app1')['placements']
        self.assertEqual(1, len(found), found)
        placement = found[0]
        self.assertEqual(PLACEMENT_FIELDS, sorted(placement))
        planned = plan['placements'][ids['app1']]
        self.assertEqual('app1', placement['name'])
        self.assertEqual(ids['app1'], placement['orchestration_id'])
        self.assertEqual(plan['id'], placement['plan_id'])
        self.assertEqual(planned['location'], placement['location'])
        self.assertEqual(planned['rack'], placement['rack'])
        self.assertIsNone(placement['resource_id'])
        self.assertFalse(placement['reserved'])
        self.assertEqual('planned', placement['state'])
        self.assertEqual('app1', placement['metadata']['heat_resource_name'])

        both = self.service.placements.list_placements(
            heat_root_stack_id=plan['stack_id'])['placements']
        self.assertEqual(sorted(ids.values()),
                         sorted(one['orchestration_id'] for one in both))
        self.assertEqual([placement], self.service.placements.list_placements(
            heat_root_stack_id=plan['stack_id'], state='planned',
            reserved='false', name='app1')['placements'])

        by_orchestration_id = self.service.placements.show_placement(
            ids['app1'])['placement']
        by_id = self.service.placements.show_placement(
            placement['id'])['placement']
        self.assertEqual(placement, by_orchestration_id)
        self.assertEqual(placement, by_id)

    @decorators.idempotent_id('7c999f62-6a8a-4a15-92c8-67de103c4ad7')
    def test_reserve_the_planned_host(self):
        plan, ids = self.create_plan(names=('app1',))
        host = plan['placements'][ids['app1']]['location']
        server = self.new_id()
        placement = self.service.placements.reserve_placement(
            ids['app1'], CONF.valet.hosts, server,
            action='reserve')['placement']
        self.assertEqual(host, placement['location'])
        self.assertTrue(placement['reserved'])
        self.assertEqual('reserved', placement['state'])
        self.assertEqual(server, placement['resource_id'])
        # Again, for the same server (Valet 1.0's filter sends no
        # action): nothing changes.
        again = self.service.placements.reserve_placement(
            placement['id'], [host], server)['placement']
        self.assertEqual(placement, again)
        self.assertEqual([placement], self.service.placements.list_placements(
            resource_id=server, reserved='true')['placements'])

    @decorators.idempotent_id('decec446-aba5-4335-b5ae-9f2b9036ee96')
    def test_replan_within_the_locations(self):
        plan, ids = self.create_plan(names=('app1', 'app2'),
                                     rule=('affinity', 'rack'))
        planned = plan['placements'][ids['app2']]
        locations = self.others(planned['location'])
        placement = self.service.placements.reserve_placement(
            ids['app2'], locations, self.new_id())['placement']
        # Elsewhere, among the locations, still in app1's rack.
        self.assertIn(placement['location'], locations)
        self.assertEqual(plan['placements'][ids['app1']]['rack'],
                         placement['rack'])
        self.assertTrue(placement['reserved'])

        # replan: a new host even though the planned one is offered.
        moved = self.service.placements.reserve_placement(
            ids['app1'], CONF.valet.hosts, self.new_id(),
            action='replan')['placement']
        self.assertTrue(moved['reserved'])
        self.assertIn(moved['location'], CONF.valet.hosts)
        self.assertEqual(placement['rack'], moved['rack'])

    @decorators.idempotent_id('255dcb03-7e13-42d4-a4be-736b6dc5b06c')
    def test_delete_placement(self):
        plan, ids = self.create_plan(names=('app1', 'app2'))
        placement = self.admin.placements.show_placement(
            ids['app2'])['placement']
        self.service.placements.delete_placement(placement['id'])
        self.assertRaises(lib_exc.NotFound,
                          self.service.placements.show_placement,
                          placement['id'])
        self.assertEqual([ids['app1']], list(self.member.plans.show_plan(
            plan['id'])['plan']['placements']))
