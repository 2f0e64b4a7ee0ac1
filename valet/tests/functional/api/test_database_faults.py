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

"""The API on a database that does not answer: a port that accepts and
stays silent, and a MariaDB or PostgreSQL server of the test's own paused
(SIGSTOP) in the middle of its work.

Every call must be a 503 with an API-WG body in bounded time, the API
must recover once the server goes on, and a group created during the
pause is either all there or absent. The bounds asserted are generous
ceilings against a wait without end, not timings; the measured times are
attached to each test as its ``timings`` detail.
"""

import time

from oslo_serialization import jsonutils
from testtools import content
import webob

from valet.api import deploy
from valet.db import api as db_api
from valet import policy
from valet.tests import base
from valet.tests.fixtures import database
from valet.tests.fixtures import liveness
from valet.tests.fixtures import private_database

# Groups are made by an administrator, who may ask for the status too.
ADMIN = {'X-User-Id': 'u1', 'X-Project-Id': 'p1',
         'X-Roles': 'admin,member,reader'}
# Each wait for the server gives up after this; a call may take a few.
SERVER_TIMEOUT = 2
# Far above any answer of a run with timeouts; a hang would blow through.
# Polls of the API after the database resumes before giving up.
RECOVERY_ATTEMPTS = 600


class _FaultTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.flags(group='api', auth_strategy='noauth',
                   status_engine_timeout=1)
        self.flags(group='oslo_messaging_notifications', driver=['noop'])
        self.flags(group='database', server_timeout=SERVER_TIMEOUT)
        self.addCleanup(policy.reset, self.conf)
        self.timings = {}
        self.addDetail('timings', content.Content(
            content.UTF8_TEXT, lambda: [jsonutils.dump_as_bytes(
                self.timings, sort_keys=True)]))

    def use_database(self, url):
        """Serve the API on url, configured as a deployment would be."""
        self.flags(group='database', connection=url)
        manager = db_api.new_context_manager(
            **db_api.facade_options(self.conf))
        self.addCleanup(db_api.context_manager.patch_factory(manager))
        self.app = deploy.loadapp(self.conf)

    def request(self, method, path, body=None, timing=None):
        req = webob.Request.blank(path, method=method)
        req.headers.update(ADMIN)
        if body is not None:
            req.body = jsonutils.dump_as_bytes(body)
            req.content_type = 'application/json'
        response, elapsed = liveness.answer(
            self, lambda: req.get_response(self.app),
            '%s %s' % (method, path))
        if timing:
            self.timings[timing] = round(elapsed, 2)
        return response

    def assertUnavailable(self, response):
        self.assertEqual(503, response.status_int, response.body)
        error = response.json['errors'][0]
        self.assertEqual('valet.service_unavailable', error['code'])
        self.assertIn('database', error['detail'])

    def assertStatusUnavailable(self, response):
        self.assertEqual(503, response.status_int, response.body)
        self.assertEqual('unavailable',
                         response.json['status']['database']['status'])


class SilentPortTest(_FaultTest):
    """A database port that accepts connections and never answers."""

    def _check(self, url):
        self.use_database(url)
        self.assertUnavailable(self.request('GET', '/v1/groups',
                                            timing='groups_first'))
        self.assertUnavailable(self.request('GET', '/v1/groups',
                                            timing='groups_again'))
        self.assertStatusUnavailable(self.request('GET', '/v1/status',
                                                  timing='status'))

    def test_mysql(self):
        port = self.useFixture(private_database.SilentPort()).port
        self._check('mysql+pymysql://valet:valet@127.0.0.1:%d/valet' % port)

    def test_postgresql(self):
        port = self.useFixture(private_database.SilentPort()).port
        self._check('postgresql+psycopg2://valet:valet@127.0.0.1:%d/valet'
                    % port)


class _PausedServer(object):
    """A database server of the test's own, paused in the middle."""

    server_class = None

    def setUp(self):
        super().setUp()
        server = self.useFixture(self.server_class(self))
        url = server.create_database('valet')
        self.useFixture(database.Database(url))
        self.server = server
        self.use_database(url)

    def group(self, name):
        return {'name': name, 'type': 'affinity', 'level': 'host',
                'description': 'made while the server was %s' % name}

    def test_paused_then_resumed(self):
        response = self.request('POST', '/v1/groups', self.group('running'))
        self.assertEqual(201, response.status_int, response.body)
        self.assertEqual(200, self.request('GET', '/v1/groups').status_int)

        self.server.pause()
        try:
            self.assertUnavailable(self.request('GET', '/v1/groups',
                                                timing='groups'))
            self.assertStatusUnavailable(self.request(
                'GET', '/v1/status', timing='status'))
            # Either 503 or, had the commit reached the server first, 201.
            response = self.request('POST', '/v1/groups',
                                    self.group('paused'), timing='create')
            self.assertIn(response.status_int, (201, 503), response.body)
            self.timings['create_status'] = response.status_int
            self.assertUnavailable(self.request('GET', '/v1/groups',
                                                timing='groups_again'))
        finally:
            self.server.resume()

        start = time.monotonic()
        for _attempt in range(RECOVERY_ATTEMPTS):
            response = self.request('GET', '/v1/groups')
            if response.status_int == 200:
                break
            self.assertUnavailable(response)
            time.sleep(0.1)
        else:
            self.fail('the API never recovered after %d attempts'
                      % RECOVERY_ATTEMPTS)
        self.timings['recovery'] = round(time.monotonic() - start, 2)

        groups = {group['name']: group for group in response.json['groups']}
        self.assertIn('running', groups)
        self.timings['paused_group'] = ('present' if 'paused' in groups
                                        else 'absent')
        if 'paused' in groups:
            # All there: one transaction wrote the whole group.
            made = self.group('paused')
            self.assertEqual(
                made, {key: groups['paused'][key] for key in made})
        response = self.request('POST', '/v1/groups', self.group('resumed'))
        self.assertEqual(201, response.status_int, response.body)


class MariaDBPausedTest(_PausedServer, _FaultTest):

    server_class = private_database.MariaDBServer


class PostgreSQLPausedTest(_PausedServer, _FaultTest):

    server_class = private_database.PostgreSQLServer
