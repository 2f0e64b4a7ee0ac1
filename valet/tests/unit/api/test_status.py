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

"""Tests of GET/HEAD /v1/status."""

from unittest import mock

from sqlalchemy import exc as sa_exc

from valet import exception
from valet.tests.unit.api import base


class StatusTest(base.APITestCase):

    def test_all_up(self):
        response = self.request('GET', '/v1/status')
        self.assertEqual(200, response.status_int)
        self.assertEqual(
            {'status': {'database': {'status': 'ok'},
                        'engine': {'status': 'ok', 'id': 'engine-host-1',
                                   'hosts': 3}}},
            response.json)
        ping = self.engine_api.return_value.ping
        ping.assert_called_once_with(mock.ANY, timeout=10)
        self.engine_api.assert_called_once_with(self.conf)

    def test_head_all_up_is_200_not_204(self):
        response = self.request('HEAD', '/v1/status')
        self.assertEqual(200, response.status_int)
        self.assertEqual(b'', response.body)

    def test_engine_down(self):
        self.engine_api.return_value.ping.side_effect = (
            exception.ServiceUnavailable(reason='no valet-engine answered'))
        response = self.request('GET', '/v1/status')
        self.assertEqual(503, response.status_int)
        status = response.json['status']
        self.assertEqual({'status': 'ok'}, status['database'])
        self.assertEqual('unavailable', status['engine']['status'])
        self.assertIn('no valet-engine answered', status['engine']['detail'])
        self.assertEqual(503, self.request('HEAD', '/v1/status').status_int)

    def test_engine_client_crash_is_engine_down(self):
        self.engine_api.side_effect = RuntimeError('no transport')
        response = self.request('GET', '/v1/status')
        self.assertEqual(503, response.status_int)
        self.assertEqual('unavailable',
                         response.json['status']['engine']['status'])

    def test_database_down(self):
        with mock.patch('valet.api.handlers.status.db_api') as broken:
            broken.context_manager.reader.using.side_effect = (
                sa_exc.OperationalError('SELECT 1', {}, 'gone away'))
            response = self.request('GET', '/v1/status')
        self.assertEqual(503, response.status_int)
        status = response.json['status']
        self.assertEqual('unavailable', status['database']['status'])
        self.assertEqual('ok', status['engine']['status'])

    def test_engine_timeout_is_configurable(self):
        self.flags(group='api', status_engine_timeout=2)
        self.request('GET', '/v1/status')
        self.engine_api.return_value.ping.assert_called_once_with(
            mock.ANY, timeout=2)
