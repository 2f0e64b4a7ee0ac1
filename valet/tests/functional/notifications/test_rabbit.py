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

"""The real Valet API publishing its notifications on a real RabbitMQ.

The API (``valet.api.deploy.loadapp``, noauth, SQLite in memory) answers a
201, a 404 and a 403; a notification listener on the test's own topic must
receive the three notifications, with the right priority, event type and
payload.
"""

import os
import queue
import socket
import urllib.parse

import oslo_messaging
from oslo_serialization import jsonutils
from oslo_utils import uuidutils
import webob

from valet.api import deploy
from valet.common import messaging
from valet import policy
from valet.tests import base
from valet.tests.fixtures import database

RABBIT_URL = os.environ.get('VALET_TEST_RABBIT_URL',
                            'rabbit://guest:guest@127.0.0.1:5672/')
WAIT = 60


def rabbit_reachable(url=RABBIT_URL):
    """Return whether something listens where url points."""
    parsed = urllib.parse.urlparse(url)
    try:
        socket.create_connection((parsed.hostname, parsed.port or 5672),
                                 timeout=5).close()
    except OSError:
        return False
    return True


def configure_rabbit(test):
    """Point test.conf at the real RabbitMQ.

    When RabbitMQ does not answer the test fails, or is skipped when
    VALET_TEST_SKIP_BACKENDS names ``rabbit``: never silently.
    """
    if not rabbit_reachable():
        reason = 'RabbitMQ is not reachable at %s' % RABBIT_URL
        if 'rabbit' in database.skipped_backends():
            test.skipTest('%s (%s names rabbit)'
                          % (reason, database.SKIP_BACKENDS_ENV))
        test.fail('%s. Run tools/test-setup.sh, or set %s=rabbit to skip '
                  'these tests knowingly.'
                  % (reason, database.SKIP_BACKENDS_ENV))
    test.flags(transport_url=RABBIT_URL)
    # An exchange of the test's own, and queues (on the test's own topics)
    # that vanish with their consumers: runs never see each other.
    test.exchange = 'valet-test-%s' % uuidutils.generate_uuid()
    test.flags(control_exchange=test.exchange)
    test.flags(amqp_auto_delete=True, group='oslo_messaging_rabbit')


class Collector(object):
    """Notification endpoint putting what it gets on a queue."""

    def __init__(self):
        self.received = queue.Queue()

    def info(self, ctxt, publisher_id, event_type, payload, metadata):
        self.received.put(('INFO', publisher_id, event_type, payload))

    def error(self, ctxt, publisher_id, event_type, payload, metadata):
        self.received.put(('ERROR', publisher_id, event_type, payload))


class APINotificationsTest(base.TestCase):

    def setUp(self):
        super().setUp()
        configure_rabbit(self)
        self.topic = 'valet-test-%s' % uuidutils.generate_uuid()
        self.flags(topics=[self.topic], group='oslo_messaging_notifications')
        self.flags(auth_strategy='noauth', group='api')
        self.useFixture(database.Database())
        self.addCleanup(policy.reset, self.conf)

        transport = messaging.get_notification_transport(self.conf)
        self.addCleanup(transport.cleanup)
        self.collector = Collector()
        listener = messaging.get_notification_listener(
            transport, [oslo_messaging.Target(topic=self.topic)],
            [self.collector])
        listener.start()
        self.addCleanup(listener.wait)
        self.addCleanup(listener.stop)

        self.app = deploy.loadapp(self.conf)

    def _request(self, method, path, body=None, roles='admin'):
        request = webob.Request.blank(path, method=method, headers={
            'X-User-Id': 'user-1', 'X-Project-Id': 'project-1',
            'X-Roles': roles, 'X-Auth-Token': 'never-published',
            'Content-Type': 'application/json',
            'Accept': 'application/json'})
        if body is not None:
            request.body = jsonutils.dump_as_bytes(body)
        return request.get_response(self.app)

    def _received(self):
        return self.collector.received.get(timeout=WAIT)

    def test_created_not_found_forbidden(self):
        created = self._request('POST', '/v1/groups', {
            'name': 'web', 'type': 'affinity', 'level': 'host',
            'description': 'tier'})
        self.assertEqual(201, created.status_int, created.text)
        self.assertEqual(404, self._request(
            'GET', '/v1/groups/missing').status_int)
        self.assertEqual(403, self._request(
            'POST', '/v1/groups', {'name': 'db', 'type': 'diversity',
                                   'level': 'rack'},
            roles='member').status_int)

        # The listener dispatches on a pool of threads: any order.
        received = {}
        for _ in range(3):
            notification = self._received()
            received[notification[3]['response']['status_code']] = (
                notification)
        self.assertEqual({201, 403, 404}, set(received))

        priority, publisher, event_type, payload = received[201]
        self.assertEqual(('INFO', 'valet', 'api.v1.groups'),
                         (priority, publisher, event_type))
        self.assertEqual({'tenant_id': 'project-1', 'user_id': 'user-1'},
                         payload['context'])
        self.assertEqual({'method': 'POST', 'path': '/v1/groups',
                          'body': {'name': 'web', 'type': 'affinity',
                                   'level': 'host', 'description': 'tier'}},
                         payload['request'])
        self.assertEqual(created.json, payload['response']['body'])

        priority, publisher, event_type, payload = received[404]
        self.assertEqual(('ERROR', 'valet', 'api.v1.groups', ''),
                         (priority, publisher, event_type,
                          payload['request']['body']))
        self.assertEqual(
            'valet.group.not_found',
            payload['response']['body']['errors'][0]['code'])

        priority, publisher, event_type, payload = received[403]
        self.assertEqual(('ERROR', 'valet', 'api.v1.groups'),
                         (priority, publisher, event_type))
        self.assertEqual('db', payload['request']['body']['name'])
        self.assertEqual(
            'valet.policy.not_authorized',
            payload['response']['body']['errors'][0]['code'])
        self.assertNotIn('never-published', jsonutils.dumps(received))

        self.assertTrue(self.collector.received.empty())
