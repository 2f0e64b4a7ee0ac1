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

"""Tests of the enginefacade set-up and error mapping (valet/db/api.py)."""

import sqlite3
import threading
from unittest import mock

import fixtures
from oslo_db import exception as db_exc
from oslo_db.sqlalchemy import enginefacade
import sqlalchemy as sa

from valet import context
from valet.db import api
from valet.db import groups
from valet import exception
from valet.tests import base
from valet.tests.fixtures import database


class ConnectionOptionsTestCase(base.TestCase):

    def test_mysql_talks_utf8mb4(self):
        self.assertEqual(
            'mysql+pymysql://valet:p%40ss@db/valet?charset=utf8mb4',
            api.with_utf8mb4('mysql+pymysql://valet:p%40ss@db/valet'))

    def test_explicit_charset_is_kept(self):
        url = 'mysql+pymysql://valet:pw@db/valet?charset=utf8'
        self.assertEqual(url, api.with_utf8mb4(url))

    def test_other_backends_untouched(self):
        for url in ('postgresql+psycopg2://v:pw@db/valet', 'sqlite://',
                    None, ''):
            self.assertEqual(url, api.with_utf8mb4(url))

    def test_facade_options(self):
        # (The driver timeouts are test_timeouts' business.)
        self.flags(group='database', max_retries=3, server_timeout=0,
                   connection='mysql+pymysql://v:pw@db/valet')
        options = api.facade_options(self.conf)
        self.assertTrue(options['sqlite_fk'])
        # Native threads: no sleep(0) for green threads on each check-in.
        self.assertFalse(options['thread_checkin'])
        self.assertEqual(3, options['max_retries'])
        self.assertEqual('mysql+pymysql://v:pw@db/valet?charset=utf8mb4',
                         options['connection'])
        self.assertNotIn('db_max_retries', options)
        self.assertNotIn('backend', options)

    def test_default_connection_is_a_sqlite_file(self):
        self.assertTrue(self.conf.database.connection.startswith(
            'sqlite:////'))


class ConfigureTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.manager = api.context_manager.make_new_manager()
        self.addCleanup(api.context_manager.patch_factory(self.manager))
        self.path = self.useFixture(fixtures.TempDir()).join('valet.sqlite')
        self.flags(group='database', connection='sqlite:///' + self.path)

    def test_configure(self):
        api.configure(self.conf)
        engine = api.get_engine()
        self.addCleanup(engine.dispose)
        self.assertEqual(self.path, engine.url.database)
        with engine.connect() as conn:
            # [database] has no sqlite_fk option: Valet turns it on.
            self.assertEqual(1, conn.exec_driver_sql(
                'PRAGMA foreign_keys').scalar())

    def test_configure_after_start_is_ignored(self):
        api.configure(self.conf)
        engine = api.get_engine()
        self.addCleanup(engine.dispose)
        self.flags(group='database', connection='sqlite://')
        with mock.patch.object(api.LOG, 'warning') as warning:
            api.configure(self.conf)
        warning.assert_called_once()
        self.assertIs(engine, api.get_engine())


