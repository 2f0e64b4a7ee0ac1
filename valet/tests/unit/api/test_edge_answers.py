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

"""Answers made outside the handlers: headers, /healthcheck, links.

Issue #8, defect 7: the 401, 413 and 500 answers lacked the
OpenStack-API-Version header, /healthcheck answered TRACE, and links were
built from whatever Host header the caller sent.
"""

from unittest import mock

import fixtures
import sqlalchemy as sa

from valet.api import healthcheck
from valet.api import microversion
from valet.tests.unit.api import base

HEADER = 'OpenStack-API-Version'
GROUP = {'name': 'web', 'type': 'affinity', 'level': 'host'}


class VersionHeaderOnEveryAnswerTest(base.APITestCase):

    def setUp(self):
        super().setUp()
        self.log = self.useFixture(fixtures.FakeLogger())

    def _assert_versioned(self, response, status, version='valet 1.0'):
        self.assertEqual(status, response.status_int, response.body)
        self.assertEqual(version, response.headers.get(HEADER))
        self.assertIn(HEADER.lower(), response.headers['Vary'].lower())

    def test_413(self):
        self.flags(group='oslo_middleware', max_request_body_size=1024)
        response = self.request('POST', '/v1/groups',
                                raw_body=b'{"name": "%s"}' % (b'x' * 2000),
                                headers={HEADER: 'valet 1.0'})
        self.assertError(response, 413)
        self._assert_versioned(response, 413)

    def test_500_of_the_fault_wrapper(self):
        with mock.patch('valet.db.groups.list_groups',
                        side_effect=RuntimeError('bug')):
            response = self.request('GET', '/v1/groups')
        self.assertError(response, 500)
        self._assert_versioned(response, 500)

    def test_500_of_the_authentication_layer(self):
        with mock.patch('valet.api.auth.NoAuthMiddleware.__call__',
                        side_effect=RuntimeError('bug')):
            response = self.request('GET', '/v1/groups')
        self.assertError(response, 500)
        self._assert_versioned(response, 500)

    def test_healthcheck(self):
        self._assert_versioned(self.request('GET', '/healthcheck'), 200)

    def test_latest_is_answered_as_the_version_served(self):
        with mock.patch('valet.db.groups.list_groups',
                        side_effect=RuntimeError('bug')):
            response = self.request('GET', '/v1/groups',
                                    headers={HEADER: 'valet latest'})
        self._assert_versioned(
            response, 500, 'valet ' + microversion.max_version_string())


class VersionHeaderOn401Test(base.APITestCase):

    auth_strategy = 'keystone'

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.FakeLogger())
        self.flags(group='keystone_authtoken',
                   www_authenticate_uri='http://keystone.test/v3')

    def test_401(self):
        response = self.request('GET', '/v1/groups', persona=None)
        self.assertError(response, 401, 'valet.unauthenticated')
        self.assertEqual('valet 1.0', response.headers.get(HEADER))
        self.assertIn(HEADER.lower(), response.headers['Vary'].lower())

    def test_401_with_a_version_asked(self):
        response = self.request('GET', '/v1/groups', persona=None,
                                headers={HEADER: 'valet latest'})
        self.assertError(response, 401)
        self.assertEqual('valet ' + microversion.max_version_string(),
                         response.headers.get(HEADER))

    def test_401_with_an_unsupported_version_asked(self):
        # Auth answers before the version is checked; no version applies
        # (as on the 406 the microversion layer would answer).
        response = self.request('GET', '/v1/groups', persona=None,
                                headers={HEADER: 'valet 9.9'})
        self.assertError(response, 401)
        self.assertNotIn(HEADER, response.headers)
        self.assertIn(HEADER.lower(), response.headers['Vary'].lower())


