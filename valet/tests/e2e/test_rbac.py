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

"""Who may do what with groups, with the roles of the real Keystone.

Groups are managed by admin and readable by any reader (a member is a
reader too: Keystone's implied roles) and by the service persona.
"""

from valet.tests.e2e import base

READERS = ('alpha_member', 'alpha_reader', 'beta_member', 'beta_reader',
           'service')


class TestGroupsRBAC(base.E2ETestCase):
    """403 for every persona that may not, success for those that may."""

    def setUp(self):
        super().setUp()
        self.group = self.create_group()
        self.group_url = '/v1/groups/%s' % self.group['id']
        response = self.admin.put(self.group_url + '/members',
                                  {'members': [self.projects['alpha']]})
        self.assertEqual(200, response.status_code, response.text)
        self.group = response.json()['group']

    def persona(self, name):
        return getattr(self, name)

    def assertForbidden(self, response, name):
        error = self.assertError(response, 403,
                                 'valet.policy.not_authorized')
        self.assertIn('valet:groups:', error['detail'], name)

    def test_readers_read(self):
        alpha = self.projects['alpha']
        for name in READERS:
            persona = self.persona(name)
            response = persona.get('/v1/groups')
            self.assertEqual(200, response.status_code, name)
            self.assertIn(self.group, response.json()['groups'], name)
            response = persona.get(self.group_url)
            self.assertEqual(200, response.status_code, name)
            self.assertEqual({'group': self.group}, response.json(), name)
            response = persona.get('%s/members/%s' % (self.group_url, alpha))
            self.assertEqual(204, response.status_code, name)

    def test_only_admin_creates(self):
        for name in READERS:
            response = self.persona(name).post('/v1/groups', {
                'name': self.unique_name(), 'type': 'affinity',
                'level': 'host'})
            self.assertForbidden(response, name)

    def test_only_admin_updates(self):
        for name in READERS:
            response = self.persona(name).put(self.group_url,
                                              {'description': name})
            self.assertForbidden(response, name)
        self.assertEqual(self.group['description'], self.admin.get(
            self.group_url).json()['group']['description'])

    def test_only_admin_deletes(self):
        for name in READERS:
            response = self.persona(name).delete(self.group_url)
            self.assertForbidden(response, name)
        self.assertEqual(200, self.admin.get(self.group_url).status_code)

    def test_only_admin_adds_members(self):
        for name in READERS:
            persona = self.persona(name)
            # Not even its own project.
            response = persona.put(self.group_url + '/members',
                                   {'members': [persona.project_id]})
            self.assertForbidden(response, name)
        self.assertEqual([self.projects['alpha']], self.admin.get(
            self.group_url).json()['group']['members'])

    def test_only_admin_removes_members(self):
        alpha = self.projects['alpha']
        for name in READERS:
            persona = self.persona(name)
            response = persona.delete('%s/members/%s' % (self.group_url,
                                                         alpha))
            self.assertForbidden(response, name)
            response = persona.delete(self.group_url + '/members')
            self.assertForbidden(response, name)
        self.assertEqual([alpha], self.admin.get(
            self.group_url).json()['group']['members'])

    def test_forbidden_before_not_found(self):
        # An unauthorized caller learns nothing about what exists.
        response = self.alpha_member.delete('/v1/groups/no-such-group')
        self.assertForbidden(response, 'alpha_member')
