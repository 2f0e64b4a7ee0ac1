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

"""Tests of the microversion middleware (valet/api/microversion.py)."""

import microversion_parse
import webob

from valet.api import errors
from valet.api import microversion
from valet.tests import base

HEADER = 'OpenStack-API-Version'


def _echo_version(environ, start_response):
    version = environ[microversion.MICROVERSION_ENVIRON]
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [str(version).encode()]


class MicroversionTest(base.TestCase):

    def _get(self, app=_echo_version, **headers):
        req = webob.Request.blank('/', headers=headers)
        return req.get_response(microversion.MicroversionMiddleware(app))

    def test_versions_are_ordered_and_start_at_1_0(self):
        self.assertEqual('1.0', microversion.min_version_string())
        parsed = [microversion_parse.parse_version_string(v)
                  for v in microversion.VERSIONS]
        self.assertEqual(sorted(parsed), parsed)
        self.assertEqual(microversion.VERSIONS[-1],
                         microversion.max_version_string())

    def test_no_header_means_minimum(self):
        response = self._get()
        self.assertEqual(b'1.0', response.body)
        self.assertEqual('valet 1.0', response.headers[HEADER])
        self.assertEqual(HEADER.lower(), response.headers['Vary'].lower())

    def test_latest_means_maximum(self):
        response = self._get(**{HEADER: 'valet latest'})
        self.assertEqual(microversion.max_version_string().encode(),
                         response.body)

    def test_unsupported_version_is_406(self):
        response = self._get(**{HEADER: 'valet 1.99'})
        self.assertEqual(406, response.status_int)
        error = response.json['errors'][0]
        self.assertEqual('valet.microversion.unsupported', error['code'])
        self.assertEqual('1.0', error['min_version'])
        self.assertEqual(HEADER.lower(), response.headers['Vary'].lower())

    def test_malformed_version_is_400(self):
        response = self._get(**{HEADER: 'valet x.y'})
        self.assertEqual(400, response.status_int)
        self.assertEqual('valet.microversion.invalid',
                         response.json['errors'][0]['code'])

    def test_errors_of_the_application_carry_the_header(self):
        def failing(environ, start_response):
            raise errors.Conflict('no')
        response = self._get(app=failing)
        self.assertEqual(409, response.status_int)
        self.assertEqual('valet 1.0', response.headers[HEADER])
        self.assertEqual(HEADER.lower(), response.headers['Vary'].lower())
