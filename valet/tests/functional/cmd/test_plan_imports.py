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

"""``valet-manage plan`` and ``--help`` import only what planning needs.

Each case runs in a fresh interpreter (the test process has imported
everything already) and reports which of the service libraries it loaded.
No time is measured: the modules loaded are what makes the start slow.
"""

import json
import os
import re
import subprocess
import sys

import fixtures

from valet.tests import base

# Database, bus, Keystone and WSGI libraries: none is needed to plan.
FORBIDDEN = ('sqlalchemy', 'alembic', 'oslo_db', 'oslo_messaging',
             'keystonemiddleware', 'eventlet', 'keystoneauth1', 'webob')

SAMPLES = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..',
                       'etc', 'valet', 'samples')

SCRIPT = '''
import json, sys
%s
try:
    code = main(%r)
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "loaded": sorted(
    m for m in %r if m in sys.modules)}))
'''


class PlanImportsTest(base.TestCase):

    def loaded(self, entry, argv):
        script = SCRIPT % (entry, argv, FORBIDDEN)
        done = subprocess.run([sys.executable, '-c', script],
                              capture_output=True, text=True, timeout=300)
        self.assertEqual(0, done.returncode, done.stderr)
        return json.loads(done.stdout.splitlines()[-1])

    def sample(self, name):
        return os.path.join(SAMPLES, name)

    def test_manage_plan_places_without_service_libraries(self):
        found = self.loaded('from valet.cmd.manage import main', [
            'plan', '--topology', self.sample('datacenter.yaml'),
            '--existing', self.sample('existing.yaml'),
            '--template', self.sample('web-3tier.yaml')])
        self.assertEqual({'code': 0, 'loaded': []}, found)

    def test_plan_help_and_manage_help(self):
        for argv in (['plan', '--help'], ['--help']):
            found = self.loaded('from valet.cmd.manage import main', argv)
            self.assertEqual({'code': 0, 'loaded': []}, found, argv)

    def test_standalone_plan_entry(self):
        found = self.loaded('from valet.cmd.plan import main', [
            'plan', '--topology', self.sample('datacenter.yaml'),
            '--template', self.sample('diversity.yaml')])
        self.assertEqual({'code': 0, 'loaded': []}, found)

    def test_the_check_sees_a_database_command(self):
        # The same check run on "db version" finds the database libraries:
        # it can fail.
        conf = os.path.join(self.useFixture(fixtures.TempDir()).path,
                            'valet.conf')
        with open(conf, 'w') as stream:
            stream.write('[database]\nconnection = sqlite://\n')
        found = self.loaded('from valet.cmd.manage import main', [
            '--config-file', conf, 'db', 'version'])
        self.assertEqual(0, found['code'])
        self.assertIn('sqlalchemy', found['loaded'])
        self.assertIn('oslo_db', found['loaded'])

    def test_table_imports_no_service_library(self):
        # The table of the plan command's own entry.
        script = SCRIPT % (
            'from valet.cmd.plan import main',
            ['plan', '--topology', os.path.join(SAMPLES, 'datacenter.yaml'),
             '--existing', os.path.join(SAMPLES, 'existing.yaml'),
             '--template', os.path.join(SAMPLES, 'web-3tier.yaml'),
             '--format', 'table'], FORBIDDEN)
        done = subprocess.run([sys.executable, '-c', script],
                              capture_output=True, text=True, timeout=300)
        self.assertEqual(0, done.returncode, done.stderr)
        self.assertIn('Rules', done.stdout)
        self.assertEqual({'code': 0, 'loaded': []},
                         json.loads(done.stdout.splitlines()[-1]))
        self.assertFalse(re.search(r'\bbroken\b', done.stdout))
