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

"""valet-listener's service and its periodic reconcile, running.

A listener on oslo.messaging's in-process transport, and the reconcile's
periodic worker waiting its (one second) interval between runs.
"""

import threading

import fixtures
import oslo_messaging

from valet.common import messaging
from valet.listener import reconcile
from valet.listener import service as listener_service
from valet.tests import base
from valet.tests.unit.services.test_listener import RecordingHandler
from valet.tests.unit.services.test_listener import sample

WAIT = 30


class ListenerServiceTest(base.TestCase):
    """Through oslo.messaging's in-process transport."""

    def setUp(self):
        super().setUp()
        # The in-process bus has a single exchange per transport: listen on
        # the one the test's notifier publishes to.
        self.flags(exchange=self.conf.control_exchange, group='listener')
        self.transport = messaging.get_notification_transport(self.conf)
        self.addCleanup(self.transport.cleanup)

    def test_round_trip(self):
        handler = RecordingHandler()
        listener = listener_service.ListenerService(
            self.conf, transport=self.transport, handler=handler)
        listener.start()
        self.addCleanup(listener.stop)
        nova = oslo_messaging.Notifier(
            self.transport, publisher_id='nova-compute:compute',
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

    def test_periodic_reconcile_runs_until_stopped(self):
        class Reconciler(object):
            enabled = True

            def __init__(self):
                self.runs = threading.Semaphore(0)

            def run(self):
                self.runs.release()

        reconciler = Reconciler()
        self.flags(reconcile_interval=1, group='listener')
        listener = listener_service.ListenerService(
            self.conf, transport=self.transport, handler=RecordingHandler(),
            reconciler=reconciler)
        listener.start()
        self.addCleanup(listener.stop)
        for _ in range(2):
            self.assertTrue(reconciler.runs.acquire(timeout=WAIT))
        listener.stop()
        self.assertIsNone(listener.periodic)

    def test_no_periodic_reconcile_when_disabled_or_static(self):
        for interval, driver in ((0, 'nova'), (600, 'static')):
            with self.subTest(interval=interval, driver=driver):
                self.flags(reconcile_interval=interval, group='listener')
                self.flags(topology_driver=driver, group='engine')
                listener = listener_service.ListenerService(
                    self.conf, transport=self.transport,
                    handler=RecordingHandler())
                listener.start()
                self.assertIsNone(listener.periodic)
                listener.stop()


class PeriodicReconcileTest(base.TestCase):

    def test_a_failing_run_is_logged_and_the_next_one_runs(self):
        class Failing(object):
            runs = 0

            def run(self):
                self.runs += 1
                raise RuntimeError('Nova is down (%d)' % self.runs)

        logger = self.useFixture(fixtures.FakeLogger(
            name='valet.listener.reconcile'))
        reconciler = Failing()
        periodic = reconcile.PeriodicReconcile(reconciler, 1)
        periodic.start()
        self.addCleanup(periodic.stop)
        for _ in range(2):
            self.assertTrue(periodic.done.wait(WAIT))
            periodic.done.clear()
        periodic.stop()
        self.assertGreaterEqual(reconciler.runs, 2)
        self.assertIn('The periodic reconcile failed; it runs again in 1 '
                      'seconds', logger.output)
        self.assertIn('Nova is down (2)', logger.output)
