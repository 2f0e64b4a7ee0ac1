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


"""ValetFilter in Nova's scheduler against a running Valet."""

import uuid

from valet.tests.plugins.nova import base


class TestHeatServers(base.NovaFilterTestCase):
    """Servers of Heat stacks that the Heat plugin planned."""

    def test_root_stack_server_gets_its_planned_host(self):
        stack_id, keys = self.heat_plan('web', {'web1': 'm1.small',
                                                'web2': 'm1.medium'})
        planned = self.placement(keys['web2'])
        self.assertFalse(planned['reserved'])
        server = str(uuid.uuid4())
        spec = self.request_spec(server, 'm1.medium', hints=self.heat_hints(
            stack_id, 'web', 'web2', keys['web2']))
        self.assertEqual([planned['location']], self.schedule(spec))
        reserved = self.placement(keys['web2'])
        self.assertTrue(reserved['reserved'])
        self.assertEqual(server, reserved['resource_id'])
        self.assertEqual(planned['location'], reserved['location'])
        self.assertIn('found by heat_resource_uuid', self.log())
