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

"""Valet groups API with a project reader and a service user."""

from tempest.lib import decorators
from tempest.lib import exceptions as lib_exc

from valet_tempest_plugin.tests import base


class GroupsRbacTest(base.BaseValetTest):
    """Readers and the service persona read groups; only admin manages."""

    credentials = ['admin', 'primary', ['project_reader', 'reader'],
                   ['service_user', 'service']]

    @classmethod
    def setup_clients(cls):
        """The groups clients of the reader and of the service user."""
        super().setup_clients()
        cls.reader_client = cls.os_project_reader.valet.GroupsClient()
        cls.service_client = cls.os_service_user.valet.GroupsClient()

    @decorators.idempotent_id('6eea3537-9460-4a7e-90d0-2768b0f014a2')
    def test_reader_and_service_read(self):
        group = self.create_group()
        project_id = self.os_primary.credentials.project_id
        self.admin_client.add_members(group['id'], [project_id])
        for client in (self.reader_client, self.service_client):
            shown = client.show_group(group['id'])['group']
            self.assertEqual([project_id], shown['members'])
            self.assertIn(group['id'], [
                found['id'] for found in client.list_groups()['groups']])
            client.check_member(group['id'], project_id)

    @decorators.attr(type=['negative'])
    @decorators.idempotent_id('7b292031-f30d-4f0f-86ca-ec1e1a8550bd')
    def test_reader_and_service_cannot_manage(self):
        group = self.create_group()
        project_id = self.os_primary.credentials.project_id
        for client in (self.reader_client, self.service_client):
            self.assertRaises(lib_exc.Forbidden, client.create_group,
                              name=self.group_name(), type='affinity',
                              level='host')
            self.assertRaises(lib_exc.Forbidden, client.update_group,
                              group['id'], description='x')
            self.assertRaises(lib_exc.Forbidden, client.add_members,
                              group['id'], [project_id])
            self.assertRaises(lib_exc.Forbidden, client.remove_member,
                              group['id'], project_id)
            self.assertRaises(lib_exc.Forbidden, client.delete_group,
                              group['id'])
        self.admin_client.show_group(group['id'])
