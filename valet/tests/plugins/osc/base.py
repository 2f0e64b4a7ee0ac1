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

"""Run the real ``openstack`` command against a running Valet.

Each test class starts one Valet (API and engine, noauth, the sample data
center) and runs ``openstack`` from this Python's venv as a subprocess,
authenticated by Valet's keystoneauth plugin ``valet-noauth``: with the
``--os-auth-type valet-noauth --os-endpoint ... --os-user-id ...
--os-project-id ... --os-roles ...`` options, or the same as ``OS_*``
variables. The environment holds no other ``OS_*`` variable and ``HOME``
is a temporary directory, so no clouds.yaml of the machine is read.
"""

import json
import os
import re
import subprocess
import sys
import tempfile

import testtools

from valet.tests.plugins import fixtures as plugin_fixtures

OPENSTACK = os.path.join(os.path.dirname(sys.executable), 'openstack')
SAMPLES = os.path.abspath(os.path.join(
    os.path.dirname(__file__), '..', '..', '..', '..', 'etc', 'valet',
    'samples'))
#: Bound on one ``openstack`` run (it takes about 1.5 s): only stops a
#: hung command from hanging the suite.
RUN_BOUND = 120
ADMIN = ('osc-admin', 'admin-project', 'admin,member,reader')
MEMBER = ('osc-member', 'demo-project', 'member,reader')
# OpenStackClient reports entry points of other installed clients it
# cannot load (a python-blazarclient release names a class it lacks):
# its noise, never Valet's, and not an error of the command run.
OTHER_PLUGIN_NOISE = re.compile(r"^Could not load '(?!placement)[^']*': ")


class Result(object):
    """What one ``openstack`` run gave."""

    def __init__(self, argv, code, stdout, stderr):
        self.argv = argv
        self.code = code
        self.stdout = stdout
        self.stderr = stderr
        self.errors = [line for line in stderr.splitlines()
                       if line.strip() and
                       not OTHER_PLUGIN_NOISE.match(line)]

    def json(self):
        return json.loads(self.stdout)

    def __repr__(self):
        return 'openstack %s -> %s\nstdout:\n%s\nstderr:\n%s' % (
            ' '.join(self.argv), self.code, self.stdout, self.stderr)


class OpenStackTestCase(testtools.TestCase):
    """One Valet per class; :meth:`openstack` runs the command line."""

    #: Whether the class needs the suite's Valet (``running``).
    start_valet = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.running = None
        if cls.start_valet:
            cls.running = plugin_fixtures.RunningValet()
            cls.running.setUp()
        cls.home = tempfile.TemporaryDirectory(prefix='valet-osc-home-')

    @classmethod
    def tearDownClass(cls):
        cls.home.cleanup()
        if cls.running is not None:
            cls.running.cleanUp()
        super().tearDownClass()

    def environment(self, extra=None):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith('OS_')}
        env['HOME'] = self.home.name
        env.update(extra or {})
        return env

    def auth_options(self, identity=ADMIN, endpoint=None):
        user, project, roles = identity
        return ['--os-auth-type', 'valet-noauth',
                '--os-endpoint', endpoint or self.running.url,
                '--os-user-id', user, '--os-project-id', project,
                '--os-roles', roles]

    def openstack(self, *argv, identity=ADMIN, env=None, auth=True,
                  endpoint=None):
        """Run ``openstack [auth options] argv``; a :class:`Result`."""
        argv = list(argv)
        full = [OPENSTACK] + (self.auth_options(identity, endpoint)
                              if auth else []) + argv
        process = subprocess.run(
            full, capture_output=True, text=True, timeout=RUN_BOUND,
            env=self.environment(env), stdin=subprocess.DEVNULL)
        return Result(argv, process.returncode, process.stdout,
                      process.stderr)

    def assertOk(self, result):
        self.assertEqual((0, []), (result.code, result.errors), result)

    def assertOneLine(self, result, code, *parts):
        """Exit ``code`` and one line on stderr holding every part."""
        self.assertEqual(code, result.code, result)
        self.assertEqual(1, len(result.errors), result)
        for part in parts:
            self.assertIn(part, result.errors[0], result)
        self.assertNotIn('Traceback', result.stderr, result)

    def temp_file(self, text, suffix='.yaml'):
        path = plugin_fixtures.temp_file(text, suffix)
        self.addCleanup(os.unlink, path)
        return path
