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

from urllib import parse

from oslo_serialization import jsonutils as json
from tempest.lib.common import rest_client

VALET_MICROVERSION = '1.0'


class GroupsClient(rest_client.RestClient):
    """Client of /v1/groups and /v1/groups/{group}/members."""

    api_microversion_header_name = 'OpenStack-API-Version'

    def get_headers(self, accept_type=None, send_type=None):
        """JSON headers, with Valet's base microversion."""
        headers = super().get_headers(accept_type, send_type)
        headers[self.api_microversion_header_name] = (
            'valet %s' % VALET_MICROVERSION)
        return headers

    def _answer(self, resp, body):
        return rest_client.ResponseBody(resp, json.loads(body) if body
                                        else {})

    def create_group(self, **kwargs):
        """POST /v1/groups: name, type, level and an optional description."""
        resp, body = self.post('v1/groups', json.dumps(kwargs))
        self.expected_success(201, resp.status)
        return self._answer(resp, body)

    def list_groups(self, **params):
        """GET /v1/groups, filtered by name, type or level."""
        url = 'v1/groups'
        if params:
            url += '?%s' % parse.urlencode(params)
        resp, body = self.get(url)
        self.expected_success(200, resp.status)
        return self._answer(resp, body)

    def show_group(self, group):
        """GET /v1/groups/{id or name}."""
        resp, body = self.get('v1/groups/%s' % group)
        self.expected_success(200, resp.status)
        return self._answer(resp, body)

    def update_group(self, group_id, **kwargs):
        """PUT /v1/groups/{id}: only the description may change."""
        resp, body = self.put('v1/groups/%s' % group_id, json.dumps(kwargs))
        self.expected_success(200, resp.status)
        return self._answer(resp, body)

    def delete_group(self, group_id):
        """DELETE /v1/groups/{id}."""
        resp, body = self.delete('v1/groups/%s' % group_id)
        self.expected_success(204, resp.status)
        return self._answer(resp, body)

    def add_members(self, group_id, members):
        """PUT /v1/groups/{id}/members: add project ids to the group."""
        resp, body = self.put('v1/groups/%s/members' % group_id,
                              json.dumps({'members': members}))
        self.expected_success(200, resp.status)
        return self._answer(resp, body)

    def check_member(self, group_id, project_id):
        """GET /v1/groups/{id}/members/{project}: 204 when a member."""
        resp, body = self.get('v1/groups/%s/members/%s' %
                              (group_id, project_id))
        self.expected_success(204, resp.status)
        return self._answer(resp, body)

    def remove_member(self, group_id, project_id):
        """DELETE /v1/groups/{id}/members/{project}."""
        resp, body = self.delete('v1/groups/%s/members/%s' %
                                 (group_id, project_id))
        self.expected_success(204, resp.status)
        return self._answer(resp, body)

    def remove_all_members(self, group_id):
        """DELETE /v1/groups/{id}/members."""
        resp, body = self.delete('v1/groups/%s/members' % group_id)
        self.expected_success(204, resp.status)
        return self._answer(resp, body)
