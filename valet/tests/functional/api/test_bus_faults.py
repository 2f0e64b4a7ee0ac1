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

"""The message bus or the engine taken away in the middle of a request.

The API runs in-process (webob) and a real valet-engine process plans on
a real MariaDB or PostgreSQL database; both reach the shared RabbitMQ
through a TCP proxy of the test's own, which the test cuts (RabbitMQ
itself stays up for the other tests). The engine is paused with SIGSTOP.

Each fault must give a 503 with an API-WG body in bounded time and leave
the database whole: a plan with all its placements and its hosts' usage
claimed, or nothing. Once the fault is gone, requests succeed again. The
times to the 503 and to recovery are recorded as test details; the bounds
asserted are generous ceilings against a wait without end, not timings.
"""

import os
import signal
import threading
import time
from unittest import mock
import urllib.parse

from oslo_serialization import jsonutils
import sqlalchemy as sa
import testtools
import webob

from valet.api import deploy
from valet.common import messaging
from valet import context
from valet.db import models
from valet.engine import rpcapi
from valet import policy
from valet.tests import base
from valet.tests.fixtures import liveness
from valet.tests.fixtures import tcp_proxy
from valet.tests.functional.api import test_plan_failures
from valet.tests.functional.engine import test_two_engines
from valet.tests.functional.notifications import test_rabbit

SERVICE = test_plan_failures.SERVICE
# Tries of a request after the fault is gone before giving up (RabbitMQ
# clients back off up to 30 s between reconnections).
RECOVERY_ATTEMPTS = 360
PLAN_TIMEOUT = 10
RESERVE_TIMEOUT = 3


def _text(value):
    return testtools.content.text_content('%.2f s' % value)


