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

"""The samples of the API reference against the real application.

Versions, status, groups and their errors; the plans and placements
samples are checked by test_api_samples_plans. A sample that drifts from
the code, or a sample no test uses, fails these tests (see
:mod:`valet.tests.functional.api.samples` for how they compare).
"""

from valet.tests.functional.api import samples
from valet.tests.functional.api import test_api_samples_plans


class TestAPISamples(samples.SamplesTestCase):
    """Each response sample is what the API really answers."""

    # The samples this class compares with real responses, and the
    # request samples it sends; test_every_sample_is_used checks that no
    # file is left out.
    RESPONSE_SAMPLES = frozenset([
        'versions/versions-response.json',
        'versions/v1-response.json',
        'status/status-response.json',
        'status/status-unavailable-response.json',
        'groups/group-create-response.json',
        'groups/groups-list-response.json',
        'groups/group-show-response.json',
        'groups/group-update-response.json',
        'groups/group-members-update-response.json',
        'errors/group-not-found-response.json',
        'errors/group-name-exists-response.json',
        'errors/group-immutable-response.json',
        'errors/group-unknown-projects-response.json',
        'errors/microversion-unsupported-response.json',
        'errors/policy-not-authorized-response.json',
    ])
    REQUEST_SAMPLES = frozenset([
        'groups/group-create-request.json',
        'groups/group-update-request.json',
        'groups/group-members-update-request.json',
    ])

    def create_sample_group(self):
        """Create the group of the create request sample; return it."""
        body = samples.load_sample('groups/group-create-request.json')
        return self.call('POST', '/v1/groups', body, 201).json['group']

    def create_db_excl(self):
        """Create the exclusivity group the list and show samples hold."""
        group = self.call('POST', '/v1/groups', {
            'name': 'db-excl', 'type': 'exclusivity', 'level': 'host',
            'description': 'Database hosts run nothing else'}, 201)
        group_id = group.json['group']['id']
        self.call('PUT', '/v1/groups/%s/members' % group_id,
                  {'members': [samples.SAMPLE_PROJECTS[0]]})
        return group_id

    def test_every_sample_is_used(self):
        plans = test_api_samples_plans.TestPlanSamples
        self.assertEqual(
            sorted(self.RESPONSE_SAMPLES | self.REQUEST_SAMPLES |
                   plans.RESPONSE_SAMPLES | plans.REQUEST_SAMPLES),
            samples.sample_names())

    def test_differences_sees_drift(self):
        # The comparison itself must catch what these tests rely on it
        # to catch, or every test below could pass vacuously.
        sample = {'group': {'id': '6f1a9b6e-3c5d-4b7a-9e8f-2d4c6b8a0e1f',
                            'members': ['a'], 'detail': 'x', 'hosts': 1}}
        self.assertEqual([], samples.differences(sample, {'group': {
            'id': '0b7c2e94-5a1f-4d3e-8c6b-9f2a4e7d1c38',
            'members': ['a'], 'detail': 'y', 'hosts': 1}}))
        found = samples.differences(sample, {'group': {
            'id': 7, 'members': [], 'detail': None, 'extra': 1}})
        self.assertEqual([
            "$.group: key 'hosts' missing from the response",
            "$.group: key 'extra' not in the sample",
            '$.group.detail: string in the sample, null in the response',
            '$.group.id: string in the sample, integer in the response (7)',
            '$.group.members: 1 items in the sample, 0 in the response',
        ], found)
        self.assertEqual(1, len(samples.differences(sample, {'group': dict(
            sample['group'], hosts=True)})))
        self.assertEqual(1, len(samples.differences(sample, {'group': dict(
            sample['group'], members=['b'])})))

    def test_versions(self):
        self.assertMatchesSample('versions/versions-response.json',
                                 self.call('GET', '/'))

    def test_version_1(self):
        self.assertMatchesSample('versions/v1-response.json',
                                 self.call('GET', '/v1'))

    def test_microversion_unsupported(self):
        self.assertMatchesSample(
            'errors/microversion-unsupported-response.json',
            self.call('GET', '/v1', status=406, version=None,
                      headers={'OpenStack-API-Version': 'valet 1.5'}))

    def test_status(self):
        self.start_engine()
        self.assertMatchesSample('status/status-response.json',
                                 self.call('GET', '/v1/status'))
        self.assertEqual(b'', self.call('HEAD', '/v1/status').body)

    def test_status_unavailable(self):
        # No engine listens on the bus.
        self.assertMatchesSample(
            'status/status-unavailable-response.json',
            self.call('GET', '/v1/status', status=503))
        self.call('HEAD', '/v1/status', status=503)

    def test_create_group(self):
        body = samples.load_sample('groups/group-create-request.json')
        response = self.call('POST', '/v1/groups', body, 201)
        self.assertMatchesSample('groups/group-create-response.json',
                                 response)
        self.assertEqual(
            '%s/v1/groups/%s' % (samples.BASE_URL,
                                 response.json['group']['id']),
            response.location)

    def test_list_groups(self):
        self.create_sample_group()
        self.create_db_excl()
        self.assertMatchesSample('groups/groups-list-response.json',
                                 self.call('GET', '/v1/groups'))

    def test_show_group(self):
        self.create_db_excl()
        self.assertMatchesSample('groups/group-show-response.json',
                                 self.call('GET', '/v1/groups/db-excl'))

    def test_update_group(self):
        group = self.create_sample_group()
        body = samples.load_sample('groups/group-update-request.json')
        self.assertMatchesSample(
            'groups/group-update-response.json',
            self.call('PUT', '/v1/groups/%s' % group['id'], body))

    def test_add_members(self):
        group = self.create_sample_group()
        body = samples.load_sample('groups/group-members-update-request.json')
        self.assertMatchesSample(
            'groups/group-members-update-response.json',
            self.call('PUT', '/v1/groups/%s/members' % group['id'], body))

    def test_group_not_found(self):
        self.assertMatchesSample(
            'errors/group-not-found-response.json',
            self.call('GET', '/v1/groups/web', status=404))

    def test_group_name_exists(self):
        self.create_sample_group()
        body = samples.load_sample('groups/group-create-request.json')
        self.assertMatchesSample(
            'errors/group-name-exists-response.json',
            self.call('POST', '/v1/groups', body, 409))

    def test_group_immutable(self):
        group = self.create_sample_group()
        self.assertMatchesSample(
            'errors/group-immutable-response.json',
            self.call('PUT', '/v1/groups/%s' % group['id'],
                      {'level': 'host'}, 400))

    def test_policy_not_authorized(self):
        body = samples.load_sample('groups/group-create-request.json')
        self.assertMatchesSample(
            'errors/policy-not-authorized-response.json',
            self.call('POST', '/v1/groups', body, 403, roles='member,reader'))

    def test_group_unknown_projects(self):
        group = self.create_sample_group()
        body = {'members': ([samples.SAMPLE_PROJECTS[0]] +
                            list(samples.UNKNOWN_PROJECTS))}
        self.assertMatchesSample(
            'errors/group-unknown-projects-response.json',
            self.call('PUT', '/v1/groups/%s/members' % group['id'], body,
                      400))
        # Nothing of a refused request is stored.
        self.assertEqual(
            [], self.call('GET', '/v1/groups/%s' % group['id'])
            .json['group']['members'])
