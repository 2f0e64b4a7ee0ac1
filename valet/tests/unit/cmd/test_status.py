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

"""Tests of ``valet-status upgrade check`` (valet/cmd/status.py)."""

import io
import os
from unittest import mock

import fixtures
from oslo_policy import opts as policy_opts
from oslo_upgradecheck import upgradecheck
import sqlalchemy as sa

from valet.cmd import status
from valet.db import api
from valet.db import migration
from valet.tests import base
from valet.tests.fixtures import database
from valet.tests.unit.api import base as api_base

Code = upgradecheck.Code


class StatusTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        policy_opts.set_defaults(self.conf)
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.checks = status.Checks(self.conf)

    def _file(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, 'w') as handle:
            handle.write(text)
        return path


class DatabaseCheckTestCase(StatusTestCase):

    def setUp(self):
        super().setUp()
        self.db = self.useFixture(database.Database(build_schema=False))

    def test_at_head(self):
        migration.upgrade(self.conf)
        self.assertEqual(Code.SUCCESS,
                         self.checks._check_database_schema().code)

    def test_never_synced(self):
        result = self.checks._check_database_schema()
        self.assertEqual(Code.FAILURE, result.code)
        self.assertIn('valet-manage db sync', result.details)

    def test_behind_head(self):
        migration.upgrade(self.conf)
        current = migration.head()
        with mock.patch.object(migration, 'head', return_value='f00d'), \
                mock.patch.object(migration, 'revisions',
                                  return_value=[current, 'f00d']):
            result = self.checks._check_database_schema()
        self.assertEqual(Code.FAILURE, result.code)
        self.assertIn('at revision %s but this release needs f00d' % current,
                      result.details)

    def test_unknown_revision(self):
        migration.upgrade(self.conf)
        with self.db.engine.begin() as conn:
            conn.execute(sa.text(
                "UPDATE alembic_version SET version_num = 'deadbeef'"))
        result = self.checks._check_database_schema()
        self.assertEqual(Code.FAILURE, result.code)
        self.assertIn('deadbeef', result.details)
        self.assertIn('does not know', result.details)


class UnreachableDatabaseTestCase(StatusTestCase):

    def test_unreachable(self):
        manager = api.context_manager.make_new_manager()
        self.addCleanup(api.context_manager.patch_factory(manager))
        self.flags(group='database', max_retries=0,
                   connection='postgresql+psycopg2://v:pw@127.0.0.1:1/v')
        result = self.checks._check_database_schema()
        self.assertEqual(Code.FAILURE, result.code)
        self.assertIn('Cannot reach the database', result.details)


class PolicyCheckTestCase(StatusTestCase):

    def _check(self, text=None, name='policy.yaml'):
        if text is not None:
            self.flags(group='oslo_policy',
                       policy_file=self._file(name, text))
        return self.checks._check_policy_file()

    def test_no_policy_file(self):
        result = self._check()
        self.assertEqual(Code.SUCCESS, result.code)
        self.assertIn('defaults in code', result.details)

    def test_valid_overrides(self):
        result = self._check(
            'valet:groups:create: "role:admin"\n'
            # A custom alias is fine when a rule refers to it.
            'cloud_admin: "role:admin and system_scope:all"\n'
            'valet:groups:delete: "rule:cloud_admin"\n')
        self.assertEqual(Code.SUCCESS, result.code)

    def test_unparsable(self):
        result = self._check('valet:groups:create: [unclosed\n')
        self.assertEqual(Code.FAILURE, result.code)
        self.assertIn('cannot be loaded', result.details)

    def test_unknown_rule(self):
        result = self._check('valet:groups:creat: "role:admin"\n'
                             'valet:groups:list: "role:reader"\n')
        self.assertEqual(Code.WARNING, result.code)
        self.assertIn('valet:groups:creat', result.details)
        self.assertNotIn('valet:groups:list', result.details)

    def test_reference_to_undefined_rule(self):
        result = self._check('valet:groups:create: "rule:no_such_rule"\n')
        self.assertEqual(Code.FAILURE, result.code)
        self.assertIn('undefined rules', result.details)

    def test_configured_file_missing(self):
        self.flags(group='oslo_policy',
                   policy_file=os.path.join(self.tmp, 'missing.yaml'))
        result = self.checks._check_policy_file()
        # valet-api refuses to start with it: a failure, not a warning.
        self.assertEqual(Code.FAILURE, result.code)
        self.assertIn('missing.yaml does not exist', result.details)

    def test_json_policy_file(self):
        self._check('{"valet:groups:create": "role:admin"}',
                    name='policy.json')
        result = self.checks._check_policy_json()
        self.assertEqual(Code.FAILURE, result.code)
        self.assertIn('YAML', result.details)


