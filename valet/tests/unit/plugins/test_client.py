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

"""The plugins' REST client: requests, errors, options, noauth identity."""

from keystoneauth1 import fixture as ks_fixture
from keystoneauth1 import loading as ks_loading
from keystoneauth1 import session as ks_session
from oslo_config import cfg
from oslo_config import fixture as config_fixture
from requests_mock.contrib import fixture as rm_fixture
import testtools

from valet.plugins import client
from valet.plugins import noauth

URL = 'http://valet.example:8090'


class ClientTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.requests = self.useFixture(rm_fixture.Fixture())
        auth = noauth.ValetNoAuth(endpoint=URL, user_id='u1',
                                  project_id='p1', roles=['member', 'reader'])
        self.client = client.Client(client.adapter(
            ks_session.Session(auth=auth), endpoint_override=URL))

    def test_create_plan_sends_body_identity_and_version(self):
        self.requests.post(URL + '/v1/plans', status_code=201,
                           json={'plan': {'id': 'p'}})
        plan = self.client.create_plan('web', 's1', {'k': {'type': 'T'}},
                                       locations=['h1'])
        self.assertEqual({'id': 'p'}, plan)
        request = self.requests.last_request
        self.assertEqual({'plan_name': 'web', 'stack_id': 's1',
                          'resources': {'k': {'type': 'T'}},
                          'locations': ['h1']}, request.json())
        self.assertEqual('u1', request.headers['X-User-Id'])
        self.assertEqual('p1', request.headers['X-Project-Id'])
        self.assertEqual('member,reader', request.headers['X-Roles'])
        self.assertEqual('valet 1.0',
                         request.headers['OpenStack-API-Version'])
        self.assertNotIn('X-Auth-Token', request.headers)

    def test_error_document_becomes_valet_error(self):
        self.requests.post(URL + '/v1/plans', status_code=409, json={
            'errors': [{'status': 409, 'code': 'valet.plan.no_placement',
                        'detail': 'No placement satisfies the rules',
                        'request_id': 'req-1'}]})
        e = self.assertRaises(client.ValetError, self.client.create_plan,
                              'web', 's1', {})
        self.assertEqual(409, e.status)
        self.assertEqual('valet.plan.no_placement', e.code)
        self.assertEqual('req-1', e.request_id)
        self.assertIn('No placement satisfies the rules', str(e))

    def test_error_without_document_keeps_the_text(self):
        self.requests.get(URL + '/v1/groups', status_code=400,
                          text='<html>bad gateway page</html>')
        e = self.assertRaises(client.ValetError, self.client.list_groups)
        self.assertEqual(400, e.status)
        self.assertIsNone(e.code)
        self.assertIn('bad gateway page', e.detail)

    def test_503_is_unavailable(self):
        self.requests.get(URL + '/v1/groups', status_code=503, json={
            'errors': [{'status': 503, 'detail': 'engine down'}]})
        e = self.assertRaises(client.ValetUnavailable,
                              self.client.list_groups)
        self.assertIn('engine down', str(e))

    def test_connection_refused_is_unavailable(self):
        self.requests.get(URL + '/v1/groups',
                          exc=__import__('requests').exceptions.
                          ConnectionError('refused'))
        self.assertRaises(client.ValetUnavailable, self.client.list_groups)

    def test_status_503_is_a_document(self):
        self.requests.get(URL + '/v1/status', status_code=503, json={
            'status': {'engine': {'status': 'unavailable'}}})
        self.assertEqual({'engine': {'status': 'unavailable'}},
                         self.client.status())

    def test_delete_missing_ok(self):
        self.requests.delete(URL + '/v1/plans/s1', status_code=404, json={
            'errors': [{'status': 404, 'code': 'valet.plan.not_found',
                        'detail': 'no'}]})
        self.client.delete_plan('s1', missing_ok=True)
        self.assertRaises(client.ValetError, self.client.delete_plan, 's1')

    def test_list_with_query(self):
        self.requests.get(URL + '/v1/placements', json={'placements': []})
        self.client.list_placements(heat_root_stack_id='r',
                                    valet_resource_path='a/0', name=None)
        self.assertEqual({'heat_root_stack_id': ['r'],
                          'valet_resource_path': ['a/0']},
                         self.requests.last_request.qs)

    def test_is_member(self):
        self.requests.get(URL + '/v1/groups/g/members/p', status_code=204)
        self.assertTrue(self.client.is_member('g', 'p'))
        self.requests.get(URL + '/v1/groups/g/members/q', status_code=404,
                          json={'errors': [{
                              'code': 'valet.group.member_not_found'}]})
        self.assertFalse(self.client.is_member('g', 'q'))
        self.requests.get(URL + '/v1/groups/h/members/q', status_code=404,
                          json={'errors': [{
                              'code': 'valet.group.not_found'}]})
        self.assertRaises(client.ValetError, self.client.is_member, 'h', 'q')


class OptionsTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.conf = self.useFixture(config_fixture.Config(
            cfg.ConfigOpts())).conf
        client.register_opts(self.conf)

    def test_defaults(self):
        self.assertEqual('reject', self.conf.valet.failure_mode)
        self.assertEqual('valet', self.conf.valet.service_type)
        self.assertEqual(60, self.conf.valet.timeout)
        self.assertIsNone(self.conf.valet.url)

    def test_failure_mode_is_checked(self):
        self.assertRaises(ValueError, self.conf.set_override,
                          'failure_mode', 'ignore', group='valet')

    def test_url_wins_over_catalog(self):
        self.conf.set_override('url', URL, group='valet')
        adapter = client.adapter(ks_session.Session(), self.conf)
        self.assertEqual(URL, adapter.endpoint_override)
        self.assertEqual('valet', adapter.service_type)

    def test_catalog_lookup(self):
        token = ks_fixture.V3Token()
        service = token.add_service('valet')
        service.add_standard_endpoints(public=URL, internal=URL + '/int',
                                       region='R1')
        requests = self.useFixture(rm_fixture.Fixture())
        requests.post('http://keystone.example/v3/auth/tokens', json=token,
                      headers={'X-Subject-Token': 'tok'})
        requests.get(URL + '/int/v1/groups', json={'groups': []})
        self.conf.set_override('valid_interfaces', ['internal'],
                               group='valet')
        self.conf.set_override('auth_type', 'v3password', group='valet')
        self.conf.register_opts(
            ks_loading.get_auth_plugin_conf_options('v3password'),
            group='valet')
        self.conf.set_override('auth_url', 'http://keystone.example/v3',
                               group='valet')
        self.conf.set_override('username', 'nova', group='valet')
        self.conf.set_override('password', 'pw', group='valet')
        self.conf.set_override('user_domain_id', 'default', group='valet')
        self.assertEqual([], client.from_conf(self.conf).list_groups())
        self.assertEqual('tok',
                         requests.last_request.headers['X-Auth-Token'])

    def test_no_catalog_entry_is_unavailable(self):
        token = ks_fixture.V3Token()
        requests = self.useFixture(rm_fixture.Fixture())
        requests.post('http://keystone.example/v3/auth/tokens', json=token,
                      headers={'X-Subject-Token': 'tok'})
        self.conf.set_override('auth_type', 'v3password', group='valet')
        self.conf.register_opts(
            ks_loading.get_auth_plugin_conf_options('v3password'),
            group='valet')
        self.conf.set_override('auth_url', 'http://keystone.example/v3',
                               group='valet')
        self.conf.set_override('username', 'nova', group='valet')
        self.conf.set_override('password', 'pw', group='valet')
        self.conf.set_override('user_domain_id', 'default', group='valet')
        e = self.assertRaises(client.ValetEndpointNotFound,
                              client.from_conf(self.conf).list_groups)
        self.assertIsInstance(e, client.ValetUnavailable)
        self.assertIn('[valet] url', str(e))

    def test_noauth_loader_from_conf(self):
        self.conf.set_override('auth_type', 'valet-noauth', group='valet')
        self.conf.register_opts(
            ks_loading.get_auth_plugin_conf_options('valet-noauth'),
            group='valet')
        self.conf.set_override('endpoint', URL, group='valet')
        self.conf.set_override('user_id', 'nova', group='valet')
        self.conf.set_override('project_id', 'service', group='valet')
        self.conf.set_override('roles', 'service, reader', group='valet')
        auth = ks_loading.load_auth_from_conf_options(self.conf, 'valet')
        self.assertIsInstance(auth, noauth.ValetNoAuth)
        self.assertEqual(['service', 'reader'], auth.roles)
        requests = self.useFixture(rm_fixture.Fixture())
        requests.get(URL + '/v1/groups', json={'groups': []})
        client.from_conf(self.conf).list_groups()
        self.assertEqual('service,reader',
                         requests.last_request.headers['X-Roles'])

    def test_list_opts(self):
        names = {o.dest for _g, opts in client.list_opts() for o in opts}
        for name in ('url', 'failure_mode', 'timeout', 'auth_type',
                     'service_type', 'endpoint_override'):
            self.assertIn(name, names)


class TimeoutTestCase(testtools.TestCase):

    def test_timeout_reaches_each_request(self):
        requests = self.useFixture(rm_fixture.Fixture())
        requests.get(URL + '/v1/groups', json={'groups': []})
        conf = self.useFixture(config_fixture.Config(cfg.ConfigOpts())).conf
        client.register_opts(conf)
        conf.set_override('url', URL, group='valet')
        conf.set_override('timeout', 7, group='valet')
        valet = client.from_conf(conf, session=ks_session.Session(
            auth=noauth.ValetNoAuth(endpoint=URL)))
        valet.list_groups()
        self.assertEqual(7, requests.last_request.timeout)


class ListOptsTestCase(testtools.TestCase):

    def test_sample_defaults_are_the_registered_ones(self):
        conf = self.useFixture(config_fixture.Config(cfg.ConfigOpts())).conf
        client.register_opts(conf)
        for _group, opts in client.list_opts():
            for opt in opts:
                self.assertEqual(conf.valet[opt.dest], opt.default, opt.dest)


class ProjectVersionTestCase(testtools.TestCase):

    def test_plan_for_a_project_asks_for_1_1(self):
        requests = self.useFixture(rm_fixture.Fixture())
        requests.post(URL + '/v1/plans', status_code=201,
                      json={'plan': {'id': 'p'}})
        valet = client.Client(client.adapter(
            ks_session.Session(auth=noauth.ValetNoAuth(endpoint=URL)),
            endpoint_override=URL))
        valet.create_plan('s', 's', {}, project_id='owner')
        self.assertEqual('owner', requests.last_request.json()['project_id'])
        self.assertEqual('valet 1.1', requests.last_request.headers[
            'OpenStack-API-Version'])
        valet.create_plan('s', 's', {})
        self.assertNotIn('project_id', requests.last_request.json())
        self.assertEqual('valet 1.0', requests.last_request.headers[
            'OpenStack-API-Version'])
