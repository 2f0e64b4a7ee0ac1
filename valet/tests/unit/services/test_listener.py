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

"""The listener's endpoint, fed with Nova's real notification samples.

The samples under ``nova_notifications/`` are Nova's own documentation
samples (nova 34.0.0, doc/notification_samples) with their ``$ref`` parts
resolved, so these tests fail the day Valet misreads what Nova sends.
"""

import os
import queue

import fixtures
import oslo_messaging
from oslo_serialization import jsonutils

from valet.common import messaging
from valet.listener import endpoints
from valet.listener import service as listener_service
from valet.tests import base

SAMPLES = os.path.join(os.path.dirname(__file__), 'nova_notifications')
WAIT = 30


def sample(name):
    with open(os.path.join(SAMPLES, name + '.json'), 'rb') as f:
        return jsonutils.load(f)


class RecordingHandler(object):

    def __init__(self):
        self.events = queue.Queue()

    def instance_event(self, event_type, priority, instance):
        self.events.put((event_type, priority, instance))

    def service_update(self, service):
        self.events.put(('service.update', 'INFO', service))


class EndpointTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.handler = RecordingHandler()
        self.endpoint = endpoints.NovaNotificationEndpoint(self.handler)

    def _deliver(self, name):
        message = sample(name)
        method = getattr(self.endpoint, message['priority'].lower())
        result = method({}, message['publisher_id'], message['event_type'],
                        message['payload'], {})
        self.assertEqual(oslo_messaging.NotificationResult.HANDLED, result)
        return self.handler.events.get_nowait()

    def test_instance_create_end(self):
        event_type, priority, instance = self._deliver('instance-create-end')
        self.assertEqual(('instance.create.end', 'INFO'),
                         (event_type, priority))
        self.assertEqual({'uuid': '178b0921-8f85-4257-88b6-2e743b5a975c',
                          'host': 'compute', 'node': 'fake-mini',
                          'state': 'active', 'task': None,
                          'project_id': '6f70656e737461636b20342065766572'},
                         instance)

    def test_instance_create_error(self):
        event_type, priority, instance = self._deliver(
            'instance-create-error')
        self.assertEqual(('instance.create.error', 'ERROR', 'building',
                          None), (event_type, priority, instance['state'],
                                  instance['host']))

    def test_delete_migrate_resize(self):
        self.assertEqual('deleted',
                         self._deliver('instance-delete-end')[2]['state'])
        event_type, _p, instance = self._deliver(
            'instance-live_migration_post-end')
        self.assertEqual('instance.live_migration_post.end', event_type)
        self.assertEqual('compute', instance['host'])
        self.assertEqual('resized', self._deliver(
            'instance-resize_finish-end')[2]['state'])

    def test_service_update(self):
        event_type, _p, service = self._deliver('service-update')
        self.assertEqual('service.update', event_type)
        self.assertEqual({'host': 'host1', 'binary': 'nova-compute',
                          'disabled': False, 'forced_down': False}, service)

    def test_filter_accepts_instance_and_service_only(self):
        rule = self.endpoint.filter_rule
        for name, accepted in [('instance-create-end', True),
                               ('instance-delete-end', True),
                               ('service-update', True),
                               ('aggregate-add_host-end', False)]:
            message = sample(name)
            self.assertEqual(accepted, rule.match(
                {}, message['publisher_id'], message['event_type'], {},
                message['payload']), name)

    def test_unreadable_payload_is_acknowledged(self):
        for event_type, payload in [
                ('instance.create.end', {'nova_object.data': {}}),
                ('instance.delete.end', 'not an object'),
                ('instance.update', {'nova_object.data': 'a string'}),
                ('service.update', {'nova_object.data': ['host1']}),
                ('service.update', {'nova_object.data': {'binary': 'x'}})]:
            with self.subTest(event_type=event_type):
                self.assertEqual(
                    oslo_messaging.NotificationResult.HANDLED,
                    self.endpoint.info({}, 'nova-compute:c1', event_type,
                                       payload, {}))
        self.assertTrue(self.handler.events.empty())

    def test_logging_handler_logs(self):
        logger = self.useFixture(fixtures.FakeLogger(
            name='valet.listener.endpoints'))
        endpoint = endpoints.NovaNotificationEndpoint()
        message = sample('instance-create-end')
        endpoint.info({}, message['publisher_id'], message['event_type'],
                      message['payload'], {})
        self.assertIn('server 178b0921-8f85-4257-88b6-2e743b5a975c on host '
                      'compute', logger.output)


class ListenerServiceTest(base.TestCase):
    """Through oslo.messaging's in-process transport."""

    def test_round_trip(self):
        # The in-process bus has a single exchange per transport: listen on
        # the one the test's notifier publishes to.
        self.flags(exchange=self.conf.control_exchange, group='listener')
        transport = messaging.get_notification_transport(self.conf)
        self.addCleanup(transport.cleanup)
        handler = RecordingHandler()
        listener = listener_service.ListenerService(
            self.conf, transport=transport, handler=handler)
        listener.start()
        self.addCleanup(listener.stop)
        nova = oslo_messaging.Notifier(
            transport, publisher_id='nova-compute:compute',
            driver='messagingv2', topics=['versioned_notifications'])
        for name in ('aggregate-add_host-end', 'instance-create-end',
                     'service-update'):
            message = sample(name)
            getattr(nova, message['priority'].lower())(
                {}, message['event_type'], message['payload'])
        received = {handler.events.get(timeout=WAIT)[0] for _ in range(2)}
        self.assertEqual({'instance.create.end', 'service.update'}, received)
        # The aggregate event was filtered out.
        listener.stop()
        self.assertTrue(handler.events.empty())
