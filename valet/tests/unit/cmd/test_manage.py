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

"""Tests of ``valet-manage`` (valet/cmd/manage.py)."""

import io
import os
from unittest import mock

import fixtures
import sqlalchemy as sa

from valet.cmd import manage
from valet.db import api
from valet.db import migration
from valet.db import models
from valet import exception
from valet.tests import base
from valet.tests.fixtures import database


class ManageTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.stdout = self.useFixture(
            fixtures.MonkeyPatch('sys.stdout', io.StringIO())).new_value
        self.stderr = self.useFixture(
            fixtures.MonkeyPatch('sys.stderr', io.StringIO())).new_value
        # main() sets up oslo.log for the process: keep the test's logging.
        self.useFixture(fixtures.MockPatch('oslo_log.log.setup'))
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.config_file = self._write_config(
            '[database]\nconnection = sqlite://\n')

    def _write_config(self, text):
        path = os.path.join(self.tmp, 'valet.conf')
        with open(path, 'w') as config:
            config.write(text)
        return path

    def _main(self, *args):
        return manage.main(['--config-file', self.config_file] + list(args))

    def _empty_database(self):
        return self.useFixture(database.Database(build_schema=False))


class DbCommandsTestCase(ManageTestCase):

    def test_db_sync_and_version(self):
        self._empty_database()
        self.assertEqual(0, self._main('db', 'version'))
        self.assertEqual('None\n', self.stdout.getvalue())
        self.assertEqual(0, self._main('db', 'sync'))
        self.assertEqual(migration.head(), migration.version(self.conf))
        self.assertEqual(0, self._main('db', 'version'))
        self.assertEqual('None\n%s\n' % migration.head(),
                         self.stdout.getvalue())
        self.assertEqual('', self.stderr.getvalue())

    def test_db_sync_twice(self):
        self._empty_database()
        self.assertEqual(0, self._main('db', 'sync'))
        self.assertEqual(0, self._main('db', 'sync'))
        self.assertEqual(migration.head(), migration.version(self.conf))

    def test_db_sync_to_a_revision(self):
        self._empty_database()
        first = migration.revisions()[0]
        self.assertEqual(0, self._main('db', 'sync', first))
        self.assertEqual(first, migration.version(self.conf))

    def test_db_sync_unknown_revision(self):
        self._empty_database()
        self.assertEqual(2, self._main('db', 'sync', 'nope'))
        self.assertIn("cannot sync to 'nope'", self.stderr.getvalue())
        self.assertIsNone(migration.version(self.conf))

    def test_db_sync_waits_for_the_server_without_a_bound(self):
        # A long migration must not be cut by [database] server_timeout.
        with open(self.config_file, 'a') as f:
            f.write('\n[database]\nserver_timeout = 5\n')
        seen = []
        self.useFixture(fixtures.MockPatchObject(
            migration, 'upgrade',
            lambda conf, revision: seen.append(
                conf.database.server_timeout)))
        self.useFixture(fixtures.MockPatchObject(
            migration, 'version', lambda conf: 'head'))
        self.assertEqual(0, self._main('db', 'sync'))
        self.assertEqual([0], seen)

    def test_db_sync_builds_the_model_schema(self):
        db = self._empty_database()
        self._main('db', 'sync')
        tables = set(sa.inspect(db.engine).get_table_names())
        expected = {'alembic_version'} | set(models.Base.metadata.tables)
        self.assertEqual(expected, tables)

    def test_database_unreachable(self):
        # An unstarted enginefacade: main() configures it from the file.
        manager = api.context_manager.make_new_manager()
        self.addCleanup(api.context_manager.patch_factory(manager))
        self.config_file = self._write_config(
            '[database]\n'
            'connection = mysql+pymysql://valet:pw@127.0.0.1:1/valet\n'
            'max_retries = 0\n')
        self.assertEqual(1, self._main('db', 'sync'))
        self.assertIn('database error', self.stderr.getvalue())
        self.assertIn("Can't connect", self.stderr.getvalue())

    def test_database_configured_from_the_file(self):
        manager = api.context_manager.make_new_manager()
        self.addCleanup(api.context_manager.patch_factory(manager))
        path = os.path.join(self.tmp, 'valet.sqlite')
        self.config_file = self._write_config(
            '[database]\nconnection = sqlite:///%s\n' % path)
        self.assertEqual(0, self._main('db', 'sync'))
        self.addCleanup(manager.writer.get_engine().dispose)
        self.assertTrue(os.path.exists(path))

    def test_service_unavailable(self):
        self._empty_database()
        with mock.patch.object(
                migration, 'version',
                side_effect=exception.ServiceUnavailable(
                    reason='down')):
            self.assertEqual(1, self._main('db', 'version'))
        self.assertIn('unavailable: down', self.stderr.getvalue())


class UsageTestCase(ManageTestCase):

    def _usage_error(self, *args):
        error = self.assertRaises(SystemExit, self._main, *args)
        self.assertEqual(2, error.code)
        return self.stderr.getvalue()

    def test_no_command(self):
        self.assertIn('required', self._usage_error())

    def test_db_without_sub_command(self):
        self.assertIn('required', self._usage_error('db'))

    def test_unknown_command(self):
        self.assertIn('invalid choice', self._usage_error('frobnicate'))

    def test_too_many_arguments(self):
        self.assertIn('unrecognized arguments',
                      self._usage_error('db', 'version', 'extra'))

    def test_missing_config_file(self):
        self.config_file = os.path.join(self.tmp, 'missing.conf')
        self.assertEqual(2, self._main('db', 'version'))
        self.assertIn('missing.conf', self.stderr.getvalue())


class PlanCommandTestCase(ManageTestCase):

    @mock.patch('valet.cmd.plan.run', return_value=1)
    def test_plan_is_delegated(self, run):
        rc = self._main('plan', '--template', 'stack.yaml',
                        '--topology', 'dc.yaml', '--format', 'table')
        self.assertEqual(1, rc)
        conf, args = run.call_args[0]
        self.assertEqual('stack.yaml', args.template)
        self.assertEqual('dc.yaml', args.topology)
        self.assertEqual('table', args.format)
        self.assertEqual('plan', conf.command.name)

    def test_plan_needs_a_template(self):
        error = self.assertRaises(SystemExit, self._main, 'plan')
        self.assertEqual(2, error.code)
        self.assertIn('--template', self.stderr.getvalue())
