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

"""Valet's version document, its microversions and its authentication."""

from tempest import config
from tempest.lib.common import api_version_request
from tempest.lib.common import api_version_utils
from tempest.lib import decorators
from tempest.lib import exceptions as lib_exc

from valet_tempest_plugin.services import base_client
from valet_tempest_plugin.tests import base

CONF = config.CONF


class VersionsTest(base.BaseValetTest):
    """GET / and GET /v1 answer without a token; the rest needs one."""

    credentials = ['admin']

    def check_versions(self, document):
        self.assertEqual(['versions'], list(document))
        self.assertEqual(1, len(document['versions']), document)
        version = document['versions'][0]
        self.assertEqual('v1.0', version['id'])
        self.assertEqual('CURRENT', version['status'])
        self.assertEqual([{'href': self.admin.status.endpoint_url('v1/'),
                           'rel': 'self'}], version['links'])
        self.assertEqual(base.BASE_MICROVERSION, version['min_version'])
        served = api_version_request.APIVersionRequest(
            version['max_version'])
        self.assertGreaterEqual(served, api_version_request.
                                APIVersionRequest(version['min_version']))
        configured = CONF.valet.max_microversion
        if configured and configured != api_version_utils.LATEST_MICROVERSION:
            self.assertGreaterEqual(
                served, api_version_request.APIVersionRequest(configured))
        return version

    @decorators.idempotent_id('a418a2ea-e193-498d-9553-91f2082792e4')
    def test_root_versions(self):
        document = self.admin.status.list_versions()
        self.check_versions(document)
        self.assertTrue(document.response['x-openstack-request-id'].
                        startswith('req-'))

    @decorators.idempotent_id('e7cee515-551b-4905-b7b6-0ed14db68a7a')
    def test_v1_versions(self):
        self.assertEqual(self.admin.status.list_versions(),
                         self.admin.status.list_versions('v1'))

    @decorators.idempotent_id('2b104b31-5310-468e-823c-a84fd7bb0535')
    def test_microversion_echoed(self):
        # Every answer names the version asked for (the clients check
        # it); the version document's highest one may be asked for.
        highest = self.check_versions(
            self.admin.status.list_versions())['max_version']
        self.useFixture(base_client.MicroversionFixture(highest))
        response = self.admin.groups.list_groups()
        self.assertEqual('valet %s' % highest,
                         response.response['openstack-api-version'])

    @decorators.attr(type=['negative'])
    @decorators.idempotent_id('694ee3a8-9cc0-4526-a38a-915e2024b23a')
    def test_unsupported_microversion(self):
        self.useFixture(base_client.MicroversionFixture('99.0'))
        exc = self.assertRaises(lib_exc.NotAcceptable,
                                self.admin.groups.list_groups)
        self.assertError(exc, 406, 'valet.microversion.unsupported',
                         ['99.0'])

    @decorators.attr(type=['negative'])
    @decorators.idempotent_id('10de097b-9ca2-4e48-92bd-851b47b162a6')
    def test_invalid_microversion(self):
        self.useFixture(base_client.MicroversionFixture('one'))
        exc = self.assertRaises(lib_exc.BadRequest,
                                self.admin.groups.list_groups)
        self.assertError(exc, 400, 'valet.microversion.invalid')

    @decorators.attr(type=['negative'])
    @decorators.idempotent_id('0ee7d0f1-09b0-4ca2-be89-8dd27a4f4722')
    def test_token_required(self):
        for method, path in (('GET', 'v1/status'), ('HEAD', 'v1/status'),
                             ('GET', 'v1/groups'), ('POST', 'v1/groups'),
                             ('GET', 'v1/plans'), ('POST', 'v1/plans'),
                             ('GET', 'v1/placements')):
            resp, _body = self.admin.status.request_without_token(
                method, path)
            self.assertEqual(401, resp.status, '%s %s' % (method, path))

    @decorators.attr(type=['negative'])
    @decorators.idempotent_id('74337224-8771-4a78-98c8-7df2429d4867')
    def test_bad_token(self):
        headers = self.admin.status.get_headers()
        headers['X-Auth-Token'] = 'not-a-token'
        resp, _body = self.admin.status.request_without_token(
            'GET', 'v1/groups', headers=headers)
        self.assertEqual(401, resp.status)

    @decorators.idempotent_id('ca283445-2063-43d6-bd98-aa1d1c275f4a')
    def test_healthcheck(self):
        # oslo.middleware's healthcheck, answered before authentication.
        status = self.admin.status
        resp, _body = status.request_without_token('GET', 'healthcheck')
        self.assertEqual(200, resp.status)
        resp, _body = status.request_without_token('HEAD', 'healthcheck')
        self.assertIn(resp.status, (200, 204))
        resp, _body = status.request_without_token('POST', 'healthcheck')
        self.assertEqual(405, resp.status)
        self.assertEqual('GET, HEAD', resp['allow'])
