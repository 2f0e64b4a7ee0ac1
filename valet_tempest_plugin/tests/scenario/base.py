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

"""Base of Valet's scenario tests: real Nova (and Heat) in front of Valet.

They need a deployment where Nova's scheduler runs ValetFilter and Heat
has Valet's plugins (devstack's enable_plugin valet), and skip, saying
so, where [service_available] nova (or heat) is false.
"""

from tempest.common import waiters
from tempest import config
from tempest.lib.common.utils import data_utils
from tempest.lib.common.utils import test_utils

from valet_tempest_plugin.tests import base

CONF = config.CONF

HOST_ATTRIBUTE = 'OS-EXT-SRV-ATTR:host'


class ValetScenarioTest(base.BaseValetTest):
    """Servers built by the real Nova, checked against Valet's plans."""

    credentials = ['admin', 'primary']

    @classmethod
    def skip_checks(cls):
        """Skip without Nova (Valet's filter runs in its scheduler)."""
        super().skip_checks()
        if not CONF.service_available.nova:
            raise cls.skipException(
                'Nova is not available ([service_available] nova = false):'
                ' this scenario boots servers through Nova\'s scheduler '
                'and ValetFilter')

    @classmethod
    def setup_clients(cls):
        """Nova's servers clients of the member and of admin."""
        super().setup_clients()
        cls.servers_client = cls.os_primary.servers_client
        cls.admin_servers_client = cls.os_admin.servers_client

    def host_of(self, server_id):
        """The compute host Nova built the server on (admin only)."""
        server = self.admin_servers_client.show_server(server_id)['server']
        return server[HOST_ATTRIBUTE]

    def boot_server(self, metadata=None, wait=True):
        """Boot a server as the member; delete it at cleanup."""
        kwargs = {}
        if metadata:
            kwargs['metadata'] = metadata
        if CONF.service_available.neutron:
            network = self.get_tenant_network()
            if network:
                kwargs['networks'] = [{'uuid': network['id']}]
        server = self.servers_client.create_server(
            name=data_utils.rand_name(prefix='tempest', name='valet'),
            imageRef=CONF.compute.image_ref,
            flavorRef=CONF.compute.flavor_ref, **kwargs)['server']
        self.addCleanup(waiters.wait_for_server_termination,
                        self.servers_client, server['id'])
        self.addCleanup(test_utils.call_and_ignore_notfound_exc,
                        self.servers_client.delete_server, server['id'])
        if wait:
            waiters.wait_for_server_status(self.servers_client,
                                           server['id'], 'ACTIVE')
        return server

    def placement_of(self, server_id):
        """The one reserved placement Valet holds for the server."""
        found = self.admin.placements.list_placements(
            resource_id=server_id)['placements']
        self.assertEqual(1, len(found), found)
        placement = found[0]
        self.assertTrue(placement['reserved'], placement)
        return placement
