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

"""Tests of the /v1/placements handlers, valet-engine mocked."""

from unittest import mock

from valet import context
from valet.db import placements as db_placements
from valet.db import plans as db_plans
from valet import exception
from valet.tests.unit.api import base
from valet.tests.unit.api import plan_fakes

READER_A = {'user': 'reader-a', 'project': 'project-a', 'roles': 'reader'}
READER_B = {'user': 'reader-b', 'project': 'project-b', 'roles': 'reader'}
SERVICE = {'user': 'nova', 'project': 'service', 'roles': 'service'}

PLACEMENT_KEYS = ['id', 'location', 'metadata', 'name', 'orchestration_id',
                  'plan_id', 'rack', 'reserved', 'resource_id', 'state']


class PlacementTestCase(base.APITestCase):

    def setUp(self):
        super().setUp()
        self.engine = self.engine_api.return_value
        self.ctx = context.RequestContext(config=self.conf)
        self.plan = plan_fakes.store_plan(
            self.conf, 'project-a', {'web1': 'h-r1-1', 'web2': 'h-r2-1'},
            stack_id='stack-a', hints={'heat_path_in_stack': 'top,web'})
        plan_fakes.store_plan(self.conf, 'project-b', {'db1': 'h-r1-2'},
                              stack_id='stack-b')
        self.web1 = self.placement('web1')

    def placement(self, name):
        return db_placements.list_placements(self.ctx, {'name': name})[0]

    def names(self, response):
        self.assertEqual(200, response.status_int, response.body)
        return sorted(p['name'] for p in response.json['placements'])


class ListPlacementsTest(PlacementTestCase):

    def test_admin_and_service_see_every_project(self):
        for persona in (base.ADMIN, SERVICE):
            response = self.request('GET', '/v1/placements', persona=persona)
            self.assertEqual(['db1', 'web1', 'web2'], self.names(response))

    def test_reader_sees_own_project(self):
        self.assertEqual(['web1', 'web2'], self.names(
            self.request('GET', '/v1/placements', persona=READER_A)))
        self.assertEqual(['db1'], self.names(
            self.request('GET', '/v1/placements', persona=READER_B)))
        # Asking for another project's does not widen the view.
        self.assertEqual([], self.names(self.request(
            'GET', '/v1/placements?project_id=project-b',
            persona=READER_A)))

    def test_body_has_the_contract_fields(self):
        response = self.request('GET', '/v1/placements?name=web1')
        [placement] = response.json['placements']
        self.assertEqual(PLACEMENT_KEYS, sorted(placement))
        self.assertEqual(
            {'id': self.web1['id'], 'name': 'web1',
             'orchestration_id': self.web1['orchestration_id'],
             'resource_id': None, 'plan_id': self.plan['id'],
             'location': 'h-r1-1', 'rack': 'r1', 'reserved': False,
             'state': 'planned',
             'metadata': {'heat_root_stack_id': 'stack-a',
                          'heat_resource_name': 'web1',
                          'heat_path_in_stack': 'top,web'}},
            placement)

    def test_field_and_hint_filters(self):
        for query, names in (
                ('heat_root_stack_id=stack-a', ['web1', 'web2']),
                ('heat_root_stack_id=stack-a&heat_resource_name=web2',
                 ['web2']),
                ('heat_path_in_stack=top%2Cweb', ['web1', 'web2']),
                ('location=h-r1-2', ['db1']),
                ('rack=r1', ['db1', 'web1']),
                ('plan_id=%s' % self.plan['id'], ['web1', 'web2']),
                ('orchestration_id=%s' % self.web1['orchestration_id'],
                 ['web1']),
                ('state=planned&reserved=false', ['db1', 'web1', 'web2']),
                ('reserved=true', []),
                ('heat_resource_name=nothing', [])):
            response = self.request('GET', '/v1/placements?' + query)
            self.assertEqual(names, self.names(response), query)

    def test_bad_queries(self):
        for query, field in (('reserved=yes', 'reserved'),
                             ('state=running', 'state'),
                             ('name=', 'name'),
                             ('heat_resource_name=a%00b',
                              'heat_resource_name'),
                             ('location=' + 'h' * 256, 'location'),
                             ('k' * 65 + '=v', 'parameter name'),
                             ('name=a&name=b', 'more than once')):
            response = self.request('GET', '/v1/placements?' + query)
            detail = self.assertError(response, 400, 'valet.invalid')[
                'detail']
            self.assertIn(field, detail, query)


