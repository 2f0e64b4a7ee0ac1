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

"""The plans and placements samples of the API reference, for real.

A real valet-engine plans on the samples' data center (32 racks of 32
hosts); its search is deterministic, so the hosts in the samples are the
ones it chooses. The samples follow one stack's life: created, read, its
first server reserved by Nova's filter, updated with a third server, then
that first server migrated.
"""

from valet.tests.functional.api import samples

STACK_ID = '5a0e8c1e-7d4f-4b8e-9a51-3c2f6d7e8b90'
WEB1 = '0b8f3c2e-91d4-4a6d-9c3e-5f7a2b4d6e81'


class TestPlanSamples(samples.SamplesTestCase):
    """Each plans or placements sample is what the API really answers."""

    RESPONSE_SAMPLES = frozenset([
        'plans/plan-create-response.json',
        'plans/plans-list-response.json',
        'plans/plan-show-response.json',
        'plans/plan-update-response.json',
        'plans/plan-migrate-response.json',
        'placements/placements-list-response.json',
        'placements/placement-show-response.json',
        'placements/placement-reserve-response.json',
        'errors/plan-not-found-response.json',
        'errors/plan-no-placement-response.json',
        'errors/placement-reserved-response.json',
    ])
    REQUEST_SAMPLES = frozenset([
        'plans/plan-create-request.json',
        'plans/plan-update-request.json',
        'plans/plan-migrate-request.json',
        'placements/placement-reserve-request.json',
    ])

    def setUp(self):
        super().setUp()
        self.start_engine()

    def create_plan(self):
        """Place the stack of the create request sample; return the answer."""
        body = samples.load_sample('plans/plan-create-request.json')
        return self.call('POST', '/v1/plans', body, 201)

    def reserve_web1(self, status=200, **changes):
        """Send the reserve request sample for web1 (Nova's filter)."""
        body = samples.load_sample('placements/placement-reserve-request.json')
        body.update(changes)
        return self.call('POST', '/v1/placements/%s' % WEB1, body, status,
                         roles='service')

    def test_create_plan(self):
        response = self.create_plan()
        self.assertMatchesSample('plans/plan-create-response.json', response)
        self.assertEqual(
            '%s/v1/plans/%s' % (samples.BASE_URL, response.json['plan']['id']),
            response.location)

    def test_list_plans(self):
        self.create_plan()
        self.assertMatchesSample('plans/plans-list-response.json',
                                 self.call('GET', '/v1/plans'))

    def test_show_plan(self):
        self.create_plan()
        self.assertMatchesSample('plans/plan-show-response.json',
                                 self.call('GET', '/v1/plans/' + STACK_ID))

    def test_list_placements(self):
        self.create_plan()
        self.assertMatchesSample(
            'placements/placements-list-response.json',
            self.call('GET', '/v1/placements?heat_root_stack_id=' + STACK_ID))

    def test_show_placement(self):
        self.create_plan()
        self.assertMatchesSample(
            'placements/placement-show-response.json',
            self.call('GET', '/v1/placements/' + WEB1, roles='reader'))

    def test_reserve_placement(self):
        self.create_plan()
        self.assertMatchesSample('placements/placement-reserve-response.json',
                                 self.reserve_web1())

    def test_placement_reserved(self):
        self.create_plan()
        self.reserve_web1()
        self.assertMatchesSample(
            'errors/placement-reserved-response.json',
            self.reserve_web1(
                409, resource_id='1d2c3b4a-5f6e-4d7c-8b9a-0f1e2d3c4b5a'))

    def _updated(self):
        self.create_plan()
        self.reserve_web1()
        body = samples.load_sample('plans/plan-update-request.json')
        return self.call('PUT', '/v1/plans/' + STACK_ID, body)

    def test_update_plan(self):
        self.assertMatchesSample('plans/plan-update-response.json',
                                 self._updated())

    def test_migrate_server(self):
        self._updated()
        body = samples.load_sample('plans/plan-migrate-request.json')
        self.assertMatchesSample(
            'plans/plan-migrate-response.json',
            self.call('PUT', '/v1/plans/' + STACK_ID, body, roles='service'))

    def test_plan_not_found(self):
        self.assertMatchesSample(
            'errors/plan-not-found-response.json',
            self.call('GET', '/v1/plans/web-stack', status=404))

    def test_no_placement(self):
        # Two servers that may not share a host, limited to one host.
        server = {'type': 'OS::Nova::Server',
                  'properties': {'flavor': 'm1.small'}}
        body = {
            'plan_name': 'db-pair',
            'stack_id': '8c7b6a59-4d3e-4f2a-9b1c-0d9e8f7a6b5c',
            'resources': {
                '1a2b3c4d-0000-4e5f-8a9b-0c1d2e3f4a5b': dict(server,
                                                             name='db1'),
                '1a2b3c4d-1111-4e5f-8a9b-0c1d2e3f4a5b': dict(server,
                                                             name='db2'),
                '1a2b3c4d-2222-4e5f-8a9b-0c1d2e3f4a5b': {
                    'name': 'db-diversity',
                    'type': 'ATT::Valet::GroupAssignment',
                    'properties': {'group_type': 'diversity',
                                   'level': 'host',
                                   'resources': ['db1', 'db2']}}},
            'locations': ['r01-h01']}
        response = self.call('POST', '/v1/plans', body, 409)
        self.assertMatchesSample('errors/plan-no-placement-response.json',
                                 response)
        self.assertIn('diversity', response.json['errors'][0]['detail'])