class MainTestCase(StatusTestCase):

    def setUp(self):
        super().setUp()
        self.db = self.useFixture(database.Database(build_schema=False))
        self.stdout = self.useFixture(
            fixtures.MonkeyPatch('sys.stdout', io.StringIO())).new_value

    def _main(self, policy=''):
        config = self._file('valet.conf', (
            '[database]\nconnection = sqlite://\n'
            '[oslo_policy]\npolicy_file = %s\n' %
            self._file('policy.yaml', policy)))
        return status.main(['--config-file', config, 'upgrade', 'check'])

    def test_all_good(self):
        migration.upgrade(self.conf)
        self.assertEqual(0, self._main())
        output = self.stdout.getvalue()
        for name in ('Database schema', 'Policy file', 'Policy file format'):
            self.assertIn('Check: %s' % name, output)

    def test_warning(self):
        migration.upgrade(self.conf)
        self.assertEqual(1, self._main('valet:nope: "role:admin"\n'))

    def test_failure(self):
        self.assertEqual(2, self._main())
        self.assertIn('Result: Failure', self.stdout.getvalue())
        self.assertIn('no Valet schema', self.stdout.getvalue())


class BrokenConfigurationTestCase(StatusTestCase):
    """Configurations valet-api refuses: a failure line, never a traceback.

    Issue #8, defect 4.
    """

    def setUp(self):
        super().setUp()
        self.stdout = self.useFixture(
            fixtures.MonkeyPatch('sys.stdout', io.StringIO())).new_value

    def _main(self, connection, policy_file=None):
        text = '[database]\nconnection = %s\n' % connection
        if policy_file:
            text += '[oslo_policy]\npolicy_file = %s\n' % policy_file
        config = self._file('valet.conf', text)
        return status.main(['--config-file', config, 'upgrade', 'check'])

    def _assert_failure(self, code, *details):
        output = self.stdout.getvalue()
        self.assertEqual(2, code, output)
        self.assertNotIn('Traceback', output)
        # The table wraps long details: compare without line breaks.
        flat = ' '.join(output.replace('|', ' ').split())
        for detail in details:
            self.assertIn(detail, flat)

    def test_missing_driver(self):
        dialect = sa.engine.make_url('sqlite://').get_dialect()
        with mock.patch.object(dialect, 'import_dbapi',
                               side_effect=ImportError('No module named x')):
            code = self._main('sqlite://')
        self._assert_failure(code, '[database] connection: the driver of '
                             'sqlite:// is not installed')

    def test_unknown_scheme(self):
        self._assert_failure(self._main('nosuchdb://v:s3cret@h/v'),
                             '[database] connection: unknown database '
                             "scheme 'nosuchdb'")
        self.assertNotIn('s3cret', self.stdout.getvalue())

    def test_empty_url(self):
        self._assert_failure(self._main(''),
                             '[database] connection: no database URL')

    def test_unreadable_policy_file(self):
        path = self._file('policy.yaml', 'valet:groups:create: "role:a"\n')
        with api_base.unreadable(path):
            code = self._main('sqlite://', policy_file=path)
        self._assert_failure(code, 'Check: Policy file Result: Failure',
                             '%s cannot be loaded' % path)

    def test_missing_policy_file(self):
        code = self._main('sqlite://',
                          policy_file=os.path.join(self.tmp, 'gone.yaml'))
        self._assert_failure(code, 'Check: Policy file Result: Failure',
                             'gone.yaml does not exist')
