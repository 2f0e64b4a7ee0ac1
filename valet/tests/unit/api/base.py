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

"""A test case serving the API in-process on an in-memory database."""

from unittest import mock

import fixtures
from oslo_serialization import jsonutils
import webob

from valet.api import deploy
from valet import policy
from valet.tests import base
from valet.tests.fixtures import database

ENGINE_ANSWER = {'id': 'engine-host-1', 'hosts': 3}

_open = open


def unreadable(path):
    """Patch open() so that opening path fails as a mode 000 file does.

    Tests may run as root, who reads a mode 000 file all the same.
    """
    def opener(file, *args, **kwargs):
        if file == path:
            raise PermissionError(13, 'Permission denied', path)
        return _open(file, *args, **kwargs)

    return mock.patch('builtins.open', opener)


ADMIN = {'user': 'admin-user', 'project': 'admin-project',
         'roles': 'admin,member,reader'}


class APITestCase(base.TestCase):
    """Build the app on self.conf (noauth) and an empty SQLite database."""

    auth_strategy = 'noauth'

    def setUp(self):
        super().setUp()
        self.flags(group='api', auth_strategy=self.auth_strategy)
        self.flags(group='oslo_messaging_notifications', driver=['noop'])
        self.db = self.useFixture(database.Database())
        self.addCleanup(policy.reset, self.conf)
        self._app = None
        # No engine runs in unit tests: its RPC client answers a ping.
        self.engine_api = mock.Mock()
        self.engine_api.return_value.ping.return_value = dict(ENGINE_ANSWER)
        self.useFixture(fixtures.MockPatch(
            'valet.engine.rpcapi.EngineAPI', self.engine_api))

    @property
    def app(self):
        """The application, built on first use (after the flags)."""
        if self._app is None:
            self._app = deploy.loadapp(self.conf)
        return self._app

    def request(self, method, path, body=None, persona=ADMIN, headers=None,
                raw_body=None, content_type='application/json'):
        """Send one request; persona None sends no identity headers."""
        req = webob.Request.blank(path, method=method)
        if persona is not None:
            req.headers['X-User-Id'] = persona['user']
            req.headers['X-Project-Id'] = persona['project']
            req.headers['X-Roles'] = persona['roles']
        if body is not None:
            raw_body = jsonutils.dump_as_bytes(body)
        if raw_body is not None:
            req.body = raw_body
            req.content_type = content_type
        for name, value in (headers or {}).items():
            req.headers[name] = value
        return req.get_response(self.app)

    def assertError(self, response, status, code=None):
        """Assert an API-WG error document with this status (and code)."""
        self.assertEqual(status, response.status_int, response.body)
        self.assertEqual('application/json', response.content_type)
        errors = response.json['errors']
        self.assertEqual(1, len(errors))
        error = errors[0]
        self.assertEqual(status, error['status'])
        self.assertTrue(error['request_id'].startswith('req-'))
        self.assertTrue(error['title'])
        self.assertTrue(error['detail'])
        self.assertEqual(response.headers['x-openstack-request-id'],
                         error['request_id'])
        if code is not None:
            self.assertEqual(code, error['code'])
        return error