class UnavailableDatabaseTestCase(base.TestCase):
    """A database that cannot be reached answers ServiceUnavailable."""

    def setUp(self):
        super().setUp()
        self.ctx = context.RequestContext(config=self.conf)

    def _unreachable(self, connection):
        # Nothing listens on port 1; max_retries=0 fails at once.
        manager = api.new_context_manager(connection, max_retries=0)
        self.addCleanup(api.context_manager.patch_factory(manager))

    def test_every_function_maps_unreachable_to_503(self):
        self._unreachable(
            'mysql+pymysql://valet:secret@127.0.0.1:1/valet')
        calls = [
            (groups.create_group, ('web', 'affinity', 'host')),
            (groups.get_group, ('web',)),
            (groups.list_groups, ()),
            (groups.update_group, ('web', 'd')),
            (groups.delete_group, ('web',)),
            (groups.add_members, ('web', ['p1'])),
            (groups.is_member, ('web', 'p1')),
            (groups.remove_member, ('web', 'p1')),
            (groups.remove_all_members, ('web',)),
            (groups.group_servers, ('web',)),
        ]
        for function, args in calls:
            error = self.assertRaises(exception.ServiceUnavailable,
                                      function, self.ctx, *args)
            self.assertEqual('valet.service_unavailable', error.error_code)
            self.assertIn('database is unavailable', str(error))
            self.assertNotIn('secret', str(error))

    def test_postgresql_unreachable(self):
        self._unreachable(
            'postgresql+psycopg2://valet:secret@127.0.0.1:1/valet')
        self.assertRaises(exception.ServiceUnavailable, groups.list_groups,
                          self.ctx)

    def test_not_configured(self):
        # A facade of its own, never configured: make_new_manager() would
        # inherit whatever an earlier test of this process configured.
        manager = enginefacade.transaction_context()
        self.addCleanup(api.context_manager.patch_factory(manager))
        error = self.assertRaises(exception.ServiceUnavailable,
                                  groups.list_groups, self.ctx)
        self.assertIn('CantStartEngineError', str(error))

    def test_operational_error_mid_transaction(self):
        self.useFixture(database.Database())
        operational = sa.exc.OperationalError('SELECT', {}, Exception('gone'))
        with mock.patch.object(groups, '_find_group',
                               side_effect=operational):
            self.assertRaises(exception.ServiceUnavailable,
                              groups.get_group, self.ctx, 'web')

    def test_other_database_errors_are_not_hidden(self):
        self.useFixture(database.Database())
        with mock.patch.object(groups, '_find_group',
                               side_effect=db_exc.DBDataError('bad')):
            self.assertRaises(db_exc.DBDataError, groups.get_group,
                              self.ctx, 'web')


class SQLiteFileLockingTestCase(base.TestCase):
    """Writers on a SQLite file take the write lock when they begin."""

    def setUp(self):
        super().setUp()
        path = self.useFixture(fixtures.TempDir()).join('valet.sqlite')
        self.path = path
        self.manager = api.new_context_manager('sqlite:///%s' % path)
        engine = self.manager.writer.get_engine()
        self.addCleanup(engine.dispose)
        with engine.begin() as connection:
            connection.exec_driver_sql('CREATE TABLE t (x INTEGER)')

    def test_transaction_holds_the_write_lock_from_its_start(self):
        ctx = context.RequestContext()
        with self.manager.writer.using(ctx) as session:
            # Only a read so far: a deferred transaction would hold a
            # shared lock, and another writer could still begin.
            session.execute(sa.text('SELECT count(*) FROM t')).scalar()
            other = sqlite3.connect(self.path, timeout=0,
                                    isolation_level=None)
            self.addCleanup(other.close)
            error = self.assertRaises(sqlite3.OperationalError,
                                      other.execute, 'BEGIN IMMEDIATE')
            self.assertIn('locked', str(error))

    def test_concurrent_read_then_write_transactions_all_commit(self):
        errors = []

        def read_then_write(n):
            try:
                for _ in range(10):
                    ctx = context.RequestContext()
                    with self.manager.writer.using(ctx) as session:
                        session.execute(sa.text('SELECT count(*) FROM t'))
                        session.execute(sa.text('INSERT INTO t VALUES (:n)'),
                                        {'n': n})
            except Exception as exc:  # noqa: B902 - reported below
                errors.append(exc)

        workers = [threading.Thread(target=read_then_write, args=(n,))
                   for n in range(4)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        self.assertEqual([], errors)
        engine = self.manager.writer.get_engine()
        with engine.connect() as connection:
            count = connection.exec_driver_sql(
                'SELECT count(*) FROM t').scalar()
        self.assertEqual(40, count)


class DatabaseDefaultsTestCase(base.TestCase):

    def test_an_unreachable_database_is_given_up_on_quickly(self):
        # valet-api starts the engine on the first request after the
        # database went away: oslo.db's 10 tries 10 s apart would hold
        # that request for minutes before its 503.
        self.assertLessEqual(
            self.conf.database.max_retries *
            self.conf.database.retry_interval, 5)
        self.assertGreater(self.conf.database.max_retries, 0)
