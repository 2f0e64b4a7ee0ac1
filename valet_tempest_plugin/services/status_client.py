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

"""Tempest service client of Valet's versions and status calls."""

from valet_tempest_plugin.services import base_client


class StatusClient(base_client.ValetClient):
    """Client of GET /, GET /v1 and GET/HEAD /v1/status."""

    def list_versions(self, path=''):
        """GET / (or GET /v1 with path "v1"), with no token at all.

        :returns: (resp, document): the versions need no authentication.
        """
        resp, body = self.request_without_token('GET', path)
        self.expected_success(200, resp.status)
        return self.answer(resp, body)

    def show_status(self, expected=200):
        """GET /v1/status: 200 when the database and an engine answer."""
        return self.get_json('v1/status', expected=expected)

    def head_status(self, expected=200):
        """HEAD /v1/status; return the response (its body is empty)."""
        resp, body = self.head('v1/status')
        self.expected_success(expected, resp.status)
        return self.answer(resp, body)
