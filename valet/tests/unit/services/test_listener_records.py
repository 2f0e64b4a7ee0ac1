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

"""Nova's samples, through the endpoint, into the records (SQLite).

Each step checks the placement and the hosts' usage, summed again from
the records.
"""

import fixtures
import oslo_messaging

from valet.listener import endpoints
from valet.tests.fixtures import nova_notifications
from valet.tests.unit.db import test_servers
from valet.tests.unit.services import test_listener

UUID = nova_notifications.SERVER_UUID
SAMPLE = {'name': 'test_flavor', 'vcpus': 1, 'ram_mb': 512, 'disk_gb': 1}
SMALL = (1, 2048, 20)


class ServerHandlerTest(test_servers.ServersTestCase):

    def setUp(self):
        super().setUp()
        self.endpoint = endpoints.NovaNotificationEndpoint(
            endpoints.ServerHandler(self.conf))
        self.logger = self.useFixture(fixtures.FakeLogger(
            name='valet.listener.endpoints'))

    def deliver(self, name, **data):
        message = nova_notifications.sample(name, **data)
        self.assertEqual(oslo_messaging.NotificationResult.HANDLED,
                         test_listener.deliver(self.endpoint, message))

    def test_a_planned_server_from_creation_to_deletion(self):
        placement = self.reserved('compute', SAMPLE, uuid=UUID)
        self.deliver('instance-create-end')
        self.assertEqual(('active', 'compute'), self.where(placement))
        self.assertEqual({'compute': (1, 512, 1)}, self.usage())

        # Sent by the source: its host is still the source's.
        self.deliver('instance-live_migration_post-end')
        self.assertIn('instance.live_migration_post.end (INFO): server %s '
                      'on host compute, state active, task migrating: '
                      'logged only' % UUID, self.logger.output)
        self.deliver('instance-live_migration_post_dest-end')
        self.assertEqual(('moved', 'host2'), self.where(placement))
        self.assertEqual({'host2': (1, 512, 1)}, self.usage())

        self.deliver('instance-resize_confirm-end')
        row = self.placement(placement)
        self.assertEqual(('moved', 'compute', 'm1.small'),
                         (row['state'], row['location'], row['flavor']))
        self.assertEqual({'compute': SMALL}, self.usage())

        self.deliver('instance-shelve_offload-end')
        self.assertEqual(('shelved', 'compute'), self.where(placement))
        self.assertEqual({}, self.usage())
        self.deliver('instance-unshelve-end')
        # Back where it was shelved, with the flavor of the unshelve
        # sample (the one it was built with).
        self.assertEqual(('active', 'compute'), self.where(placement))
        self.assertEqual({'compute': (1, 512, 1)}, self.usage())

        # Evacuation: the API's notice names the failed host; the rebuild
        # on the new host moves the server.
        self.deliver('instance-evacuate', host='compute')
        self.assertEqual(('active', 'compute'), self.where(placement))
        self.deliver('instance-rebuild-end', host='host3', node='host3')
        self.assertEqual(('moved', 'host3'), self.where(placement))
        self.assertEqual({'host3': (1, 512, 1)}, self.usage())

        self.deliver('instance-delete-end', host='host3')
        self.assertEqual(('deleted', 'host3'), self.where(placement))
        self.assertEqual({}, self.usage())
        # A late duplicate of the creation changes nothing.
        before = self.generations()
        self.deliver('instance-create-end')
        self.assertEqual(before, self.generations())
        self.assertIn('instance.create.end (INFO): server %s on host '
                      'compute, state active, task None: ignored' % UUID,
                      self.logger.output)

    def test_an_unplanned_server_and_a_revert(self):
        self.deliver('instance-create-end')
        self.assertEqual({'compute': (1, 512, 1)}, self.usage())
        self.assertEqual(('active', nova_notifications.PROJECT_ID),
                         (self.unplanned(UUID)['state'],
                          self.unplanned(UUID)['project_id']))
        self.deliver('instance-resize_revert-end', host='host2')
        self.assertEqual({'host2': (1, 512, 1)}, self.usage())
        self.deliver('instance-delete-end')
        self.assertEqual('deleted', self.unplanned(UUID)['state'])
        self.assertEqual({}, self.usage())

    def test_records_refusing_a_payload_are_logged(self):
        self.deliver('instance-create-end', host='')
        self.assertIn('Ignored instance.create.end from '
                      'nova-compute:compute: host must be a non-empty '
                      'string', self.logger.output)
        self.assertIsNone(self.unplanned(UUID))

    def test_create_error_is_only_logged(self):
        placement = self.reserved('compute', SAMPLE, uuid=UUID)
        self.deliver('instance-create-error')
        self.assertEqual(('reserved', 'compute'), self.where(placement))

    def test_a_disabled_compute_service_is_logged(self):
        self.deliver('service-update', disabled=True,
                     disabled_reason='maintenance')
        self.assertIn('nova-compute on host1 is disabled (True) or forced '
                      'down (False)', self.logger.output)
        self.deliver('service-update')
        self.assertIn('nova-compute on host1 is enabled and up',
                      self.logger.output)


class ServiceUpdateTest(test_servers.ServersTestCase):
    """A compute service that changes makes the engines reload."""

    def setUp(self):
        super().setUp()
        self.engine_api = self.useFixture(fixtures.MockPatch(
            'valet.engine.rpcapi.EngineAPI')).mock
        self.handler = endpoints.ServerHandler(self.conf)

    def _service(self, binary='nova-compute', disabled=False,
                 forced_down=False):
        return {'host': 'compute-1', 'binary': binary, 'disabled': disabled,
                'forced_down': forced_down}

    def test_disabled_compute_asks_every_engine_to_reload(self):
        self.handler.service_update(self._service(disabled=True))
        self.engine_api.return_value.refresh_topology.assert_called_once()

    def test_compute_back_up_asks_too(self):
        self.handler.service_update(self._service())
        self.engine_api.return_value.refresh_topology.assert_called_once()

    def test_other_services_change_nothing(self):
        self.handler.service_update(self._service('nova-conductor', True))
        self.engine_api.return_value.refresh_topology.assert_not_called()

    def test_bus_down_is_logged_not_raised(self):
        from valet import exception

        self.engine_api.return_value.refresh_topology.side_effect = (
            exception.ServiceUnavailable(reason='down'))
        logger = self.useFixture(fixtures.FakeLogger(
            name='valet.listener.endpoints'))
        self.handler.service_update(self._service(disabled=True))
        self.assertIn('Could not ask the engines to reload', logger.output)
