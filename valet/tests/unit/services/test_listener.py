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

The samples are Nova's own documentation samples (see
valet/tests/fixtures/nova_notifications.py), so these tests fail the day
Valet misreads what Nova sends.
"""

import queue

import fixtures
import oslo_messaging

from valet import exception
from valet.listener import endpoints
from valet.tests import base
from valet.tests.fixtures import nova_notifications

HANDLED = oslo_messaging.NotificationResult.HANDLED
REQUEUE = oslo_messaging.NotificationResult.REQUEUE
UUID = nova_notifications.SERVER_UUID
PROJECT = nova_notifications.PROJECT_ID


def sample(name):
    """The expanded Nova sample ``name``."""
    return nova_notifications.sample(name)


class RecordingHandler(object):

    def __init__(self, error=None):
        self.events = queue.Queue()
        self.error = error

    def instance_event(self, event_type, priority, instance):
        self.events.put((event_type, priority, instance))
        if self.error is not None:
            raise self.error

    def service_update(self, service):
        self.events.put(('service.update', 'INFO', service))


def deliver(endpoint, message):
    """Hand message to endpoint as oslo.messaging would; return result."""
    method = getattr(endpoint, message['priority'].lower())
    return method({}, message['publisher_id'], message['event_type'],
                  message['payload'], {})


class EndpointTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.handler = RecordingHandler()
        self.endpoint = endpoints.NovaNotificationEndpoint(self.handler)

    def _deliver(self, name):
        self.assertEqual(HANDLED, deliver(self.endpoint, sample(name)))
        return self.handler.events.get_nowait()

    def test_instance_create_end(self):
        event_type, priority, instance = self._deliver('instance-create-end')
        self.assertEqual(('instance.create.end', 'INFO'),
                         (event_type, priority))
        self.assertEqual({'uuid': UUID, 'host': 'compute',
                          'node': 'fake-mini', 'state': 'active',
                          'task': None, 'project_id': PROJECT,
                          'flavor': {'name': 'test_flavor', 'vcpus': 1,
                                     'ram_mb': 512, 'disk_gb': 1}},
                         instance)

    def test_instance_create_error(self):
        event_type, priority, instance = self._deliver(
            'instance-create-error')
        self.assertEqual(('instance.create.error', 'ERROR', 'building',
                          None), (event_type, priority, instance['state'],
                                  instance['host']))

    def test_moves_resizes_and_offload(self):
        for name, host in [('instance-live_migration_post_dest-end', 'host2'),
                           ('instance-evacuate', 'host2'),
                           ('instance-rebuild-end', 'compute'),
                           ('instance-unshelve-end', 'compute'),
                           ('instance-shelve_offload-end', None)]:
            with self.subTest(sample=name):
                self.assertEqual(host, self._deliver(name)[2]['host'])
        event_type, _p, instance = self._deliver(
            'instance-resize_confirm-end')
        self.assertEqual(('instance.resize_confirm.end',
                          {'name': 'm1.small', 'vcpus': 1, 'ram_mb': 2048,
                           'disk_gb': 20}),
                         (event_type, instance['flavor']))

    def test_disk_counts_ephemeral_and_swap_rounded_up(self):
        flavor = nova_notifications.flavor_payload(
            'big', vcpus=8, memory_mb=16384, root_gb=40, ephemeral_gb=10,
            swap=1536)
        self.assertEqual({'name': 'big', 'vcpus': 8, 'ram_mb': 16384,
                          'disk_gb': 52}, endpoints.parse_flavor(flavor))

    def test_service_update(self):
        event_type, _p, service = self._deliver('service-update')
        self.assertEqual('service.update', event_type)
        self.assertEqual({'host': 'host1', 'binary': 'nova-compute',
                          'disabled': False, 'forced_down': False}, service)

    def test_filter_accepts_the_events_valet_reads_only(self):
        rule = self.endpoint.filter_rule
        for name, accepted in [
                ('instance-create-end', True),
                ('instance-create-error', True),
                ('instance-delete-end', True),
                ('instance-live_migration_post-end', True),
                ('instance-live_migration_post_dest-end', True),
                ('instance-evacuate', True),
                ('instance-rebuild-end', True),
                ('instance-resize_confirm-end', True),
                ('instance-resize_revert-end', True),
                ('instance-shelve_offload-end', True),
                ('instance-unshelve-end', True),
                ('service-update', True),
                ('instance-resize_finish-end', False),
                ('aggregate-add_host-end', False)]:
            message = sample(name)
            self.assertEqual(accepted, rule.match(
                {}, message['publisher_id'], message['event_type'], {},
                message['payload']), name)
        for event_type in ('instance.update', 'instance.create.endx',
                           'xinstance.create.end'):
            self.assertFalse(rule.match({}, 'nova-compute:c1', event_type,
                                        {}, {}), event_type)

    def test_unreadable_payload_is_acknowledged(self):
        bad_flavor = sample('instance-create-end')['payload']
        bad_flavor['nova_object.data']['flavor']['nova_object.data'][
            'vcpus'] = -1
        logger = self.useFixture(fixtures.FakeLogger(
            name='valet.listener.endpoints'))
        for event_type, payload in [
                ('instance.create.end', {'nova_object.data': {}}),
                ('instance.create.end', bad_flavor),
                ('instance.delete.end', 'not an object'),
                ('instance.update', {'nova_object.data': 'a string'}),
                ('service.update', {'nova_object.data': ['host1']}),
                ('service.update', {'nova_object.data': {'binary': 'x'}})]:
            with self.subTest(event_type=event_type):
                self.assertEqual(HANDLED, self.endpoint.info(
                    {}, 'nova-compute:c1', event_type, payload, {}))
        self.assertTrue(self.handler.events.empty())
        self.assertIn('payload flavor.vcpus must be a non-negative '
                      'integer, not -1', logger.output)

    def test_a_delete_with_an_unreadable_flavor_is_still_read(self):
        message = sample('instance-delete-end')
        del message['payload']['nova_object.data']['flavor']
        self.assertIsNone(self._deliver_message(message)[2]['flavor'])

    def _deliver_message(self, message):
        self.assertEqual(HANDLED, deliver(self.endpoint, message))
        return self.handler.events.get_nowait()

    def test_database_unavailable_requeues_after_a_pause(self):
        handler = RecordingHandler(exception.ServiceUnavailable(
            reason='the database is unavailable (DBConnectionError)'))
        slept = []
        self.useFixture(fixtures.MonkeyPatch(
            'valet.listener.endpoints.time.sleep', slept.append))
        endpoint = endpoints.NovaNotificationEndpoint(handler,
                                                      requeue_pause=2.5)
        self.assertEqual(REQUEUE,
                         deliver(endpoint, sample('instance-create-end')))
        self.assertEqual([2.5], slept)

    def test_refused_or_failing_records_are_acknowledged(self):
        for error in (ValueError('host must be a non-empty string'),
                      RuntimeError('boom')):
            with self.subTest(error=error):
                logger = self.useFixture(fixtures.FakeLogger(
                    name='valet.listener.endpoints'))
                endpoint = endpoints.NovaNotificationEndpoint(
                    RecordingHandler(error))
                self.assertEqual(HANDLED, deliver(
                    endpoint, sample('instance-create-end')))
                self.assertIn(str(error), logger.output)
