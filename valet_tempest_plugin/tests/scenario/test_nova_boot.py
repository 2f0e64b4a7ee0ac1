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

"""Nova builds each server on the host Valet chose for it.

A server Heat did not create gets an ad hoc plan from ValetFilter, made
with the groups of its valet metadata; Nova builds it on the host of
that plan, which Valet keeps reserved for it.
"""

from oslo_serialization import jsonutils as json
from tempest import config
from tempest.lib import decorators

from valet_tempest_plugin.tests.scenario import base

CONF = config.CONF


class NovaBootScenarioTest(base.ValetScenarioTest):
    """Servers booted through Nova honour Valet's placements."""

    @decorators.attr(type=['slow'])
    @decorators.idempotent_id('30ed41af-944e-47a8-9164-cd8339b1a1d7')
    def test_server_built_on_its_planned_host(self):
        server = self.boot_server()
        placement = self.placement_of(server['id'])
        self.assertEqual(self.host_of(server['id']), placement['location'])

    @decorators.attr(type=['slow'])
    @decorators.idempotent_id('6b433bbb-cc63-448c-81e0-8ec63ff876af')
    def test_servers_of_a_diversity_group(self):
        if CONF.compute.min_compute_nodes < 2:
            raise self.skipException(
                'Needs two compute hosts ([compute] min_compute_nodes) to '
                'build two servers of a host diversity group')
        group = self.create_group(group_type='diversity', level='host')
        metadata = {'valet': json.dumps({'groups': [group['name']]})}
        servers = [self.boot_server(metadata) for _ in range(2)]
        hosts = []
        for server in servers:
            host = self.host_of(server['id'])
            self.assertEqual(host, self.placement_of(
                server['id'])['location'])
            hosts.append(host)
        self.assertNotEqual(hosts[0], hosts[1])