class ShowDeletePlacementTest(PlacementTestCase):

    def test_show_by_id_and_orchestration_id(self):
        for key in (self.web1['id'], self.web1['orchestration_id']):
            response = self.request('GET', '/v1/placements/%s' % key,
                                    persona=READER_A)
            self.assertEqual(200, response.status_int, response.body)
            self.assertEqual(self.web1['id'],
                             response.json['placement']['id'])
            self.assertNotIn('project_id', response.json['placement'])

    def test_other_projects_placement_is_not_found(self):
        path = '/v1/placements/%s' % self.web1['id']
        error = self.assertError(self.request('GET', path, persona=READER_B),
                                 404, 'valet.placement.not_found')
        self.assertIn(self.web1['id'], error['detail'])

    def test_show_missing(self):
        self.assertError(self.request('GET', '/v1/placements/nothing'), 404,
                         'valet.placement.not_found')

    def test_delete(self):
        path = '/v1/placements/%s' % self.web1['orchestration_id']
        response = self.request('DELETE', path, persona=SERVICE)
        self.assertEqual(204, response.status_int, response.body)
        self.assertEqual(b'', response.body)
        self.assertError(self.request('GET', path), 404,
                         'valet.placement.not_found')
        self.assertFalse(self.engine.method_calls)

    def test_reader_may_not_delete(self):
        path = '/v1/placements/%s' % self.web1['id']
        self.assertError(self.request('DELETE', path, persona=READER_A),
                         403, 'valet.policy.not_authorized')
        self.assertEqual(200, self.request('GET', path).status_int)


