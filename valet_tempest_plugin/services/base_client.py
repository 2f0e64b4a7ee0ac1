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

"""What every Valet service client shares: JSON and the microversion.

As tempest's own microversioned clients do, the microversion a test asks
for is module state, set for the length of a test by
:class:`MicroversionFixture` (the test base selects it from the test's
range and ``[valet] min_microversion``). When one is set, every request
carries ``OpenStack-API-Version: valet X.Y`` and every answer must name
the same version.
"""

from urllib import parse

import fixtures
from oslo_serialization import jsonutils as json
from tempest.lib.common import api_version_utils
from tempest.lib.common import rest_client

SERVICE_TYPE = 'valet'
HEADER = 'OpenStack-API-Version'

_MICROVERSION = None


def set_microversion(version):
    """Send version (a string such as "1.0", or None) from now on."""
    global _MICROVERSION
    _MICROVERSION = version


def get_microversion():
    """The microversion requests carry now (None: no header)."""
    return _MICROVERSION


class MicroversionFixture(fixtures.Fixture):
    """Set the Valet microversion for a test; restore it afterwards."""

    def __init__(self, version):
        super().__init__()
        self.version = version

    def _setUp(self):
        previous = get_microversion()
        set_microversion(self.version)
        self.addCleanup(set_microversion, previous)


class ValetClient(rest_client.RestClient):
    """A tempest REST client of the Valet API.

    The catalog endpoint is Valet's root (``GET /`` answers the versions);
    paths are relative to it, ``v1/...``.
    """

    api_microversion_header_name = HEADER

    def get_headers(self, accept_type=None, send_type=None):
        """JSON headers, with the microversion when one is set."""
        headers = super().get_headers(accept_type, send_type)
        version = get_microversion()
        if version:
            headers[HEADER] = '%s %s' % (SERVICE_TYPE, version)
        return headers

    def request(self, method, url, extra_headers=False, headers=None,
                body=None, chunked=False):
        """Send the request; check that the answer names our version."""
        resp, resp_body = super().request(method, url, extra_headers,
                                          headers, body, chunked)
        version = get_microversion()
        if version and version != api_version_utils.LATEST_MICROVERSION:
            api_version_utils.assert_version_header_matches_request(
                HEADER, '%s %s' % (SERVICE_TYPE, version), resp)
        return resp, resp_body

    @staticmethod
    def answer(resp, body):
        """A ResponseBody of the JSON document (empty for no content)."""
        return rest_client.ResponseBody(resp, json.loads(body) if body
                                        else {})

    @staticmethod
    def url(path, params=None):
        """path with params (a dict, may be empty) as its query string."""
        if params:
            return '%s?%s' % (path, parse.urlencode(params))
        return path

    def get_json(self, url, expected=200):
        """GET url; check the status; return the document."""
        resp, body = self.get(url)
        self.expected_success(expected, resp.status)
        return self.answer(resp, body)

    def send_json(self, method, url, document, expected):
        """POST or PUT document to url; check the status; return the answer.

        ``document`` may be a string: it is sent as it is (for the tests
        of malformed bodies).
        """
        if not isinstance(document, str):
            document = json.dumps(document)
        resp, body = getattr(self, method.lower())(url, document)
        self.expected_success(expected, resp.status)
        return self.answer(resp, body)

    def delete_resource(self, url):
        """DELETE url; expect 204."""
        resp, body = self.delete(url)
        self.expected_success(204, resp.status)
        return self.answer(resp, body)

    def endpoint_url(self, path=''):
        """The full URL of path under Valet's catalog endpoint."""
        return '%s/%s' % (self.base_url.rstrip('/'), path.lstrip('/'))

    def request_without_token(self, method, path, headers=None, body=None):
        """Send a request with no token; return (resp, raw body).

        For the calls Valet answers without authentication (the versions)
        and for the 401 of those it does not. Nothing is checked here.
        """
        if headers is None:
            headers = self.get_headers()
        return self.raw_request(self.endpoint_url(path), method,
                                headers=headers, body=body)
