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

"""Tests of the fault wrapper (valet/api/fault_wrap.py)."""

import fixtures
from oslo_db import exception as db_exc
from oslo_middleware import request_id
import webob

from valet.api import errors
from valet.api import fault_wrap
from valet import exception
from valet.tests import base


def _raising(exc):
    def app(environ, start_response):
        raise exc
    return app


class FaultWrapperTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.log = self.useFixture(fixtures.FakeLogger())

    def _get(self, exc):
        req = webob.Request.blank('/')
        req.environ[request_id.ENV_REQUEST_ID] = 'req-1'
        return req.get_response(fault_wrap.FaultWrapper(_raising(exc)))

    def test_bug_is_500_without_traceback(self):
        response = self._get(ValueError('secret internals'))
        self.assertEqual(500, response.status_int)
        error = response.json['errors'][0]
        self.assertEqual('valet.error', error['code'])
        self.assertEqual('req-1', error['request_id'])
        self.assertNotIn(b'secret internals', response.body)
        self.assertNotIn(b'Traceback', response.body)
        self.assertIn('Traceback', self.log.output)
        self.assertIn('secret internals', self.log.output)

    def test_backend_unavailable_is_503(self):
        response = self._get(exception.ServiceUnavailable(reason='db'))
        self.assertEqual(503, response.status_int)
        self.assertEqual('valet.service_unavailable',
                         response.json['errors'][0]['code'])

    def test_database_connection_error_is_503(self):
        response = self._get(db_exc.DBConnectionError('down'))
        self.assertEqual(503, response.status_int)

    def test_http_error_passes(self):
        response = self._get(errors.Conflict('taken', code='valet.c'))
        self.assertEqual(409, response.status_int)
        self.assertEqual('valet.c', response.json['errors'][0]['code'])
