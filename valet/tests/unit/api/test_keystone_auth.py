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

"""The API behind keystonemiddleware, with tokens a fake Keystone checks."""

import fixtures

from valet.tests.fixtures import api as api_fixtures
from valet.tests.unit.api import base


class KeystoneTokensTest(base.APITestCase):

    auth_strategy = 'keystone'

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.FakeLogger())
        api_fixtures.configure_authtoken(self.conf_fixture)
        api_fixtures.configure_keystone(self.conf_fixture)
        self.keystone = self.useFixture(api_fixtures.FakeKeystone())
        self.keystone.add_token('admin-token', 'admin-user',
                                'admin-project', ['admin', 'member',
                                                  'reader'])
        self.keystone.add_token('reader-token', 'reader-user', 'project-a',
                                ['reader'])

    def _request(self, method, path, token, body=None):
        headers = {} if token is None else {'X-Auth-Token': token}
        return self.request(method, path, body=body, persona=None,
                            headers=headers)

    def test_unknown_token_is_api_wg_401(self):
        response = self._request('GET', '/v1/groups', 'forged-token')
        self.assertError(response, 401, 'valet.unauthenticated')
        self.assertIn('WWW-Authenticate', response.headers)

    def test_valid_token_is_served(self):
        response = self._request('GET', '/v1/groups', 'reader-token')
        self.assertEqual(200, response.status_int)
        self.assertEqual({'groups': []}, response.json)

    def test_roles_come_from_the_token_not_the_headers(self):
        response = self.request(
            'POST', '/v1/groups',
            body={'name': 'g', 'type': 'affinity', 'level': 'host'},
            persona=base.ADMIN, headers={'X-Auth-Token': 'reader-token'})
        self.assertError(response, 403, 'valet.policy.not_authorized')

    def test_members_are_always_checked_with_keystone(self):
        body = {'name': 'g', 'type': 'affinity', 'level': 'host'}
        response = self._request('POST', '/v1/groups', 'admin-token', body)
        self.assertEqual(201, response.status_int)
        response = self._request('PUT', '/v1/groups/g/members',
                                 'admin-token',
                                 {'members': ['project-a', 'ghost']})
        error = self.assertError(response, 400,
                                 'valet.group.unknown_projects')
        self.assertEqual('Unknown project ids: ghost', error['detail'])
        response = self._request('PUT', '/v1/groups/g/members',
                                 'admin-token', {'members': ['project-a']})
        self.assertEqual(['project-a'], response.json['group']['members'])
