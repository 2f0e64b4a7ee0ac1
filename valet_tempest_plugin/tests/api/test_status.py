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

"""GET and HEAD /v1/status: a real round trip to the database and engine.

The operator (admin) and the integrations (service) may ask; project
personas may not (403).
"""

from tempest import config
from tempest.lib.common.utils import test_utils
from tempest.lib import decorators
from tempest.lib import exceptions as lib_exc

from valet_tempest_plugin.tests import base

CONF = config.CONF


class StatusTest(base.BaseValetTest):
    """Status for admin and service; 403 for the project personas."""

    credentials = ['admin', 'project_member', 'project_reader',
                   'project_alt_member', base.SERVICE]

    @classmethod
    def resource_setup(cls):
        """Wait until an engine answers (it may still be starting)."""
        super().resource_setup()

        def ready():
            try:
                cls.admin.status.show_status()
            except lib_exc.UnexpectedResponseCode:
                return False
            return True

        test_utils.call_until_true(ready, CONF.compute.build_timeout, 1)

    @decorators.idempotent_id('fc170c07-790d-4549-860c-c66e668f09ab')
    def test_show_status(self):
        for persona in (self.admin, self.service):
            status = persona.status.show_status()['status']
            self.assertEqual(['database', 'engine'], sorted(status))
            self.assertEqual({'status': 'ok'}, status['database'])
            engine = status['engine']
            self.assertEqual('ok', engine['status'])
            self.assertTrue(engine['id'])
            self.assertGreaterEqual(engine['hosts'], len(CONF.valet.hosts))

    @decorators.idempotent_id('485077bb-8f5d-46bf-96db-17224f5f66d6')
    def test_head_status(self):
        for persona in (self.admin, self.service):
            response = persona.status.head_status()
            self.assertEqual(200, response.response.status)
            self.assertEqual({}, dict(response))

    @decorators.attr(type=['negative'])
    @decorators.idempotent_id('53ab8b4d-645d-4647-9ff7-5566f847e00a')
    def test_project_personas_forbidden(self):
        for persona in (self.member, self.reader, self.alt_member):
            exc = self.assertRaises(lib_exc.Forbidden,
                                    persona.status.show_status)
            self.assertError(exc, 403, 'valet.policy.not_authorized',
                             ['valet:status:show'])
            self.assertRaises(lib_exc.Forbidden, persona.status.head_status)
