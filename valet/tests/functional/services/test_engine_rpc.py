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

"""RPC round trips through rpcapi and the engine service on fake://."""

import os
import threading
from unittest import mock

import fixtures
import oslo_messaging
from oslo_service import backend

from valet.common import messaging
from valet import context
from valet.engine import manager as manager_mod
from valet.engine import rpcapi
from valet.engine import service as engine_service
from valet import exception
from valet.tests import base
from valet.tests.fixtures import database

WAIT = 30
SAMPLE_TOPOLOGY = os.path.join(
    os.path.dirname(__file__), '..', '..', '..', '..', 'etc', 'valet',
    'samples', 'datacenter.yaml')


class EngineRPCTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.flags(host='engine-7')
        # One in-process bus shared by the engine and its clients, as in
        # an all-in-one process.
        self.transport = messaging.shared_rpc_transport(self.conf)
        self.addCleanup(messaging.cleanup_shared_rpc_transport, self.conf)
        self.ctx = context.RequestContext(user_id='u1', project_id='p1')
        # The engine's requests run on the RPC server's threads: a file
        # database, which every thread opens for itself.
        path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                            'valet.sqlite')
        self.useFixture(database.Database('sqlite:///' + path))

    def _start_engine(self, **kwargs):
        engine = engine_service.EngineService(
            self.conf, transport=self.transport, configure_db=False,
            **kwargs)
        engine.start()
        self.addCleanup(engine.stop)
        return engine

    def test_ping_round_trip(self):
        self.flags(topology_file=SAMPLE_TOPOLOGY, group='engine')
        engine = self._start_engine()
        hosts = engine.manager.describe()['hosts']
        self.assertEqual(16, hosts)
        api = rpcapi.EngineAPI(self.conf)
        self.assertEqual({'id': 'engine-7', 'hosts': hosts},
                         api.ping(self.ctx))
        self.assertEqual({'id': 'engine-7', 'hosts': hosts},
                         api.ping(self.ctx, timeout=WAIT))

    def test_model_is_frozen_out_of_the_collector(self):
        self.flags(topology_file=SAMPLE_TOPOLOGY, group='engine')
        loaded = []
        engine = engine_service.EngineService(
            self.conf, transport=self.transport, configure_db=False)
        real_load = manager_mod.EngineManager.load
        self.useFixture(fixtures.MockPatchObject(
            manager_mod.EngineManager, 'load',
            lambda mgr, ctx: loaded.append(1) or real_load(mgr, ctx)))
        freeze = self.useFixture(fixtures.MockPatch('gc.freeze')).mock
        freeze.side_effect = lambda: self.assertEqual([1], loaded)
        engine.start()
        self.addCleanup(engine.stop)
        freeze.assert_called_once_with()

    def test_unreadable_topology_reports_no_hosts(self):
        self.flags(topology_file=os.path.join(self.useFixture(
            fixtures.TempDir()).path, 'missing.yaml'), group='engine')
        logger = self.useFixture(fixtures.FakeLogger(
            name='valet.engine.manager'))
        self._start_engine()
        self.assertEqual(0, rpcapi.EngineAPI(self.conf).ping(
            self.ctx)['hosts'])
        self.assertIn('Could not load the data center topology',
                      logger.output)
        self.assertIn('missing.yaml', logger.output)

    def test_refresh_topology_reaches_every_engine(self):
        self.flags(topology_file=SAMPLE_TOPOLOGY, group='engine')
        engine = self._start_engine()
        self.assertIsNotNone(engine.manager.cache.loaded_at)
        rpcapi.EngineAPI(self.conf).refresh_topology(self.ctx)
        # A cast: wait for the engine to have taken it.
        deadline = threading.Event()
        for _ in range(WAIT * 10):
            if engine.manager.cache.loaded_at is None:
                break
            deadline.wait(0.1)
        self.assertIsNone(engine.manager.cache.loaded_at)
        self.assertTrue(engine.manager.cache.topology_is_stale())

    def test_plan_calls_carry_a_deadline_pings_do_not(self):
        import time

        seen = []
        self._start_engine()

        def spy(endpoint, ctxt, **kwargs):
            seen.append(ctxt.deadline)
            return {'id': 'x', 'name': 'n', 'stack_id': 's',
                    'project_id': 'p1', 'placements': {}}

        api = rpcapi.EngineAPI(self.conf)
        with mock.patch.object(engine_service.EngineEndpoint, 'release_plan',
                               spy):
            before = time.time()
            api.release_plan(self.ctx, 'plan-1', timeout=20)
        self.assertIsNone(self.ctx.deadline)
        self.assertGreaterEqual(seen[0], before + 20)
        real = engine_service.EngineEndpoint.ping
        with mock.patch.object(
                engine_service.EngineEndpoint, 'ping',
                lambda endpoint, ctxt: seen.append(ctxt.deadline) or
                real(endpoint, ctxt)):
            api.ping(self.ctx)
        self.assertIsNone(seen[1])

    def test_context_reaches_the_endpoint(self):
        seen = []
        self._start_engine()
        real = engine_service.EngineEndpoint.ping

        def spy(endpoint, ctxt):
            seen.append(ctxt)
            return real(endpoint, ctxt)

        with mock.patch.object(engine_service.EngineEndpoint, 'ping', spy):
            rpcapi.EngineAPI(self.conf).ping(self.ctx)
        self.assertIsInstance(seen[0], context.RequestContext)
        self.assertEqual(('u1', 'p1', self.ctx.request_id),
                         (seen[0].user_id, seen[0].project_id,
                          seen[0].request_id))

    def test_newer_version_refused(self):
        self._start_engine()
        api = rpcapi.EngineAPI(self.conf)
        cctxt = api.client.prepare(version='1.2')
        self.assertRaises(oslo_messaging.UnsupportedVersion,
                          cctxt.call, self.ctx, 'ping')

    def test_private_methods_not_callable(self):
        self._start_engine()
        cctxt = rpcapi.EngineAPI(self.conf).client.prepare()
        self.assertRaises(oslo_messaging.NoSuchMethod,
                          cctxt.call, self.ctx, '__init__')

    def test_no_engine_is_service_unavailable(self):
        api = rpcapi.EngineAPI(self.conf)
        error = self.assertRaises(exception.ServiceUnavailable,
                                  api.ping, self.ctx, timeout=0.2)
        self.assertIn('no valet-engine answered ping', error.message)

    def test_stopped_engine_no_longer_answers(self):
        engine = self._start_engine()
        api = rpcapi.EngineAPI(self.conf)
        api.ping(self.ctx)
        waiter = threading.Thread(target=engine.wait)
        waiter.start()
        engine.stop()
        waiter.join(WAIT)
        self.assertFalse(waiter.is_alive())
        self.assertRaises(exception.ServiceUnavailable,
                          api.ping, self.ctx, timeout=0.2)

    def test_own_transport_created_and_closed(self):
        engine = engine_service.EngineService(self.conf, configure_db=False)
        engine.start()
        self.assertIsNotNone(engine.transport)
        self.assertIsNot(self.transport, engine.transport)
        # The engine's private fake bus answers a client on it.
        api = rpcapi.EngineAPI(self.conf, transport=engine.transport)
        self.assertEqual('engine-7', api.ping(self.ctx)['id'])
        engine.stop()
        self.assertIsNone(engine.transport)

    def test_hung_bus_is_service_unavailable(self):
        api = rpcapi.EngineAPI(self.conf)
        gate = threading.Event()
        self.addCleanup(gate.set)

        def hang(*args, **kwargs):
            gate.wait(WAIT)

        self.flags(timeout=1, group='engine_rpc')
        # The call context the client prepares never returns.
        hung = mock.Mock(timeout=0.1)
        hung.call.side_effect = hang
        with mock.patch.object(rpcapi, 'CALL_GRACE', 0.1), \
                mock.patch.object(api.client, 'prepare', return_value=hung):
            error = self.assertRaises(exception.ServiceUnavailable,
                                      api.ping, self.ctx, timeout=0.1)
        self.assertIn('message bus did not carry the ping call',
                      error.message)

    def test_delivery_failure_is_service_unavailable(self):
        api = rpcapi.EngineAPI(self.conf)
        failing = mock.Mock(timeout=self.conf.engine_rpc.timeout)
        failing.call.side_effect = oslo_messaging.MessageDeliveryFailure(
            'down')
        with mock.patch.object(api.client, 'prepare', return_value=failing):
            error = self.assertRaises(exception.ServiceUnavailable,
                                      api.ping, self.ctx)
        self.assertIn('unreachable: down', error.message)


class PrivateConfTest(base.TestCase):

    def test_defaults(self):
        self.assertEqual('fake://', self.conf.transport_url)
        self.assertEqual('valet', self.conf.control_exchange)
        self.assertEqual(['messagingv2'],
                         self.conf.oslo_messaging_notifications.driver)
        self.assertEqual(['notifications'],
                         self.conf.oslo_messaging_notifications.topics)
        self.assertEqual('valet-engine', self.conf.engine_rpc.topic)
        # The groups oslo.messaging's RPC client reads but registers on
        # the global conf only.
        self.assertFalse(
            self.conf.oslo_messaging_tracing.tracing_enabled)
        self.assertFalse(
            self.conf.oslo_messaging_metrics.metrics_enabled)

    def test_ensure_opts_on_a_bare_conf(self):
        from oslo_config import cfg
        conf = cfg.ConfigOpts()
        messaging.ensure_opts(conf)
        messaging.ensure_opts(conf)
        conf([], project='valet', default_config_files=[])
        self.assertEqual('valet-engine', conf.engine_rpc.topic)

    def test_threading_backend_selected(self):
        self.assertEqual(backend.BackendType.THREADING,
                         backend.get_backend_type())
