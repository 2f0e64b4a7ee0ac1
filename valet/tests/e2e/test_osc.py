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

"""The real ``openstack`` command against the real Keystone and Valet.

With a Keystone token the command finds Valet in the service catalog
(service type ``valet``, the run's region, the public interface), as it
does in a cloud; with ``VALET_E2E_AUTH=noauth`` it uses Valet's
``valet-noauth`` plugin with the persona's identity.

The command is python-openstackclient's, installed next to this Python
with Valet (test-requirements.txt).
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

from valet.tests.e2e import base

OPENSTACK = os.path.join(os.path.dirname(sys.executable), 'openstack')
#: Bound on one run (it takes about 2 s): only stops a hung command from
#: hanging the suite.
RUN_BOUND = 120


class TestOpenStackClient(base.E2ETestCase):

    def setUp(self):
        super().setUp()
        self.assertTrue(os.path.exists(OPENSTACK),
                        '%s is missing: python-openstackclient is not '
                        'installed beside Valet' % OPENSTACK)
        self.home = tempfile.mkdtemp(prefix='valet-e2e-osc-')
        # OpenStackClient keeps a cache there.
        self.addCleanup(shutil.rmtree, self.home, ignore_errors=True)

    def environment(self, persona):
        """``OS_*`` variables of an openrc for ``persona``, nothing else."""
        env = {k: v for k, v in os.environ.items()
               if not k.startswith('OS_')}
        env['HOME'] = self.home
        info = persona.info
        if self.auth == 'keystone':
            env.update(
                OS_AUTH_TYPE='password', OS_IDENTITY_API_VERSION='3',
                OS_AUTH_URL=self.accounts['auth_url'],
                OS_USERNAME=info['username'],
                OS_PASSWORD=info['password'],
                OS_PROJECT_NAME=info['project_name'],
                OS_USER_DOMAIN_NAME=self.accounts['user_domain_name'],
                OS_PROJECT_DOMAIN_NAME=self.accounts['project_domain_name'],
                OS_REGION_NAME=self.accounts['region'],
                OS_INTERFACE='public')
        else:
            roles = []
            for role in info['roles']:
                roles.extend(r for r in base.IMPLIED_ROLES[role]
                             if r not in roles)
            env.update(OS_AUTH_TYPE='valet-noauth',
                       OS_ENDPOINT=self.valet_url,
                       OS_USER_ID=info['user_id'],
                       OS_PROJECT_ID=info['project_id'],
                       OS_ROLES=','.join(roles))
        return env

    def openstack(self, persona, *argv):
        return subprocess.run(
            [OPENSTACK] + list(argv), capture_output=True, text=True,
            timeout=RUN_BOUND, env=self.environment(persona),
            stdin=subprocess.DEVNULL)

    def test_group_list(self):
        group = self.create_group('diversity', 'rack',
                                  description='listed by openstack')
        # Any reader may list groups (Valet's default policy).
        listed = self.openstack(self.alpha_reader, 'placement', 'group',
                                'list', '-f', 'json')
        self.assertEqual(0, listed.returncode, listed.stderr)
        rows = {row['ID']: row for row in json.loads(listed.stdout)}
        self.assertEqual({'ID': group['id'], 'Name': group['name'],
                          'Type': 'diversity', 'Level': 'rack',
                          'Description': 'listed by openstack',
                          'Members': []}, rows.get(group['id']))

        # Only admins create them: Valet's 403, one line of the command.
        refused = self.openstack(self.alpha_reader, 'placement', 'group',
                                 'create', self.unique_name(), '--type',
                                 'affinity', '--level', 'host')
        self.assertEqual(1, refused.returncode, refused.stderr)
        errors = [line for line in refused.stderr.splitlines()
                  if 'valet.policy.not_authorized' in line]
        self.assertEqual(1, len(errors), refused.stderr)
        self.assertIn('HTTP 403', errors[0])
        self.assertNotIn('Traceback', refused.stderr)
