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

"""The group function tests, run on MySQL/MariaDB and PostgreSQL.

Besides every unit test of valet/tests/unit/db/test_groups.py, concurrent
writers race here, which only a real server can show.
"""

import threading

from valet import context
from valet.db import groups
from valet import exception
from valet.tests.fixtures import database
from valet.tests.unit.db import test_groups


class _RealBackendMixin:
    BACKEND = None

    def database_fixture(self):
        backend = database.opportunistic_backend(self, self.BACKEND)
        url = self.useFixture(database.ProvisionedDatabase(backend)).url
        return database.Database(url)

    def _race(self, *calls):
        """Run each (function, args) in its own thread and transaction.

        Returns each call's result or the exception it raised.
        """
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

    def test_racing_creates_of_one_name(self):
        outcomes = self._race(
            *[(groups.create_group, ('web', 'affinity', 'host'))] * 4)
        created = [o for o in outcomes if isinstance(o, dict)]
        refused = [o for o in outcomes
                   if isinstance(o, exception.GroupNameExists)]
        self.assertEqual((1, 3), (len(created), len(refused)), outcomes)
        self.assertEqual([created[0]], groups.list_groups(self.ctx))

    def test_racing_member_additions_make_a_union(self):
        group = self._create()
        outcomes = self._race(
            (groups.add_members, (group['id'], ['p1', 'p2'])),
            (groups.add_members, (group['id'], ['p2', 'p3'])),
            (groups.add_members, (group['id'], ['p3', 'p4'])))
        for outcome in outcomes:
            self.assertIsInstance(outcome, dict)
        self.assertEqual(['p1', 'p2', 'p3', 'p4'],
                         groups.get_group(self.ctx, group['id'])['members'])


class MySQLGroupsTestCase(_RealBackendMixin, test_groups.GroupsTestCase):
    BACKEND = 'mysql'


class PostgreSQLGroupsTestCase(_RealBackendMixin,
                               test_groups.GroupsTestCase):
    BACKEND = 'postgresql'
