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

"""The API's notifications through oslo.messaging's in-process transport.

A real notification listener receives what the middleware publishes.
"""

import queue

import webob

from valet.api import notifications
from valet.common import messaging
from valet.tests import base
from valet.tests.unit.services import fake_app

WAIT = 30


class FakeTransportRoundTripTest(base.TestCase):
    """Through oslo.messaging's in-process transport to a real listener."""

    def test_round_trip(self):
        transport = messaging.get_notification_transport(self.conf)
        self.addCleanup(transport.cleanup)
        received = queue.Queue()

        class Endpoint:
            def info(self, ctxt, publisher_id, event_type, payload, meta):
                received.put(('INFO', publisher_id, event_type, payload))

            def error(self, ctxt, publisher_id, event_type, payload, meta):
                received.put(('ERROR', publisher_id, event_type, payload))

        target = messaging.oslo_messaging.Target(topic='notifications')
        listener = messaging.get_notification_listener(
            transport, [target], [Endpoint()])
        listener.start()
        self.addCleanup(listener.wait)
        self.addCleanup(listener.stop)
        middleware = notifications.NotificationsMiddleware(
            fake_app.application, self.conf,
            notifier=messaging.get_notifier(self.conf, transport))
        self.addCleanup(middleware.close, WAIT)
        request = webob.Request.blank('/v1/groups/gone',
                                      headers={'X-Project-Id': 'p9'})
        self.assertEqual(404, request.get_response(middleware).status_int)
        priority, publisher, event_type, payload = received.get(
            timeout=WAIT)
        self.assertEqual(('ERROR', 'valet', 'api.v1.groups', 'p9'),
                         (priority, publisher, event_type,
                          payload['context']['tenant_id']))
