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

"""What anybody may ask, and what nobody may ask without a token."""

import uuid

from valet.tests.e2e import base


class TestVersions(base.E2ETestCase):
    """GET / and GET /v1 need no token."""

    def _check_versions(self, response):
        self.assertEqual(200, response.status_code, response.text)
        self.assertTrue(response.headers['x-openstack-request-id']
                        .startswith('req-'))
        versions = response.json()['versions']
        self.assertEqual(1, len(versions))
        version = versions[0]
        self.assertEqual('v1.0', version['id'])
        self.assertEqual('CURRENT', version['status'])
        self.assertEqual('1.0', version['min_version'])
        self.assertEqual(
            [{'href': self.valet_url + '/v1/', 'rel': 'self'}],
            version['links'])

    def test_root_without_token(self):
        self._check_versions(self.anonymous.get('/'))

    def test_v1_without_token(self):
        self._check_versions(self.anonymous.get('/v1'))

    def test_versions_with_a_bogus_token(self):
        # The version document is public: a bad token does not matter.
        self._check_versions(self.anonymous.get(
            '/v1', headers={'X-Auth-Token': uuid.uuid4().hex}))

    def test_healthcheck_without_token(self):
        response = self.anonymous.get('/healthcheck')
        self.assertEqual(200, response.status_code, response.text)
        self.assertIn('x-openstack-request-id', response.headers)


class TestUnauthenticated(base.E2ETestCase):
    """401 on every protected route without an identity."""

    ROUTES = [
        ('GET', '/v1/groups'),
        ('POST', '/v1/groups'),
        ('GET', '/v1/groups/any'),
        ('PUT', '/v1/groups/any'),
        ('DELETE', '/v1/groups/any'),
        ('PUT', '/v1/groups/any/members'),
        ('DELETE', '/v1/groups/any/members'),
        ('GET', '/v1/groups/any/members/p'),
        ('DELETE', '/v1/groups/any/members/p'),
        ('GET', '/v1/status'),
    ]

    def test_no_token(self):
        for method, path in self.ROUTES:
            response = self.anonymous.request(method, path)
            error = self.assertError(response, 401)
            self.assertEqual('Unauthorized', error['title'],
                             '%s %s' % (method, path))
            if self.auth == 'keystone':
                self.assertIn(self.accounts['auth_url'],
                              response.headers['WWW-Authenticate'])

    def test_bogus_token(self):
        if self.auth != 'keystone':
            self.skipTest('noauth: Valet reads no token')
        for token in (uuid.uuid4().hex, 'gAAAAA' + 'x' * 180):
            for method, path in self.ROUTES:
                response = self.anonymous.request(
                    method, path, headers={'X-Auth-Token': token})
                self.assertError(response, 401)

    def test_request_id_on_errors(self):
        first = self.anonymous.get('/v1/groups')
        second = self.anonymous.get('/v1/groups')
        ids = {first.headers['x-openstack-request-id'],
               second.headers['x-openstack-request-id']}
        self.assertEqual(2, len(ids))
