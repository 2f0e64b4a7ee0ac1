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

Groups are managed by admin only; any project's reader (members are
readers too: Keystone's implied roles) and the service persona read
them: list, show, and ask whether a project is a member.
"""

from tempest.lib import decorators
from tempest.lib import exceptions as lib_exc

from valet_tempest_plugin.tests import base


class GroupsRbacTest(base.BaseValetTest):
    """Every /v1/groups route with each persona."""

    credentials = ['admin', 'project_member', 'project_reader',
                   'project_alt_member', base.SERVICE]

    def readers(self):
        return (self.member, self.reader, self.alt_member, self.service)

    def assertForbidden(self, call, *args, **kwargs):
        exc = self.assertRaises(lib_exc.Forbidden, call, *args, **kwargs)
        self.assertError(exc, 403, 'valet.policy.not_authorized',
                         ['valet:groups:'])

    @decorators.idempotent_id('6eea3537-9460-4a7e-90d0-2768b0f014a2')
    def test_readers_and_service_read(self):
        group = self.create_group()
        project_id = self.member.project_id
        group = self.admin.groups.add_members(group['id'],
                                              [project_id])['group']
        for persona in self.readers():
            groups = persona.groups
            self.assertEqual(group, groups.show_group(group['id'])['group'])
            self.assertEqual(group,
                             groups.show_group(group['name'])['group'])
            self.assertIn(group, groups.list_groups()['groups'])
            groups.check_member(group['id'], project_id)
            self.assertRaises(lib_exc.NotFound, groups.check_member,
                              group['id'], self.alt_member.project_id)

    @decorators.attr(type=['negative'])
    @decorators.idempotent_id('7b292031-f30d-4f0f-86ca-ec1e1a8550bd')
    def test_only_admin_manages(self):
        group = self.create_group()
        project_id = self.member.project_id
        group = self.admin.groups.add_members(group['id'],
                                              [project_id])['group']
        for persona in self.readers():
            groups = persona.groups
            self.assertForbidden(groups.create_group,
                                 name=self.group_name(), type='affinity',
                                 level='host')
            self.assertForbidden(groups.update_group, group['id'],
                                 description='x')
            self.assertForbidden(groups.add_members, group['id'],
                                 [persona.project_id])
            self.assertForbidden(groups.remove_member, group['id'],
                                 project_id)
            self.assertForbidden(groups.remove_all_members, group['id'])
            self.assertForbidden(groups.delete_group, group['id'])
        self.assertEqual(group, self.admin.groups.show_group(
            group['id'])['group'])
