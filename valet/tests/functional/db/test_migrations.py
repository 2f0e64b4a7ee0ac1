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

"""Walk every alembic revision and prove the result equals the models.

Runs on SQLite, MySQL/MariaDB and PostgreSQL; the real backends follow
oslo.db's opportunistic convention (see valet/tests/fixtures/database.py).
"""

from alembic import autogenerate
from alembic import migration as alembic_migration
from oslo_db import exception as db_exc
from oslo_db.sqlalchemy import test_migrations
import sqlalchemy as sa

from valet.db import migration
from valet.db import models
from valet.tests import base
from valet.tests.fixtures import database


class _MigrationsTests(test_migrations.ModelsMigrationsSync):
    """Tests shared by every backend; subclasses choose the database."""

    def database_fixture(self):
        return database.Database(build_schema=False)

    def setUp(self):
        super().setUp()
        self.db = self.useFixture(self.database_fixture())

    # ModelsMigrationsSync hooks

    def get_engine(self):
        return self.db.engine

    def get_metadata(self):
        return models.Base.metadata

    def db_sync(self, engine):
        migration.upgrade(self.conf)

    def _diff(self, metadata):
        with self.db.engine.connect() as conn:
            context = alembic_migration.MigrationContext.configure(conn)
            return autogenerate.compare_metadata(context, metadata)

    def _tables(self):
        return set(sa.inspect(self.db.engine).get_table_names())

    # the tests

    def test_walk_versions(self):
        self.assertIsNone(migration.version(self.conf))
        self.assertEqual(set(), self._tables())
        for revision in migration.revisions():
            migration.upgrade(self.conf, revision)
            self.assertEqual(revision, migration.version(self.conf))
            check = getattr(self, '_check_%s' % revision, None)
            if check:
                check(self.db.engine)
        self.assertEqual(migration.head(), migration.version(self.conf))

    def test_upgrade_twice_is_harmless(self):
        migration.upgrade(self.conf)
        migration.upgrade(self.conf)
        self.assertEqual(migration.head(), migration.version(self.conf))

    def test_comparison_sees_drift(self):
        # Guard against a comparison that can never fail.
        migration.upgrade(self.conf)
        self.assertEqual([], self._diff(models.Base.metadata))
        drifted = sa.MetaData()
        for table in models.Base.metadata.sorted_tables:
            table.to_metadata(drifted)
        drifted.tables['groups'].append_column(sa.Column('extra',
                                                         sa.Integer))
        self.assertEqual(
            [('add_column', None, 'groups', 'extra')],
            [(op[0], op[1], op[2], op[3].name) for op in
             self._diff(drifted)])

    def _check_ba60c83b6edf(self, engine):
        self.assertEqual({'alembic_version', 'groups', 'group_members',
                          'group_servers'}, self._tables())
        groups = sa.table('groups', *(sa.column(c) for c in (
            'id', 'name', 'type', 'level', 'created_at')))
        members = sa.table('group_members', sa.column('group_id'),
                           sa.column('project_id'),
                           sa.column('created_at'))
        now = models._utcnow()
        row = {'id': 'g1', 'name': 'web', 'type': 'affinity',
               'level': 'host', 'created_at': now}
        with engine.begin() as conn:
            conn.execute(groups.insert().values(row))
            conn.execute(members.insert().values(
                group_id='g1', project_id='p1', created_at=now))
        with engine.begin() as conn:
            self.assertRaises(db_exc.DBDuplicateEntry, conn.execute,
                              groups.insert().values(dict(row, id='g2')))
        with engine.begin() as conn:
            self.assertRaises(db_exc.DBDuplicateEntry, conn.execute,
                              members.insert().values(
                                  group_id='g1', project_id='p1',
                                  created_at=now))
        with engine.begin() as conn:
            self.assertRaises(db_exc.DBReferenceError, conn.execute,
                              members.insert().values(
                                  group_id='nope', project_id='p1',
                                  created_at=now))
        with engine.begin() as conn:
            conn.execute(members.delete())
            conn.execute(groups.delete())


class SQLiteMigrationsTestCase(_MigrationsTests, base.TestCase):
    pass


class _RealBackendMixin:
    BACKEND = None

    def database_fixture(self):
        backend = database.opportunistic_backend(self, self.BACKEND)
        url = self.useFixture(database.ProvisionedDatabase(backend)).url
        return database.Database(url, build_schema=False)


class MySQLMigrationsTestCase(_RealBackendMixin, _MigrationsTests,
                              base.TestCase):
    BACKEND = 'mysql'

    def test_tables_are_innodb_utf8mb4(self):
        migration.upgrade(self.conf)
        with self.db.engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT table_name, engine, table_collation "
                "FROM information_schema.tables "
                "WHERE table_schema = DATABASE()")).all()
        self.assertEqual(9, len(rows))
        for name, engine, collation in rows:
            self.assertEqual('InnoDB', engine, name)
            self.assertTrue(collation.startswith('utf8mb4'),
                            '%s: %s' % (name, collation))

    def test_names_and_project_ids_compare_exactly(self):
        migration.upgrade(self.conf)
        with self.db.engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT table_name, column_name, collation_name "
                "FROM information_schema.columns "
                "WHERE table_schema = DATABASE() AND "
                "collation_name = 'utf8mb4_nopad_bin'")).all()
        # Identifiers compare exactly, trailing spaces included (NO PAD);
        # display names (a plan's, a server's) keep the default
        # collation.
        self.assertEqual(
            {('groups', 'name'),
             ('group_members', 'project_id'),
             ('group_servers', 'project_id'),
             ('plans', 'stack_id'), ('plans', 'project_id'),
             ('placements', 'orchestration_id'),
             ('placements', 'project_id'),
             ('placement_hints', 'value'),
             ('hosts', 'name'),
             ('unplanned_servers', 'project_id')},
            {(table, column) for table, column, _ in rows})


class PostgreSQLMigrationsTestCase(_RealBackendMixin, _MigrationsTests,
                                   base.TestCase):
    BACKEND = 'postgresql'
