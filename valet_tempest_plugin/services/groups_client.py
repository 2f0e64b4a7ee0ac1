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

"""Tempest service client of Valet's groups API (/v1/groups)."""

from valet_tempest_plugin.services import base_client


class GroupsClient(base_client.ValetClient):
    """Client of /v1/groups and /v1/groups/{group}/members."""

    def create_group(self, **kwargs):
        """POST /v1/groups: name, type, level and an optional description."""
        return self.send_json('POST', 'v1/groups', kwargs, 201)

    def list_groups(self, **params):
        """GET /v1/groups, filtered by name, type or level."""
        return self.get_json(self.url('v1/groups', params))

    def show_group(self, group):
        """GET /v1/groups/{id or name}."""
        return self.get_json('v1/groups/%s' % group)

    def update_group(self, group_id, **kwargs):
        """PUT /v1/groups/{id}: only the description may change."""
        return self.send_json('PUT', 'v1/groups/%s' % group_id, kwargs, 200)

    def delete_group(self, group_id):
        """DELETE /v1/groups/{id}."""
        return self.delete_resource('v1/groups/%s' % group_id)

    def add_members(self, group_id, members):
        """PUT /v1/groups/{id}/members: add project ids to the group."""
        return self.send_json('PUT', 'v1/groups/%s/members' % group_id,
                              {'members': members}, 200)

    def check_member(self, group_id, project_id):
        """GET /v1/groups/{id}/members/{project}: 204 when a member."""
        return self.get_json('v1/groups/%s/members/%s' %
                             (group_id, project_id), expected=204)

    def remove_member(self, group_id, project_id):
        """DELETE /v1/groups/{id}/members/{project}."""
        return self.delete_resource('v1/groups/%s/members/%s' %
                                    (group_id, project_id))

    def remove_all_members(self, group_id):
        """DELETE /v1/groups/{id}/members."""
        return self.delete_resource('v1/groups/%s/members' % group_id)
