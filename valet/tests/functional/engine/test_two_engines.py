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

"""Two valet-engine processes on one topic, competing for scarce hosts.

The engines run as real processes on the real RabbitMQ and share a real
MariaDB or PostgreSQL database; many clients ask for plans at once, more
than the data center can hold. Every request must end placed or cleanly
refused, and no host may end over its capacity: that is what the
generations of the commit guarantee.
"""

import os
import signal
import subprocess
import threading
import time

import fixtures
from oslo_utils import uuidutils
import sqlalchemy as sa
import yaml

from valet import context
from valet.db import models
from valet.engine import rpcapi
from valet import exception
from valet.tests import base
from valet.tests.fixtures import database
from valet.tests.functional.notifications import test_rabbit
from valet.tests.functional.services import test_processes

CLIENTS = 12
REQUESTS = 36
# 4 racks x 3 hosts of 16 vcpus, ratio 1: 192 vcpus. 36 stacks of three
# 4-vcpu servers kept on distinct hosts ask for 432.
HOST_VCPUS = 16


def scarce_topology():
    hosts = [{'name': 'r%d-h%d' % (r, h), 'rack': 'r%d' % r,
              'vcpus': HOST_VCPUS, 'ram_mb': 65536, 'disk_gb': 1000}
             for r in range(1, 5) for h in range(1, 4)]
    return {'name': 'scarce',
            'defaults': {'cpu_allocation_ratio': 1.0,
                         'ram_allocation_ratio': 1.0,
                         'disk_allocation_ratio': 1.0},
            'flavors': {'c4': {'vcpus': 4, 'ram_mb': 4096, 'disk_gb': 20}},
            'hosts': hosts}


def stack(i):
    resources = {}
    for j in range(3):
        resources['s%d-vm%d' % (i, j)] = {
            'name': 'vm%d' % j, 'type': 'OS::Nova::Server',
            'properties': {'flavor': 'c4', 'image': 'cirros'}}
    resources['s%d-spread' % i] = {
        'name': 'spread', 'type': 'ATT::Valet::GroupAssignment',
        'properties': {'group_type': 'diversity', 'level': 'host',
                       'resources': ['vm0', 'vm1', 'vm2']}}
    return resources


class EngineProcessesMixin(object):
    """valet-engine processes on RabbitMQ and a real database."""

    BACKEND = None

    def setUp(self):
        super().setUp()
        test_rabbit.configure_rabbit(self)
        backend = database.opportunistic_backend(self, self.BACKEND)
        self.url = self.useFixture(
            database.ProvisionedDatabase(backend)).url
        # The schema from the models (the migrations are proven equal to
        # them elsewhere); the fixture's engine is the test's own view.
        self.db = self.useFixture(database.Database(self.url)).engine
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.topology = os.path.join(self.tmp, 'topology.yaml')
        with open(self.topology, 'w') as f:
            yaml.safe_dump(scarce_topology(), f)
        self.topic = 'valet-engine-test-%s' % uuidutils.generate_uuid()
        self.flags(topic=self.topic, group='engine_rpc')
        self.processes = []

    def _start_engine(self, name):
        log_file = os.path.join(self.tmp, '%s.log' % name)
        conf_file = os.path.join(self.tmp, '%s.conf' % name)
        with open(conf_file, 'w') as f:
            f.write('[DEFAULT]\ntransport_url = %s\ncontrol_exchange = %s\n'
                    'host = %s\nlog_file = %s\n'
                    '[database]\nconnection = %s\n'
                    '[engine]\ntopology_file = %s\n'
                    '[engine_rpc]\ntopic = %s\n'
                    '[oslo_messaging_notifications]\ndriver = noop\n'
                    '[oslo_messaging_rabbit]\namqp_auto_delete = true\n'
                    % (test_rabbit.RABBIT_URL, self.exchange, name,
                       log_file, self.url, self.topology, self.topic))
        # Its own process group: the service runs in a child of the
        # launcher process, and kill() must reach both.
        process = subprocess.Popen(
            test_processes._console_script('valet-engine') +
            ['--config-file', conf_file], stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)
        self.addCleanup(self._stop, process)
        self.processes.append((name, process, log_file))

    def _stop(self, process):
        """Kill the engine at once (SIGKILL to its whole group)."""
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()

    def _logs(self):
        found = []
        for name, _process, path in self.processes:
            try:
                with open(path) as f:
                    found.append('--- %s\n%s' % (name, f.read()[-4000:]))
            except OSError:
                found.append('--- %s: no log' % name)
        return '\n'.join(found)

    def _wait_for_engines(self, api, ctx, names=None):
        """Ping until every engine named (default: all started) answers."""
        if names is None:
            names = [name for name, _p, _l in self.processes]
        seen = set()
        deadline = time.monotonic() + test_processes.START_WAIT
        while not seen.issuperset(names):
            try:
                seen.add(api.ping(ctx, timeout=2)['id'])
            except exception.ServiceUnavailable:
                pass
            if time.monotonic() > deadline:
                self.fail('engines never answered:\n%s' % self._logs())