class HealthcheckMethodsTest(base.APITestCase):

    def test_get_and_head(self):
        self.assertEqual(200, self.request('GET', '/healthcheck').status_int)
        # oslo.middleware answers a healthy HEAD with 204.
        self.assertEqual(204, self.request('HEAD', '/healthcheck').status_int)

    def test_other_methods_are_405(self):
        for method in ('TRACE', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'):
            response = self.request(method, '/healthcheck')
            error = self.assertError(response, 405,
                                     'valet.method_not_allowed')
            self.assertIn(method, error['detail'])
            self.assertEqual('GET, HEAD', response.headers['Allow'])

    def test_declined_by_source_ranges(self):
        # oslo.middleware's healthcheck declines a caller outside
        # [healthcheck] allowed_source_ranges: the path is then just not
        # one of the API's (it used to be a 500).
        self.flags(group='healthcheck', allowed_source_ranges=['10.0.0.0/8'])
        response = self.request('GET', '/healthcheck')
        self.assertError(response, 404)


class LinksTest(base.APITestCase):

    def _root_link(self, headers=None):
        response = self.request('GET', '/', persona=None,
                                headers=headers or {})
        self.assertEqual(200, response.status_int)
        return response.json['versions'][0]['links'][0]['href']

    def test_proxy_headers_ignored_unless_enabled(self):
        # [oslo_middleware] enable_proxy_headers_parsing is off by default:
        # a client cannot rewrite the links with X-Forwarded-*.
        self.assertEqual('http://localhost/v1/', self._root_link(
            {'X-Forwarded-Proto': 'https',
             'X-Forwarded-Host': 'evil.example'}))

    def test_public_endpoint_makes_the_links(self):
        self.flags(group='api',
                   public_endpoint='https://cloud.example:8443/valet')
        self.assertEqual('https://cloud.example:8443/valet/v1/',
                         self._root_link({'Host': 'evil.example'}))
        response = self.request('POST', '/v1/groups', body=GROUP,
                                headers={'Host': 'evil.example'})
        self.assertEqual(201, response.status_int, response.body)
        self.assertTrue(response.headers['Location'].startswith(
            'https://cloud.example:8443/valet/v1/groups/'))

    def test_public_endpoint_wins_over_proxy_headers(self):
        self.flags(group='oslo_middleware', enable_proxy_headers_parsing=True)
        self.flags(group='api', public_endpoint='https://cloud.example/')
        self.assertEqual('https://cloud.example/v1/', self._root_link(
            {'X-Forwarded-Host': 'evil.example'}))

    def test_without_public_endpoint_the_host_makes_the_links(self):
        response = self.request('POST', '/v1/groups', body=GROUP,
                                headers={'Host': 'api.example:8090'})
        self.assertEqual(201, response.status_int, response.body)
        self.assertTrue(response.headers['Location'].startswith(
            'http://api.example:8090/v1/groups/'))


class DatabaseHealthcheckTest(base.APITestCase):
    """/healthcheck says 503 when the database is down (issue #8, 4)."""

    def setUp(self):
        super().setUp()
        self.log = self.useFixture(fixtures.FakeLogger())
        self.tmp = self.useFixture(fixtures.TempDir()).path

    def _database_down(self):
        # A SQLite file in a directory that does not exist: every
        # connection fails, as with a database server that is down.
        engine = sa.create_engine(
            'sqlite:///%s/missing/valet.sqlite' % self.tmp)
        self.addCleanup(engine.dispose)
        self.useFixture(fixtures.MockPatch('valet.db.api.get_engine',
                                           return_value=engine))

    def test_enabled_by_default(self):
        self.assertEqual([healthcheck.DATABASE_BACKEND],
                         self.conf.healthcheck.backends)

    def test_database_up(self):
        response = self.request('GET', '/healthcheck',
                                headers={'Accept': 'application/json'})
        self.assertEqual(200, response.status_int)
        self.assertEqual(['The database answers.'],
                         response.json['reasons'])

    def test_database_down(self):
        self._database_down()
        response = self.request('GET', '/healthcheck',
                                headers={'Accept': 'application/json'})
        self.assertEqual(503, response.status_int)
        self.assertEqual(['The database is unavailable.'],
                         response.json['reasons'])
        self.assertNotIn(self.tmp, response.text)
        self.assertIn('the database is unavailable', self.log.output)
        self.assertEqual(503, self.request('HEAD', '/healthcheck').status_int)
