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

"""GET/HEAD /v1/status: a real round trip to the database and an engine.

tools/e2e/valet.sh runs valet-engine beside the API, on the real
RabbitMQ, with the sample data center of etc/valet/samples (16 hosts).
"""

import time

from valet.tests.e2e import base

ENGINE_ID = 'valet-e2e-engine'
SAMPLE_HOSTS = 16
# The engine may still be joining the bus when the first test asks.
READY_ATTEMPTS = 30


class TestStatus(base.E2ETestCase):
    """Status for admin and service; 403 for project personas."""

    def get_status(self, persona):
        """GET /v1/status, again while the engine is not up yet."""
        for _ in range(READY_ATTEMPTS):
            response = persona.get('/v1/status')
            if response.status_code != 503:
                return response
            time.sleep(1)
        return response

    def test_status(self):
        for persona in (self.admin, self.service):
            response = self.get_status(persona)
            self.assertEqual(200, response.status_code, response.text)
            self.assertEqual({'status': {
                'database': {'status': 'ok'},
                'engine': {'status': 'ok', 'id': ENGINE_ID,
                           'hosts': SAMPLE_HOSTS}}}, response.json())

    def test_head_status(self):
        self.assertEqual(200, self.get_status(self.admin).status_code)
        for persona in (self.admin, self.service):
            response = persona.request('HEAD', '/v1/status')
            self.assertEqual(200, response.status_code)
            self.assertEqual(b'', response.content)

    def test_project_personas_forbidden(self):
        for name in ('alpha_member', 'alpha_reader', 'beta_member'):
            persona = getattr(self, name)
            response = persona.get('/v1/status')
            error = self.assertError(response, 403,
                                     'valet.policy.not_authorized')
            self.assertIn('valet:status', error['detail'], name)
            response = persona.request('HEAD', '/v1/status')
            self.assertEqual(403, response.status_code, name)
