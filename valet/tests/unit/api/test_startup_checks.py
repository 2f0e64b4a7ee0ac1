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

"""A configuration that can never work stops valet-api before it serves.

Issue #8, defect 4: these configurations used to start a server that
answered 500 to every request while /healthcheck said 200.
"""

import os
from unittest import mock

import fixtures
from sqlalchemy.engine import url as sa_url

from valet.cmd import api as cmd_api
from valet import exception
from valet.tests.unit.api import base
from valet import wsgi

# The SQLite dialect (a class), whose driver import a test makes fail.
_SQLITE_DIALECT = sa_url.make_url('sqlite://').get_dialect()


class StartupChecksTest(base.APITestCase):

    def setUp(self):
        super().setUp()
        self.flags(group='database', connection='sqlite://')
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.log = self.useFixture(fixtures.FakeLogger())
        self.useFixture(fixtures.MockPatch('oslo_log.log.setup'))
        self.configure = self.useFixture(
            fixtures.MockPatch('valet.db.api.configure')).mock

    def _refused(self, option):
        """Assert init_application refuses, naming option, in one line."""
        error = self.assertRaises(exception.ConfigurationError,
                                  wsgi.init_application, self.conf)
        self.assertTrue(str(error).startswith(option + ': '), str(error))
        self.assertNotIn('\n', str(error))
        self.assertIn('valet-api cannot start: %s' % error,
                      self.log.output)
        self.assertNotIn('Traceback', self.log.output)
        self.configure.assert_not_called()
        return str(error)

    def _policy_file(self, text, name='policy.yaml'):
        path = os.path.join(self.tmp, name)
        with open(path, 'w') as handle:
            handle.write(text)
        self.flags(group='oslo_policy', policy_file=path)
        return path

    def test_good_configuration_starts(self):
        self._policy_file('valet:groups:create: "role:admin"\n')
        self.assertTrue(callable(wsgi.init_application(self.conf)))
        self.configure.assert_called_once_with(self.conf)

    def test_unknown_scheme(self):
        self.flags(group='database',
                   connection='nosuchdb://valet:s3cret@db.example/valet')
        detail = self._refused('[database] connection')
        self.assertIn("unknown database scheme 'nosuchdb'", detail)
        self.assertNotIn('s3cret', detail)

    def test_empty_url(self):
        self.flags(group='database', connection='')
        detail = self._refused('[database] connection')
        self.assertIn('no database URL', detail)

    def test_unset_url(self):
        self.flags(group='database', connection=None)
        self._refused('[database] connection')

    def test_not_a_url(self):
        self.flags(group='database', connection='s3cret')
        detail = self._refused('[database] connection')
        self.assertNotIn('s3cret', detail)

    def test_missing_driver(self):
        with mock.patch.object(_SQLITE_DIALECT, 'import_dbapi',
                               side_effect=ImportError('No module named x')):
            detail = self._refused('[database] connection')
        self.assertIn('driver of sqlite:// is not installed', detail)

    def test_bad_slave_connection(self):
        self.flags(group='database', slave_connection='nosuchdb://h/v')
        self._refused('[database] slave_connection')

    def test_configured_policy_file_missing(self):
        self.flags(group='oslo_policy',
                   policy_file=os.path.join(self.tmp, 'missing.yaml'))
        detail = self._refused('[oslo_policy] policy_file')
        self.assertIn('missing.yaml cannot be found', detail)

    def test_default_policy_file_may_be_absent(self):
        # The default name, not chosen by the operator: the defaults in
        # code apply.
        self.assertTrue(callable(wsgi.init_application(self.conf)))

    def test_unparsable_policy_file(self):
        self._policy_file('valet:groups:create: [unclosed\n')
        detail = self._refused('[oslo_policy] policy_file')
        self.assertIn('policy.yaml cannot be loaded: expected', detail)
        self.assertIn('at line 2, column 1', detail)

    def test_unreadable_policy_file(self):
        path = self._policy_file('valet:groups:create: "role:admin"\n')
        # Tests may run as root, who reads a mode 000 file: make opening
        # it fail the way it does for another user.
        with base.unreadable(path):
            detail = self._refused('[oslo_policy] policy_file')
        self.assertIn('%s cannot be loaded: ' % path, detail)


class ValetApiRefusesTest(base.APITestCase):
    """The valet-api command exits non-zero, without a traceback."""

    def test_exits_non_zero(self):
        log = self.useFixture(fixtures.FakeLogger())
        tmp = self.useFixture(fixtures.TempDir()).path
        config = os.path.join(tmp, 'valet.conf')
        with open(config, 'w') as handle:
            handle.write('[database]\nconnection = nosuchdb://h/v\n')
        with mock.patch('oslo_log.log.setup'), \
                mock.patch.object(cmd_api, 'make_server') as make_server:
            self.assertEqual(1, cmd_api.main(['--config-file', config]))
        make_server.assert_not_called()
        self.assertIn('[database] connection', log.output)
        self.assertNotIn('Traceback', log.output)
