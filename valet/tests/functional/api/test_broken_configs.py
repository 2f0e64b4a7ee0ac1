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

"""valet-api, the real process, with broken configurations (issue #8, 4).

A configuration that can never work makes the command exit 1 with one
log line naming the option and no traceback. A database that is merely
unavailable does not stop it: /healthcheck and the API answer 503 until
the database can be used, then 200.
"""

import http.client
import importlib.util
import os
import re
import subprocess
import time

import fixtures
from oslo_serialization import jsonutils
import testtools
from testtools import content

from valet.tests import base
from valet.tests.functional.services import test_processes

# Generous bounds on waits; never asserted as durations.
EXIT_WAIT = 60
START_WAIT = 60
_LISTENING = re.compile(r'valet-api listening on [^:]+:(\d+)')


class ValetApiProcessTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.log_file = os.path.join(self.tmp, 'valet-api.log')

    def _config(self, database, extra=''):
        path = os.path.join(self.tmp, 'valet.conf')
        with open(path, 'w') as handle:
            handle.write(
                '[DEFAULT]\nlog_file = %s\n'
                '[api]\nauth_strategy = noauth\nbind_host = 127.0.0.1\n'
                'bind_port = 0\n'
                '[database]\nconnection = %s\nmax_retries = 0\n'
                '[oslo_messaging_notifications]\ndriver = noop\n%s'
                % (self.log_file, database, extra))
        return path

    def _log(self):
        try:
            with open(self.log_file) as handle:
                return handle.read()
        except OSError:
            return ''

    def _start(self, config):
        process = subprocess.Popen(
            test_processes._console_script('valet-api') +
            ['--config-file', config],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT)
        self.addCleanup(self._kill, process)
        return process

    def _kill(self, process):
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()


class RefusedConfigurationTest(ValetApiProcessTestCase):

    def _refused(self, option, database='sqlite://', extra=''):
        process = self._start(self._config(database, extra))
        try:
            code = process.wait(timeout=EXIT_WAIT)
        except subprocess.TimeoutExpired:
            self.fail('valet-api started with a broken configuration:\n%s'
                      % self._log())
        log = self._log()
        self.assertEqual(1, code, log)
        refusals = [line for line in log.splitlines()
                    if 'valet-api cannot start: %s: ' % option in line]
        self.assertEqual(1, len(refusals), log)
        self.assertNotIn('Traceback', log)
        self.assertNotIn('listening on', log)
        return refusals[0]

    def test_unknown_scheme(self):
        line = self._refused('[database] connection',
                             'nosuchdb://valet:s3cret@127.0.0.1/valet')
        self.assertNotIn('s3cret', line)

    def test_empty_url(self):
        self._refused('[database] connection', '')

    @testtools.skipIf(importlib.util.find_spec('MySQLdb') is not None,
                      'MySQLdb is installed here')
    def test_missing_driver(self):
        line = self._refused('[database] connection',
                             'mysql+mysqldb://valet:s3cret@127.0.0.1/valet')
        self.assertIn("No module named 'MySQLdb'", line)
        self.assertNotIn('s3cret', line)

    def test_configured_policy_file_missing(self):
        self._refused('[oslo_policy] policy_file', extra=(
            '[oslo_policy]\npolicy_file = %s\n' %
            os.path.join(self.tmp, 'missing.yaml')))

    def test_unparsable_policy_file(self):
        path = os.path.join(self.tmp, 'policy.yaml')
        with open(path, 'w') as handle:
            handle.write('valet:groups:create: [unclosed\n')
        self._refused('[oslo_policy] policy_file',
                      extra='[oslo_policy]\npolicy_file = %s\n' % path)


class DatabaseUnavailableTest(ValetApiProcessTestCase):
    """The database is down at start, then comes back."""

    def _port(self, process):
        deadline = time.monotonic() + START_WAIT
        while True:
            found = _LISTENING.search(self._log())
            if found:
                return int(found.group(1))
            if process.poll() is not None or time.monotonic() > deadline:
                self.fail('valet-api did not start:\n%s' % self._log())
            time.sleep(0.1)

    def _get(self, port, path):
        connection = http.client.HTTPConnection('127.0.0.1', port,
                                                timeout=START_WAIT)
        try:
            connection.request('GET', path, headers={
                'Accept': 'application/json', 'X-User-Id': 'u1',
                'X-Project-Id': 'p1', 'X-Roles': 'admin'})
            response = connection.getresponse()
            return response.status, jsonutils.loads(response.read())
        finally:
            connection.close()

    def test_health_follows_the_database(self):
        # A SQLite file in a directory that does not exist yet: every
        # connection fails until the directory is made.
        directory = os.path.join(self.tmp, 'later')
        process = self._start(self._config(
            'sqlite:///%s/valet.sqlite' % directory))
        port = self._port(process)

        started = time.monotonic()
        status, body = self._get(port, '/healthcheck')
        self.addDetail('seconds to the healthcheck 503', content.text_content(
            '%.3f' % (time.monotonic() - started)))
        self.assertEqual(503, status)
        self.assertEqual(['The database is unavailable.'], body['reasons'])
        status, body = self._get(port, '/v1/groups')
        self.assertEqual(503, status)
        self.assertEqual('valet.service_unavailable',
                         body['errors'][0]['code'])

        os.mkdir(directory)
        status, body = self._get(port, '/healthcheck')
        self.assertEqual(200, status)
        self.assertEqual(['The database answers.'], body['reasons'])
