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

"""An engine killed in the middle of a commit leaves nothing behind.

The test holds a lock on every host row, so the engine's commit blocks
half way: the plan and its placements inserted, the hosts' usage not yet
claimed. The engine process is then killed (SIGKILL); the database rolls
its transaction back, and no plan, placement or capacity remains. A new
engine then places the same stack.
"""

import threading
import time

import sqlalchemy as sa

from valet import context
from valet.db import models
from valet.engine import rpcapi
from valet import exception
from valet.tests import base
from valet.tests.functional.engine import test_two_engines

# Statements of the test's own database user waiting for a row lock (no
# PROCESS privilege is needed to see one's own sessions).
LOCK_WAIT = {
    'mysql': "SELECT count(*) FROM information_schema.processlist "
             "WHERE db = DATABASE() AND info LIKE 'UPDATE hosts%%'",
    'postgresql': "SELECT count(*) FROM pg_stat_activity "
                  "WHERE wait_event_type = 'Lock' AND "
                  "datname = current_database()",
}


class _EngineKilledTest(test_two_engines.EngineProcessesMixin):

    def _blocked_commit(self):
        """Wait until a transaction waits for our lock; True if one did."""
        deadline = time.monotonic() + 120
        query = sa.text(LOCK_WAIT[self.BACKEND])
        with self.db.connect() as conn:
            while time.monotonic() < deadline:
                if conn.execute(query).scalar():
                    return True
                conn.commit()
                time.sleep(0.05)
        return False

    def _counts(self):
        with self.db.connect() as conn:
            plans = conn.execute(sa.select(sa.func.count()).select_from(
                models.Plan.__table__)).scalar()
            placements = conn.execute(sa.select(sa.func.count())
                                      .select_from(
                                          models.Placement.__table__)
                                      ).scalar()
            used = conn.execute(sa.select(
                sa.func.coalesce(sa.func.sum(models.Host.vcpus), 0),
                sa.func.coalesce(sa.func.max(models.Host.generation), 0)
            )).one()
        return plans, placements, tuple(used)

    def test_killed_mid_commit_leaves_nothing(self):
        self._start_engine('engine-a')
        api = rpcapi.EngineAPI(self.conf)
        ctx = context.RequestContext(user_id='u', project_id='p')
        self._wait_for_engines(api, ctx)
        outcome = {}

        def plan():
            try:
                outcome['plan'] = api.create_plan(
                    ctx, 'stack-1', 'stack-1', test_two_engines.stack(1),
                    timeout=8)
            except Exception as exc:
                outcome['error'] = exc

        holder = self.db.connect()
        self.addCleanup(holder.close)
        holder.execute(sa.select(models.Host.__table__).with_for_update())
        caller = threading.Thread(target=plan)
        caller.start()
        blocked = self._blocked_commit()
        _name, process, _log = self.processes[0]
        self._stop(process)
        holder.rollback()
        self.assertTrue(blocked, 'the commit never reached the host rows:'
                        '\n%s' % self._logs())
        caller.join(60)
        self.assertIsInstance(outcome.get('error'),
                              exception.ServiceUnavailable, outcome)
        self.assertEqual((0, 0, (0, 0)), self._counts())

        # Another engine places the stack; the capacity adds up.
        self._start_engine('engine-b')
        self._wait_for_engines(api, ctx, ['engine-b'])
        plan = api.create_plan(ctx, 'stack-1', 'stack-1',
                               test_two_engines.stack(1), timeout=60)
        self.assertEqual(3, len(plan['placements']))
        plans, placements, (vcpus, _gen) = self._counts()
        self.assertEqual((1, 3, 12), (plans, placements, vcpus))


class MySQLEngineKilledTest(_EngineKilledTest, base.TestCase):
    BACKEND = 'mysql'


class PostgreSQLEngineKilledTest(_EngineKilledTest, base.TestCase):
    BACKEND = 'postgresql'