class ReservePlacementTest(PlacementTestCase):

    def reserve(self, locations, resource_id='vm-1', action=None,
                placement=None):
        body = {'locations': locations, 'resource_id': resource_id}
        if action:
            body['action'] = action
        placement = placement or self.web1
        return self.request('POST', '/v1/placements/%s' % placement['id'],
                            body=body, persona=SERVICE)

    def test_planned_host_is_reserved_without_the_engine(self):
        response = self.reserve(['h-r9-9', 'h-r1-1'], action='reserve')
        self.assertEqual(200, response.status_int, response.body)
        placement = response.json['placement']
        self.assertEqual(PLACEMENT_KEYS, sorted(placement))
        self.assertEqual(('h-r1-1', True, 'vm-1', 'reserved'),
                         (placement['location'], placement['reserved'],
                          placement['resource_id'], placement['state']))
        # The hot path: not one call to the engine.
        self.assertFalse(self.engine.method_calls)
        self.assertTrue(self.placement('web1')['reserved'])

    def test_action_defaults_to_reserve(self):
        response = self.reserve(['h-r1-1'])
        self.assertEqual(200, response.status_int, response.body)
        self.assertFalse(self.engine.method_calls)

    def test_by_orchestration_id(self):
        response = self.request(
            'POST', '/v1/placements/%s' % self.web1['orchestration_id'],
            body={'locations': ['h-r1-1'], 'resource_id': 'vm-1'})
        self.assertEqual(self.web1['id'], response.json['placement']['id'])

    def test_reserving_again_for_the_same_server(self):
        self.reserve(['h-r1-1'])
        response = self.reserve(['h-r1-1'])
        self.assertEqual(200, response.status_int, response.body)

    def _engine_moves_it_to(self, host):
        def replan(ctx, placement_id, locations, timeout=None):
            # What the engine stores: the placement on its new host.
            orchestration_id = self.web1['orchestration_id']
            db_plans.change_plan(self.ctx, self.plan['id'], {}, moved={
                orchestration_id: {'location': host,
                                   'rack': host.split('-')[1]}})
            return db_placements.get_placement(self.ctx, placement_id)
        self.engine.replan_server.side_effect = replan

    def test_planned_host_not_offered_replans(self):
        self._engine_moves_it_to('h-r3-1')
        response = self.reserve(['h-r3-1', 'h-r3-2'])
        self.assertEqual(200, response.status_int, response.body)
        self.engine.replan_server.assert_called_once_with(
            mock.ANY, self.web1['id'], ['h-r3-1', 'h-r3-2'], timeout=60)
        placement = response.json['placement']
        self.assertEqual(('h-r3-1', 'r3', True, 'vm-1'),
                         (placement['location'], placement['rack'],
                          placement['reserved'], placement['resource_id']))

    def test_replan_action_always_asks_the_engine(self):
        self._engine_moves_it_to('h-r1-3')
        response = self.reserve(['h-r1-1', 'h-r1-3'], action='replan')
        self.assertEqual(200, response.status_int, response.body)
        self.assertTrue(self.engine.replan_server.called)
        self.assertEqual('h-r1-3', response.json['placement']['location'])

    def test_rescheduled_server_keeps_its_reservation_while_moving(self):
        self.reserve(['h-r1-1'])
        self._engine_moves_it_to('h-r2-2')
        # Nova's build on h-r1-1 failed: it asks again without that host.
        response = self.reserve(['h-r2-2'])
        self.assertEqual(200, response.status_int, response.body)
        self.assertEqual('h-r2-2', response.json['placement']['location'])

    def test_reserved_by_another_server_is_409_before_the_engine(self):
        self.reserve(['h-r1-1'], resource_id='vm-1')
        for locations, action in ((['h-r1-1'], None),
                                  (['h-r2-2'], None),
                                  (['h-r1-1'], 'replan')):
            response = self.reserve(locations, resource_id='vm-2',
                                    action=action)
            error = self.assertError(response, 409,
                                     'valet.placement.reserved')
            self.assertIn('vm-1', error['detail'])
        self.assertFalse(self.engine.method_calls)

    def test_no_host_in_locations_is_409(self):
        self.engine.replan_server.side_effect = exception.NoPlacement(
            reason="affinity 'web-aff' (rack): 2 hosts excluded")
        response = self.reserve(['h-r5-1', 'h-r5-2'])
        error = self.assertError(response, 409, 'valet.plan.no_placement')
        self.assertIn("affinity 'web-aff' (rack): 2 hosts excluded",
                      error['detail'])
        self.assertFalse(self.placement('web1')['reserved'])

    def test_engine_down_is_503(self):
        self.engine.replan_server.side_effect = (
            exception.ServiceUnavailable(reason='no valet-engine answered'))
        self.assertError(self.reserve(['h-r5-1']), 503,
                         'valet.service_unavailable')

    def test_missing_placement(self):
        response = self.request(
            'POST', '/v1/placements/nothing', persona=SERVICE,
            body={'locations': ['h-r1-1'], 'resource_id': 'vm-1'})
        self.assertError(response, 404, 'valet.placement.not_found')

    def test_bad_bodies(self):
        for body, field in (
                ({'resource_id': 'vm-1'}, 'locations'),
                ({'locations': ['h-r1-1']}, 'resource_id'),
                ({'locations': [], 'resource_id': 'vm-1'}, 'locations'),
                ({'locations': ['h', 'h'], 'resource_id': 'vm-1'},
                 'locations'),
                ({'locations': [''], 'resource_id': 'vm-1'}, 'locations/0'),
                ({'locations': [7], 'resource_id': 'vm-1'}, 'locations/0'),
                ({'locations': ['h'], 'resource_id': ''}, 'resource_id'),
                ({'locations': ['h'], 'resource_id': 'vm-1',
                  'action': 'take'}, 'action'),
                ({'locations': ['h'], 'resource_id': 'vm-1', 'x': 1}, 'x')):
            response = self.request(
                'POST', '/v1/placements/%s' % self.web1['id'], body=body,
                persona=SERVICE)
            detail = self.assertError(response, 400, 'valet.invalid')[
                'detail']
            self.assertIn(field, detail, body)
        self.assertFalse(self.placement('web1')['reserved'])

    def test_reader_and_member_may_not_reserve(self):
        member = {'user': 'm', 'project': 'project-a',
                  'roles': 'member,reader'}
        for persona in (READER_A, member):
            response = self.request(
                'POST', '/v1/placements/%s' % self.web1['id'],
                body={'locations': ['h-r1-1'], 'resource_id': 'vm-1'},
                persona=persona)
            self.assertError(response, 403, 'valet.policy.not_authorized')
