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

"""The server life cycle tests, run on MySQL/MariaDB and PostgreSQL.

Besides every unit test of valet/tests/unit/db/test_servers.py and
test_servers_reconcile.py, two
listeners handling the same notifications at once race here, which only a
real server can show: the capacity must still be counted once.
"""

import threading

from oslo_utils import uuidutils

from valet import context
from valet.db import servers
from valet.tests.fixtures import database
from valet.tests.unit.db import test_servers
from valet.tests.unit.db import test_servers_reconcile


class _RealBackendMixin:
    BACKEND = None

    def database_fixture(self):
        backend = database.opportunistic_backend(self, self.BACKEND)
        url = self.useFixture(database.ProvisionedDatabase(backend)).url
        return database.Database(url)


class _RaceMixin(_RealBackendMixin):

    def _race(self, calls):
        """Run each (function, args) at once, each in its transaction."""
        start = threading.Barrier(len(calls))
        outcomes = [None] * len(calls)

        def run(index, function, args):
            ctx = context.RequestContext(config=self.conf)
            start.wait()
            try:
                outcomes[index] = function(ctx, *args)
            except Exception as error:
                outcomes[index] = error

        threads = [threading.Thread(target=run, args=(i, fn, args))
                   for i, (fn, args) in enumerate(calls)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return outcomes

    def test_racing_duplicates_of_a_new_server(self):
        outcomes = self._race([(servers.server_active,
                                (self.uuid, 'h9', test_servers.SMALL))] * 4)
        self.assertEqual(['recorded', 'unchanged', 'unchanged', 'unchanged'],
                         sorted(outcomes, key=str), outcomes)
        self.assertEqual({'h9': test_servers.demand(test_servers.SMALL)},
                         self.usage())

    def test_racing_creates_moves_and_deletes(self):
        placements = {}
        for host in ('h1', 'h2', 'h3'):
            uuid = uuidutils.generate_uuid()
            placements[uuid] = self.reserved(host, uuid=uuid)
        calls = []
        for uuid in placements:
            calls += [(servers.server_active,
                       (uuid, 'h1', test_servers.SMALL)),
                      (servers.server_moved, (uuid, 'h3')),
                      (servers.server_deleted, (uuid,))]
        outcomes = self._race(calls)
        for outcome in outcomes:
            self.assertIsInstance(outcome, str)
        # Deletion wins whatever the order.
        for placement in placements.values():
            self.assertEqual('deleted', self.where(placement)[0])
        self.assertEqual({}, self.usage())


class MySQLServerLifeCycleTest(_RaceMixin,
                               test_servers.ServerLifeCycleTest):
    BACKEND = 'mysql'


class PostgreSQLServerLifeCycleTest(_RaceMixin,
                                    test_servers.ServerLifeCycleTest):
    BACKEND = 'postgresql'


class MySQLReconcileTest(_RealBackendMixin,
                         test_servers_reconcile.ReconcileTest):
    BACKEND = 'mysql'


class PostgreSQLReconcileTest(_RealBackendMixin,
                              test_servers_reconcile.ReconcileTest):
    BACKEND = 'postgresql'