class _BusFaultsTest(test_two_engines.EngineProcessesMixin):

    def setUp(self):
        super().setUp()
        self.flags(group='api', auth_strategy='noauth')
        self.flags(group='oslo_messaging_notifications', driver=['noop'])
        rabbit = urllib.parse.urlparse(test_rabbit.RABBIT_URL)
        self.proxy = self.useFixture(
            tcp_proxy.TCPProxy(rabbit.hostname, rabbit.port or 5672))
        self.proxy_url = rabbit._replace(
            netloc='%s@127.0.0.1:%d' % (rabbit.netloc.rpartition('@')[0],
                                        self.proxy.port)).geturl()
        self.flags(transport_url=self.proxy_url)
        # Registered after the proxy: runs before it is stopped, while
        # the bus is reachable (a cleanup with the bus cut would wait for
        # a reconnection without end).
        self.addCleanup(messaging.cleanup_shared_rpc_transport, self.conf)
        self.addCleanup(policy.reset, self.conf)
        with mock.patch.object(test_rabbit, 'RABBIT_URL', self.proxy_url):
            self._start_engine('engine-a')
        self.engine = self.processes[-1][1]
        self.addCleanup(self._resume)
        self._wait_for_engines(rpcapi.EngineAPI(self.conf),
                               context.RequestContext(user_id='u',
                                                      project_id='p'))

    def request(self, method, path, body=None, headers=SERVICE):
        req = webob.Request.blank(path, method=method)
        req.headers.update(headers)
        if body is not None:
            req.body = jsonutils.dump_as_bytes(body)
            req.content_type = 'application/json'
        return req.get_response(deploy.loadapp(self.conf))

    def post_plan(self, i):
        return self.request('POST', '/v1/plans', {
            'plan_name': 'stack-%d' % i, 'stack_id': 'stack-%d' % i,
            'resources': test_two_engines.stack(i)},
            headers=test_plan_failures.MEMBER)

    def wait_for_success(self, attempt, expected):
        """Repeat attempt() until it answers expected; return the time."""
        start = time.monotonic()
        for _attempt in range(RECOVERY_ATTEMPTS):
            response = attempt()
            if response.status_int == expected:
                return time.monotonic() - start, response
            self.assertEqual(503, response.status_int, response.body)
            time.sleep(0.5)
        self.fail('no recovery after %d attempts; last answer %s\n%s'
                  % (RECOVERY_ATTEMPTS, response.body, self._logs()))

    def assertUnavailable(self, response):
        self.assertEqual(503, response.status_int, response.body)
        error = response.json['errors'][0]
        self.assertEqual('valet.service_unavailable', error['code'])
        self.assertEqual(503, error['status'])
        self.addDetail('503-detail', testtools.content.text_content(
            error['detail']))

    def _engine_log(self):
        with open(self.processes[-1][2]) as f:
            return f.read()

    def _pause(self):
        os.killpg(self.engine.pid, signal.SIGSTOP)

    def _resume(self):
        try:
            os.killpg(self.engine.pid, signal.SIGCONT)
        except ProcessLookupError:
            pass

    def _state(self):
        """Return (plans, placements by orchestration id, host usage)."""
        with self.db.connect() as conn:
            plans = conn.execute(sa.select(models.Plan.__table__)).all()
            placements = conn.execute(
                sa.select(models.Placement.__table__)).all()
            hosts = conn.execute(sa.select(models.Host.__table__)).all()
        return (plans, {row.orchestration_id: row for row in placements},
                {row.name: row.vcpus for row in hosts})

    def assertWhole(self):
        """Every plan has its 3 placements and the hosts their sum."""
        plans, placements, usage = self._state()
        per_host = {}
        for row in placements.values():
            per_host[row.location] = per_host.get(row.location, 0) + \
                row.vcpus
        for plan in plans:
            self.assertEqual(3, sum(1 for row in placements.values()
                                    if row.plan_id == plan.id), plan)
        self.assertEqual(3 * len(plans), len(placements))
        self.assertEqual({host: per_host.get(host, 0) for host in usage},
                         usage)
        return plans, placements

    def test_bus_cut_during_post_plan(self):
        self.flags(group='api', engine_timeout=PLAN_TIMEOUT)
        # The engine is up and the bus carries plans.
        self.wait_for_success(lambda: self.post_plan(0), 201)
        outcome = {}

        def post():
            outcome['response'] = self.post_plan(1)

        before = self.proxy.sent
        start = time.monotonic()
        caller = threading.Thread(target=post)
        caller.start()
        # Cut as soon as the request has gone through the proxy.
        while self.proxy.sent == before and caller.is_alive():
            time.sleep(0.001)
        self.proxy.cut()
        caller.join(liveness.HANG)
        self.assertFalse(caller.is_alive(), 'POST /v1/plans hangs')
        to_503 = time.monotonic() - start
        self.addDetail('time-to-503', _text(to_503))
        self.assertUnavailable(outcome['response'])

        plans, placements = self.assertWhole()
        # stack-0 stays; stack-1 is whole or absent.
        self.assertIn(sorted(p.stack_id for p in plans),
                      (['stack-0'], ['stack-0', 'stack-1']))
        self.addDetail('stack-1-stored', testtools.content.text_content(
            str(len(plans) == 2)))

        self.proxy.restore()
        recovery, response = self.wait_for_success(
            lambda: self.post_plan(2), 201)
        self.addDetail('time-to-recovery', _text(recovery))
        self.assertEqual(3, len(response.json['plan']['placements']))
        self.assertWhole()

    def test_engine_paused_during_replan(self):
        self.flags(group='api', engine_timeout=PLAN_TIMEOUT)
        self.wait_for_success(lambda: self.post_plan(0), 201)
        self.flags(group='api', engine_timeout=RESERVE_TIMEOUT)
        _plans, placements = self.assertWhole()
        planned = placements['s0-vm0']
        taken = {row.location for row in placements.values()}
        free = sorted(set(self._state()[2]) - taken)[:2]
        reserve = {'action': 'reserve', 'resource_id': 'nova-uuid-0',
                   'locations': free}

        self._pause()
        response, to_503 = liveness.answer(
            self, lambda: self.request('POST', '/v1/placements/s0-vm0',
                                       reserve, headers=SERVICE),
            'the reserve')
        self.addDetail('time-to-503', _text(to_503))
        self.assertUnavailable(response)
        row = self._state()[1]['s0-vm0']
        self.assertEqual((planned.location, False, None),
                         (row.location, row.reserved, row.resource_id))
        self.assertWhole()

        self._resume()
        recovery, response = self.wait_for_success(
            lambda: self.request('POST', '/v1/placements/s0-vm0', reserve,
                                 headers=SERVICE), 200)
        self.addDetail('time-to-recovery', _text(recovery))
        # The call the API gave up on may still be carried out once the
        # engine resumes (it was already delivered to it): count them.
        self.addDetail('replans-committed', testtools.content.text_content(
            str(self._engine_log().count('replan of %s: committed'
                                         % planned.id))))
        reserved = response.json['placement']
        self.assertIn(reserved['location'], free)
        self.assertTrue(reserved['reserved'])
        _plans, placements = self.assertWhole()
        self.assertEqual(3, len({row.location
                                 for row in placements.values()}))


class MySQLBusFaultsTest(_BusFaultsTest, base.TestCase):
    BACKEND = 'mysql'


class PostgreSQLBusFaultsTest(_BusFaultsTest, base.TestCase):
    BACKEND = 'postgresql'
