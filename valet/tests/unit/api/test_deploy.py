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

"""Tests of the middleware pipeline (valet/api/deploy.py)."""

from unittest import mock

import fixtures
from keystoneauth1 import loading as ks_loading

from valet.api import deploy
from valet.tests.unit.api import base
from valet.tests.unit.services import test_notifications


class NoauthPipelineTest(base.APITestCase):

    def test_request_id_on_every_response(self):
        for path in ('/', '/v1/groups', '/v1/nothing', '/healthcheck'):
            response = self.request('GET', path)
            self.assertTrue(
                response.headers['x-openstack-request-id'].startswith(
                    'req-'), path)

    def test_context_from_headers(self):
        with mock.patch('valet.db.groups.list_groups',
                        return_value=[]) as list_groups:
            response = self.request('GET', '/v1/groups', persona={
                'user': 'u1', 'project': 'p1', 'roles': 'reader,member'})
        self.assertEqual(200, response.status_int)
        ctx = list_groups.call_args[0][0]
        self.assertEqual('u1', ctx.user_id)
        self.assertEqual('p1', ctx.project_id)
        self.assertEqual(['reader', 'member'], ctx.roles)
        self.assertIs(self.conf, ctx.config)
        self.assertEqual(response.headers['x-openstack-request-id'],
                         ctx.request_id)

    def test_no_cors_without_allowed_origin(self):
        response = self.request('GET', '/',
                                headers={'Origin': 'http://ui.example'})
        self.assertNotIn('Access-Control-Allow-Origin', response.headers)

    def test_cors_with_allowed_origin(self):
        self.flags(group='cors', allowed_origin=['http://ui.example'])
        response = self.request('GET', '/',
                                headers={'Origin': 'http://ui.example'})
        self.assertEqual('http://ui.example',
                         response.headers['Access-Control-Allow-Origin'])

    def test_healthcheck(self):
        response = self.request('GET', '/healthcheck', persona=None,
                                headers={'Accept': 'application/json'})
        self.assertEqual(200, response.status_int)

    def test_proxy_headers_make_the_links(self):
        self.flags(group='oslo_middleware', enable_proxy_headers_parsing=True)
        response = self.request(
            'GET', '/', persona=None,
            headers={'X-Forwarded-Proto': 'https',
                     'X-Forwarded-Host': 'valet.example:443'})
        self.assertEqual('https://valet.example/v1/',
                         response.json['versions'][0]['links'][0]['href'])

    def test_notifications_middleware_in_the_pipeline(self):
        with mock.patch.object(deploy.notifications,
                               'NotificationsMiddleware') as middleware:
            middleware.side_effect = lambda app, conf: app
            deploy.loadapp(self.conf)
        middleware.assert_called_once_with(mock.ANY, self.conf)


class KeystonePipelineTest(base.APITestCase):
    """keystonemiddleware in front: its 401 is an API-WG document."""

    auth_strategy = 'keystone'

    def setUp(self):
        super().setUp()
        self.log = self.useFixture(fixtures.FakeLogger())
        # Never contacted: the requests below carry no usable token.
        self.flags(group='keystone_authtoken',
                   www_authenticate_uri='http://keystone.test/v3')

    def test_missing_token_is_api_wg_401(self):
        response = self.request('GET', '/v1/groups', persona=None)
        self.assertError(response, 401, 'valet.unauthenticated')
        self.assertEqual('Keystone uri="http://keystone.test/v3"',
                         response.headers['WWW-Authenticate'])

    def test_blank_token_is_api_wg_401(self):
        response = self.request('GET', '/v1/groups', persona=None,
                                headers={'X-Auth-Token': ''})
        self.assertError(response, 401, 'valet.unauthenticated')

    def test_identity_headers_are_not_trusted(self):
        response = self.request('POST', '/v1/groups', body={})
        self.assertError(response, 401)

    def test_version_document_needs_no_token(self):
        for path in ('/', '/v1'):
            response = self.request('GET', path, persona=None)
            self.assertEqual(200, response.status_int)

    def test_healthcheck_needs_no_token(self):
        response = self.request('GET', '/healthcheck', persona=None)
        self.assertEqual(200, response.status_int)

    def test_keystone_unusable_is_api_wg_503(self):
        # No auth plugin in [keystone_authtoken]: a token cannot be checked.
        response = self.request('GET', '/v1/groups', persona=None,
                                headers={'X-Auth-Token': 'bogus'})
        self.assertError(response, 503, 'valet.service_unavailable')

    def test_keystone_unreachable_is_api_wg_503(self):
        self.conf.register_opts(
            ks_loading.get_auth_plugin_conf_options('password'),
            group='keystone_authtoken')
        self.flags(group='keystone_authtoken', auth_type='password',
                   auth_url='http://127.0.0.1:1/v3', username='valet',
                   password='secret', user_domain_id='default',
                   project_name='service', project_domain_id='default')
        response = self.request('GET', '/v1/groups', persona=None,
                                headers={'X-Auth-Token': 'bogus'})
        error = self.assertError(response, 503, 'valet.service_unavailable')
        self.assertNotIn('secret', response.text)
        self.assertIn('Keystone', error['detail'])


class PublishedAnswersTest(base.APITestCase):
    """The answers of auth and of the size limit are published too."""

    def setUp(self):
        super().setUp()
        self.notifier = test_notifications.RecordingNotifier()
        self.useFixture(fixtures.MockPatch(
            'valet.common.messaging.get_notifier',
            return_value=self.notifier))
        self.flags(group='oslo_middleware', max_request_body_size=1024)

    def _published(self):
        return self.notifier.sent.get(timeout=test_notifications.WAIT)

    def test_too_large_body_is_published_unread(self):
        response = self.request('POST', '/v1/groups',
                                raw_body=b'{"name": "%s"}' % (b'x' * 2000))
        self.assertError(response, 413)
        priority, _ctxt, event_type, payload = self._published()
        self.assertEqual(('ERROR', 'api.v1.groups', 413, ''),
                         (priority, event_type,
                          payload['response']['status_code'],
                          payload['request']['body']))

    def test_body_within_the_limit_is_published(self):
        response = self.request('POST', '/v1/groups', body={'name': 'web'})
        self.assertError(response, 400)
        _priority, _ctxt, _event_type, payload = self._published()
        self.assertEqual({'name': 'web'}, payload['request']['body'])


class PublishedKeystoneAnswersTest(PublishedAnswersTest):

    auth_strategy = 'keystone'

    def setUp(self):
        super().setUp()
        self.flags(group='keystone_authtoken',
                   www_authenticate_uri='http://keystone.test/v3')

    def test_body_within_the_limit_is_published(self):
        # The 401 comes before any handler reads the body; published all
        # the same, and with no caller.
        response = self.request('POST', '/v1/groups', body={'name': 'web'})
        self.assertError(response, 401, 'valet.unauthenticated')
        priority, _ctxt, event_type, payload = self._published()
        self.assertEqual(('ERROR', 'api.v1.groups', 401),
                         (priority, event_type,
                          payload['response']['status_code']))
        self.assertEqual({'name': 'web'}, payload['request']['body'])
        self.assertEqual(
            'valet.unauthenticated',
            payload['response']['body']['errors'][0]['code'])
        # The persona's X-User-Id / X-Project-Id were not proven by a
        # token: auth removed them before the payload was built.
        self.assertEqual({'tenant_id': None, 'user_id': None},
                         payload['context'])
