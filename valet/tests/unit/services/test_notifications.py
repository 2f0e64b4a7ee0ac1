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

"""Unit tests of the API notifications middleware."""

import os
import queue
import threading
from unittest import mock

from oslo_serialization import jsonutils
import webob

from valet.api import notifications
from valet.common import messaging
from valet.tests import base
from valet.tests.unit.services import fake_app

# Generous bound on waits for the background thread; never asserted on.
WAIT = 30


class RecordingNotifier:
    """Stands in for oslo.messaging's Notifier and records what it gets."""

    def __init__(self, enabled=True, fail_times=0, gate=None):
        self.enabled = enabled
        self.fail_times = fail_times
        self.gate = gate
        self.sent = queue.Queue()
        self.calls = 0
        self.entered = threading.Event()

    def is_enabled(self):
        return self.enabled

    def _notify(self, priority, ctxt, event_type, payload):
        self.calls += 1
        self.entered.set()
        if self.gate is not None:
            self.gate.wait(WAIT)
        if self.fail_times:
            self.fail_times -= 1
            raise ConnectionError('the bus is down')
        self.sent.put((priority, ctxt, event_type, payload))

    def info(self, ctxt, event_type, payload):
        self._notify('INFO', ctxt, event_type, payload)

    def error(self, ctxt, event_type, payload):
        self._notify('ERROR', ctxt, event_type, payload)


class EventTypeTest(base.TestCase):

    def test_subjects(self):
        for path, expected in [
                ('/', 'api.v1.versions'),
                ('/v1', 'api.v1.versions'),
                ('/v1/', 'api.v1.versions'),
                ('/v1/groups', 'api.v1.groups'),
                ('/v1/groups/web/members/p1', 'api.v1.groups'),
                ('/v1/plans/abc', 'api.v1.plans'),
                ('/v1/placements', 'api.v1.placements'),
                ('/v1/status', 'api.v1.status'),
                ('/v1/nonsense', 'api.v1.unknown'),
                ('/v2/groups', 'api.v1.unknown'),
                ('/favicon.ico', 'api.v1.unknown')]:
            self.assertEqual(expected, notifications.event_type_for(path),
                             path)


class ScrubTest(base.TestCase):

    def test_secret_keys_masked_at_any_depth(self):
        body = {'auth': {'password': 's3cret', 'user': 'bob'},
                'items': [{'X-Auth-Token': 'tok1'}, {'secret_key': 'k'}],
                'adminPass': 'p', 'name': 'web'}
        scrubbed = notifications.scrub(body)
        self.assertEqual({'auth': {'password': '***', 'user': 'bob'},
                          'items': [{'X-Auth-Token': '***'},
                                    {'secret_key': '***'}],
                          'adminPass': '***', 'name': 'web'}, scrubbed)
        self.assertEqual('s3cret', body['auth']['password'])

    def test_keys_oslo_utils_does_not_know_masked_too(self):
        body = {'db_passwd': 'a', 'Private-Key': 'b',
                'nested': [{'credentials': {'id': 'c'}}],
                'app-privatekey': 'd', 'user': 'bob'}
        self.assertEqual({'db_passwd': '***', 'Private-Key': '***',
                          'nested': [{'credentials': '***'}],
                          'app-privatekey': '***', 'user': 'bob'},
                         notifications.scrub(body))

    def test_password_in_text_masked(self):
        self.assertNotIn('hunter2',
                         notifications.scrub('{"password": "hunter2"'))

    def test_parse_body(self):
        self.assertEqual('', notifications.parse_body(b''))
        self.assertEqual({'a': 1}, notifications.parse_body(b'{"a": 1}'))
        self.assertEqual('not json', notifications.parse_body(b'not json'))

    def test_parse_body_too_deep_for_the_parser_is_text(self):
        # The API answers such a body 400; its notification carries it
        # as text rather than being lost.
        deep = b'[' * 100000 + b']' * 100000
        self.assertEqual(deep.decode(), notifications.parse_body(deep))


class MiddlewareTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.notifier = RecordingNotifier()

    def _middleware(self, notifier=None, app=fake_app.application):
        middleware = notifications.NotificationsMiddleware(
            app, self.conf, notifier=notifier or self.notifier)
        self.addCleanup(middleware.close, WAIT)
        return middleware

    def _request(self, middleware, path, method='GET', body=None,
                 headers=None):
        request = webob.Request.blank(path, method=method)
        request.headers.update(headers or {})
        if body is not None:
            request.body = (body if isinstance(body, bytes)
                            else jsonutils.dump_as_bytes(body))
            request.content_type = 'application/json'
        return request.get_response(middleware)

    def _next(self, notifier=None):
        return (notifier or self.notifier).sent.get(timeout=WAIT)

    def test_created_is_info_with_full_payload(self):
        middleware = self._middleware()
        response = self._request(
            middleware, '/v1/groups', 'POST',
            {'name': 'web', 'type': 'affinity', 'level': 'host'},
            {'X-User-Id': 'u1', 'X-Project-Id': 'p1'})
        self.assertEqual(201, response.status_int)
        # The application still read the body the middleware read.
        self.assertEqual('web', response.json['group']['name'])
        priority, _ctxt, event_type, payload = self._next()
        self.assertEqual('INFO', priority)
        self.assertEqual('api.v1.groups', event_type)
        self.assertEqual({
            'context': {'tenant_id': 'p1', 'user_id': 'u1'},
            'request': {'method': 'POST', 'path': '/v1/groups',
                        'body': {'name': 'web', 'type': 'affinity',
                                 'level': 'host'}},
            'response': {'status_code': 201,
                         'body': {'group': {'name': 'web',
                                            'type': 'affinity',
                                            'level': 'host'}}},
        }, payload)

    def test_not_found_and_forbidden_are_error(self):
        middleware = self._middleware()
        self.assertEqual(404, self._request(
            middleware, '/v1/groups/nope').status_int)
        self.assertEqual(403, self._request(
            middleware, '/v1/groups/web', 'DELETE').status_int)
        priority, _c, event_type, payload = self._next()
        self.assertEqual(('ERROR', 'api.v1.groups', 404, ''),
                         (priority, event_type,
                          payload['response']['status_code'],
                          payload['request']['body']))
        self.assertEqual('valet.group.not_found',
                         payload['response']['body']['errors'][0]['code'])
        self.assertEqual({'tenant_id': None, 'user_id': None},
                         payload['context'])
        priority, _c, _e, payload = self._next()
        self.assertEqual('ERROR', priority)
        self.assertEqual(403, payload['response']['status_code'])

    def test_text_and_empty_bodies(self):
        middleware = self._middleware()
        self._request(middleware, '/v1/plans', 'POST', b'plain words')
        self._request(middleware, '/v1/status', 'HEAD')
        payload = self._next()[3]
        self.assertEqual('plain words', payload['request']['body'])
        self.assertEqual('planned', payload['response']['body'])
        event_type, payload = self._next()[2:]
        self.assertEqual('api.v1.status', event_type)
        self.assertEqual('', payload['response']['body'])

    def test_secrets_never_published(self):
        middleware = self._middleware()
        self._request(
            middleware, '/v1/groups?token=qs-secret', 'POST',
            {'name': 'web', 'password': 'body-secret',
             'auth': {'token': {'id': 'nested-secret'}}},
            {'X-Auth-Token': 'header-secret', 'X-User-Id': 'u1'})
        published = jsonutils.dumps(self._next())
        for secret in ('qs-secret', 'body-secret', 'nested-secret',
                       'header-secret'):
            self.assertNotIn(secret, published)
        self.assertIn('"name": "web"', published)

    def test_disabled_notifier_publishes_nothing(self):
        notifier = RecordingNotifier(enabled=False)
        middleware = self._middleware(notifier)
        self.assertEqual(201, self._request(
            middleware, '/v1/groups', 'POST', {'name': 'x'}).status_int)
        self.assertTrue(middleware.close(WAIT))
        self.assertEqual(0, notifier.calls)

    def test_failing_bus_does_not_fail_the_call(self):
        notifier = RecordingNotifier(fail_times=1)
        middleware = self._middleware(notifier)
        self.assertEqual(201, self._request(
            middleware, '/v1/groups', 'POST', {'name': 'a'}).status_int)
        self.assertEqual(404, self._request(
            middleware, '/v1/groups/b').status_int)
        # The first one failed and was dropped, the next one went out.
        self.assertEqual(404, self._next(notifier)[3]['response'][
            'status_code'])
        self.assertTrue(middleware.close(WAIT))
        self.assertEqual((1, 1), (middleware.publisher.failed,
                                  middleware.publisher.sent))

    def test_hung_bus_never_blocks_and_drops_when_full(self):
        gate = threading.Event()
        notifier = RecordingNotifier(gate=gate)
        self.flags(queue_size=1, group='notifications')
        middleware = self._middleware(notifier)
        self.addCleanup(gate.set)
        # Each call answers while the sender is stuck on the first one.
        self.assertEqual(404, self._request(
            middleware, '/v1/groups/x').status_int)
        self.assertTrue(notifier.entered.wait(WAIT))
        for _ in range(3):
            self.assertEqual(404, self._request(
                middleware, '/v1/groups/x').status_int)
        self.assertFalse(gate.is_set())
        # One is being sent, one waits in the queue, the rest are dropped.
        self.assertEqual(2, middleware.publisher.dropped)
        gate.set()
        self.assertTrue(middleware.close(WAIT))
        self.assertEqual(2, middleware.publisher.sent)

    def test_close_drains_the_queue(self):
        gate = threading.Event()
        notifier = RecordingNotifier(gate=gate)
        middleware = self._middleware(notifier)
        self.addCleanup(gate.set)
        for _ in range(5):
            self._request(middleware, '/')
        gate.set()
        self.assertTrue(middleware.close(WAIT))
        self.assertEqual(5, notifier.sent.qsize())
        self.assertEqual('api.v1.versions', self._next(notifier)[2])
        # Closed: later calls still answer, their notifications are dropped.
        self.assertEqual(200, self._request(middleware, '/').status_int)
        self.assertEqual(1, middleware.publisher.dropped)

    def test_close_gives_up_on_a_hung_bus(self):
        gate = threading.Event()
        middleware = self._middleware(RecordingNotifier(gate=gate))
        self.addCleanup(gate.set)
        self._request(middleware, '/')
        self.assertFalse(middleware.close(0.01))

    def test_sender_starts_with_the_first_notification(self):
        middleware = self._middleware()
        self.assertIsNone(middleware.publisher._thread)
        self._request(middleware, '/')
        self.assertEqual('api.v1.versions', self._next()[2])

    def test_forked_worker_gets_its_own_sender(self):
        middleware = self._middleware()
        self._request(middleware, '/')
        self._next()
        parent_sender = middleware.publisher._thread
        with mock.patch.object(notifications.os, 'getpid',
                               return_value=os.getpid() + 1):
            self._request(middleware, '/v1/status', 'HEAD')
            self.assertEqual('api.v1.status', self._next()[2])
            self.assertIsNot(parent_sender, middleware.publisher._thread)
            self.assertTrue(middleware.close(WAIT))

    def test_payload_error_does_not_fail_the_call(self):
        middleware = self._middleware()
        with mock.patch.object(notifications, 'parse_body',
                               side_effect=ValueError('boom')):
            response = self._request(middleware, '/v1/groups', 'POST',
                                     {'name': 'web'})
            # The payload is built by the sending thread: its error is
            # that thread's, logged and counted, never the call's.
            self.assertTrue(middleware.close(WAIT))
        self.assertEqual(201, response.status_int)
        self.assertEqual((0, 1), (middleware.publisher.sent,
                                  middleware.publisher.failed))

    def test_unreachable_bus(self):
        # Nothing listens on port 1: oslo.messaging's Notifier fails to
        # connect (and logs it), the API answers all the same.
        self.flags(transport_url='rabbit://guest:guest@127.0.0.1:1/')
        self.flags(retry=0, group='oslo_messaging_notifications')
        transport = messaging.get_notification_transport(self.conf)
        self.addCleanup(transport.cleanup)
        middleware = self._middleware(
            messaging.get_notifier(self.conf, transport))
        response = self._request(middleware, '/v1/groups', 'POST',
                                 {'name': 'web'})
        self.assertEqual(201, response.status_int)
        self.assertEqual(404, self._request(middleware, '/v1/groups/x')
                         .status_int)
        self.assertTrue(middleware.close(WAIT))
        self.assertEqual((0, 2), (middleware.publisher.dropped,
                                  middleware.publisher.sent))