class _TwoEnginesTest(EngineProcessesMixin):

    def test_concurrent_plans_never_overcommit(self):
        self._start_engine('engine-a')
        self._start_engine('engine-b')
        api = rpcapi.EngineAPI(self.conf)
        self._wait_for_engines(api, context.RequestContext(
            user_id='u', project_id='p'))
        outcomes = {}
        work = list(range(REQUESTS))
        lock = threading.Lock()

        def client():
            ctx = context.RequestContext(user_id='u', project_id='p')
            while True:
                with lock:
                    if not work:
                        return
                    i = work.pop()
                try:
                    plan = api.create_plan(ctx, 'stack-%d' % i,
                                           'stack-%d' % i, stack(i),
                                           timeout=120)
                    outcome = ('placed', plan)
                except (exception.NoPlacement,
                        exception.ServiceUnavailable) as exc:
                    outcome = ('refused', exc)
                except Exception as exc:
                    outcome = ('error', exc)
                with lock:
                    outcomes[i] = outcome

        threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(300)
        self.assertEqual(REQUESTS, len(outcomes), self._logs())
        errors = {i: o[1] for i, o in outcomes.items() if o[0] == 'error'}
        self.assertEqual({}, errors, self._logs())
        placed = {i: o[1] for i, o in outcomes.items() if o[0] == 'placed'}
        # 12 hosts x 4 servers each: at most 16 stacks of 3 fit.
        self.assertLessEqual(len(placed), 16)
        self.assertGreaterEqual(len(placed), 12, self._logs())
        self._check_database(placed)
        # Both engines did their share (RabbitMQ spreads the calls).
        for name, _process, path in self.processes:
            with open(path) as f:
                self.assertIn('committed', f.read(), name)

    def _check_database(self, placed):
        with self.db.connect() as conn:
            placements = conn.execute(
                sa.select(models.Placement.__table__)).all()
            plans = conn.execute(sa.select(models.Plan.__table__)).all()
            hosts = {row.name: row for row in conn.execute(
                sa.select(models.Host.__table__))}
        self.assertEqual(sorted('stack-%d' % i for i in placed),
                         sorted(row.stack_id for row in plans))
        per_host, per_plan = {}, {}
        for row in placements:
            per_host[row.location] = per_host.get(row.location, 0) + \
                row.vcpus
            per_plan.setdefault(row.plan_id, []).append(row.location)
        for host, vcpus in per_host.items():
            self.assertLessEqual(vcpus, HOST_VCPUS, host)
            self.assertEqual(vcpus, hosts[host].vcpus, host)
        for plan_id, locations in per_plan.items():
            self.assertEqual(3, len(locations), plan_id)
            self.assertEqual(3, len(set(locations)), plan_id)
        for name, row in hosts.items():
            self.assertEqual(per_host.get(name, 0), row.vcpus, name)


class MySQLTwoEnginesTest(_TwoEnginesTest, base.TestCase):
    BACKEND = 'mysql'


class PostgreSQLTwoEnginesTest(_TwoEnginesTest, base.TestCase):
    BACKEND = 'postgresql'
