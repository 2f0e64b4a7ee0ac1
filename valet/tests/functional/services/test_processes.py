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

"""valet-engine and valet-listener on the real RabbitMQ.

valet-engine runs as a real process (the installed console script) with a
configuration file of the test's own: a ping goes through rpcapi, then
SIGTERM must stop it with exit code 0. valet-listener's service runs
in-process and gets Nova's notification samples published on Nova's
exchange.
"""

import os
import queue
import signal
import subprocess
import sys
import time

import fixtures
import kombu
from oslo_config import cfg
import oslo_messaging
from oslo_utils import uuidutils
import yaml

import valet.conf
from valet import context
from valet.engine import rpcapi
from valet import exception
from valet.listener import service as listener_service
from valet.tests import base
from valet.tests.functional.notifications import test_rabbit
from valet.tests.unit.services import test_listener

SAMPLE_TOPOLOGY = os.path.abspath(os.path.join(
    os.path.dirname(__file__), '..', '..', '..', '..', 'etc', 'valet',
    'samples', 'datacenter.yaml'))

# Generous bounds on waits; never asserted as durations.
START_WAIT = 90
STOP_WAIT = 60


def _console_script(name):
    path = os.path.join(os.path.dirname(sys.executable), name)
    if os.path.exists(path):
        return [path]
    return [sys.executable, '-m', 'valet.cmd.%s' % name.split('-')[1]]


class EngineProcessTest(base.TestCase):

    def setUp(self):
        super().setUp()
        test_rabbit.configure_rabbit(self)
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.host = 'engine-%s' % uuidutils.generate_uuid()[:8]
        self.topic = 'valet-engine-test-%s' % uuidutils.generate_uuid()
        self.flags(topic=self.topic, group='engine_rpc')
        self.log_file = os.path.join(self.tmp, 'valet-engine.log')
        self.conf_file = os.path.join(self.tmp, 'valet.conf')
        with open(self.conf_file, 'w') as f:
            f.write('[DEFAULT]\n'
                    'transport_url = %s\n'
                    'control_exchange = %s\n'
                    'host = %s\n'
                    'log_file = %s\n'
                    'debug = true\n'
                    '[engine]\ntopology_file = %s\n'
                    '[engine_rpc]\ntopic = %s\n'
                    '[oslo_messaging_rabbit]\namqp_auto_delete = true\n'
                    % (test_rabbit.RABBIT_URL, self.exchange, self.host,
                       self.log_file, SAMPLE_TOPOLOGY, self.topic))

    def _log(self):
        try:
            with open(self.log_file) as f:
                return f.read()
        except OSError:
            return '(no log)'

    def _ping_until_up(self, api, ctx, process):
        deadline = time.monotonic() + START_WAIT
        while True:
            try:
                return api.ping(ctx, timeout=2)
            except exception.ServiceUnavailable:
                if process.poll() is not None or (
                        time.monotonic() > deadline):
                    self.fail('valet-engine never answered:\n%s'
                              % self._log())

    def test_ping_then_sigterm(self):
        process = subprocess.Popen(
            _console_script('valet-engine') + ['--config-file',
                                               self.conf_file],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT)
        self.addCleanup(self._kill, process)
        api = rpcapi.EngineAPI(self.conf)
        ctx = context.RequestContext(user_id='u1', project_id='p1')

        answer = self._ping_until_up(api, ctx, process)
        with open(SAMPLE_TOPOLOGY) as f:
            hosts = len(yaml.safe_load(f)['hosts'])
        self.assertEqual({'id': self.host, 'hosts': hosts}, answer)

        process.send_signal(signal.SIGTERM)
        try:
            code = process.wait(timeout=STOP_WAIT)
        except subprocess.TimeoutExpired:
            self.fail('valet-engine ignored SIGTERM:\n%s' % self._log())
        self.assertEqual(0, code, self._log())
        log = self._log()
        self.assertIn('valet-engine stopped', log)
        self.assertNotIn('Traceback', log)

    def test_listener_process_starts_and_stops(self):
        self.log_file = os.path.join(self.tmp, 'valet-listener.log')
        with open(self.conf_file, 'a') as f:
            f.write('[DEFAULT]\nlog_file = %s\n'
                    '[listener]\ntopics = %s\nexchange = %s\n'
                    % (self.log_file, self.topic, self.exchange))
        process = subprocess.Popen(
            _console_script('valet-listener') + ['--config-file',
                                                 self.conf_file],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT)
        self.addCleanup(self._kill, process)
        deadline = time.monotonic() + START_WAIT
        while 'valet-listener' not in self._log() or (
                'started on %s' % self.host) not in self._log():
            if process.poll() is not None or time.monotonic() > deadline:
                self.fail('valet-listener did not start:\n%s' % self._log())
            time.sleep(0.2)
        process.send_signal(signal.SIGTERM)
        try:
            code = process.wait(timeout=STOP_WAIT)
        except subprocess.TimeoutExpired:
            self.fail('valet-listener ignored SIGTERM:\n%s' % self._log())
        self.assertEqual(0, code, self._log())
        self.assertIn('valet-listener stopped', self._log())

    def _kill(self, process):
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()


class ListenerRabbitTest(base.TestCase):

    def setUp(self):
        super().setUp()
        test_rabbit.configure_rabbit(self)
        self.topic = 'versioned-test-%s' % uuidutils.generate_uuid()
        self.flags(topics=[self.topic], exchange='nova-test-%s'
                   % uuidutils.generate_uuid(), group='listener')
        self.addCleanup(self._delete_nova_queues)

    def _delete_nova_queues(self):
        # Nova's notifier declares the queues of its topic; with no
        # consumer of their own they would outlive the test.
        url = test_rabbit.RABBIT_URL.replace('rabbit://', 'amqp://', 1)
        with kombu.Connection(url) as connection:
            channel = connection.channel()
            for priority in ('info', 'error'):
                channel.queue_delete('%s.%s' % (self.topic, priority))
            channel.exchange_delete(self.conf.listener.exchange)

    def _nova_notifier(self):
        """A notifier publishing like Nova: on Nova's exchange."""
        nova_conf = cfg.ConfigOpts()
        valet.conf.register_opts(nova_conf)
        nova_conf([], project='nova', default_config_files=[])
        nova_conf.set_override('transport_url', test_rabbit.RABBIT_URL)
        nova_conf.set_override('control_exchange',
                               self.conf.listener.exchange)
        nova_conf.set_override('amqp_auto_delete', True,
                               group='oslo_messaging_rabbit')
        transport = oslo_messaging.get_notification_transport(nova_conf)
        self.addCleanup(transport.cleanup)
        return oslo_messaging.Notifier(
            transport, publisher_id='nova-compute:compute',
            driver='messagingv2', topics=[self.topic])

    def test_nova_notifications_reach_the_handler(self):
        handler = test_listener.RecordingHandler()
        listener = listener_service.ListenerService(self.conf,
                                                    handler=handler)
        listener.start()
        self.addCleanup(listener.stop)
        nova = self._nova_notifier()
        for name in ('aggregate-add_host-end', 'instance-create-end',
                     'instance-create-error', 'service-update'):
            message = test_listener.sample(name)
            getattr(nova, message['priority'].lower())(
                {}, message['event_type'], message['payload'])
        received = set()
        for _ in range(3):
            event_type, priority, _data = handler.events.get(
                timeout=START_WAIT)
            received.add((event_type, priority))
        self.assertEqual({('instance.create.end', 'INFO'),
                          ('instance.create.error', 'ERROR'),
                          ('service.update', 'INFO')}, received)
        self.assertRaises(queue.Empty, handler.events.get, timeout=1)
