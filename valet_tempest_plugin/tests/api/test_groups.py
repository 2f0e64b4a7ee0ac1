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

"""Valet groups API: the calls that succeed."""

from tempest.lib import decorators
from tempest.lib import exceptions as lib_exc

from valet_tempest_plugin.tests import base


class GroupsTest(base.BaseValetTest):
    """Create, read, change and delete groups and their members."""

    @decorators.idempotent_id('68c0bcce-dae1-4651-8136-b44167924515')
    def test_create_show_update_delete_group(self):
        name = self.group_name()
        group = self.create_group(group_type='diversity', level='rack',
                                  name=name, description='tempest')
        self.assertEqual(name, group['name'])
        self.assertEqual('diversity', group['type'])
        self.assertEqual('rack', group['level'])
        self.assertEqual('tempest', group['description'])
        self.assertEqual([], group['members'])

        by_id = self.admin_client.show_group(group['id'])['group']
        by_name = self.admin_client.show_group(name)['group']
        self.assertEqual(group, by_id)
        self.assertEqual(group, by_name)

        updated = self.admin_client.update_group(
            group['id'], description='changed')['group']
        self.assertEqual('changed', updated['description'])
        self.assertEqual(name, updated['name'])
        self.assertEqual('changed', self.admin_client.show_group(
            group['id'])['group']['description'])

        self.admin_client.delete_group(group['id'])
        self.assertRaises(lib_exc.NotFound,
                          self.admin_client.show_group, group['id'])

    @decorators.idempotent_id('358da7bf-1121-401a-8735-6f984b43c82b')
    def test_list_groups(self):
        first = self.create_group()
        second = self.create_group(group_type='exclusivity')
        ids = [group['id']
               for group in self.admin_client.list_groups()['groups']]
        self.assertIn(first['id'], ids)
        self.assertIn(second['id'], ids)

        found = self.admin_client.list_groups(name=second['name'])['groups']
        self.assertEqual([second], found)
        exclusive = self.admin_client.list_groups(
            type='exclusivity')['groups']
        self.assertIn(second['id'], [group['id'] for group in exclusive])
        self.assertNotIn(first['id'], [group['id'] for group in exclusive])

    @decorators.idempotent_id('b66847db-8129-4598-b616-bd6fef42ec6f')
    def test_project_member_reads_groups(self):
        group = self.create_group()
        self.assertEqual(group, self.client.show_group(group['id'])['group'])
        self.assertIn(group['id'], [
            found['id'] for found in self.client.list_groups()['groups']])

    @decorators.idempotent_id('f06a76bc-17ae-419a-9b27-4fc4f4251c7a')
    def test_add_check_remove_members(self):
        group = self.create_group()
        primary = self.os_primary.credentials.project_id
        admin = self.os_admin.credentials.project_id

        members = self.admin_client.add_members(
            group['id'], [primary])['group']['members']
        self.assertEqual([primary], members)
        # A union with the existing members.
        members = self.admin_client.add_members(
            group['id'], [admin, primary])['group']['members']
        self.assertEqual(sorted([primary, admin]), sorted(members))

        self.admin_client.check_member(group['id'], primary)
        # Any reader may ask.
        self.client.check_member(group['id'], admin)

        self.admin_client.remove_member(group['id'], primary)
        self.assertRaises(lib_exc.NotFound, self.admin_client.check_member,
                          group['id'], primary)
        self.assertEqual([admin], self.admin_client.show_group(
            group['id'])['group']['members'])

        self.admin_client.remove_all_members(group['id'])
        self.assertEqual([], self.admin_client.show_group(
            group['id'])['group']['members'])
        # With no members left the group may go.
        self.admin_client.delete_group(group['id'])
