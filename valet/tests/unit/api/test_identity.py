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

"""Project id checks against Keystone (valet/common/identity.py)."""

from keystoneauth1 import fixture as ks_fixture
from keystoneauth1 import loading as ks_loading
from keystoneauth1 import session as ks_session
from oslo_config import cfg
import requests

from valet.common import identity
import valet.conf
from valet import exception
from valet.tests.fixtures import api as api_fixtures
from valet.tests.unit.api import base


class CheckProjectsTest(base.APITestCase):

    def setUp(self):
        super().setUp()
        api_fixtures.configure_keystone(self.conf_fixture)
        self.keystone = self.useFixture(api_fixtures.FakeKeystone()).mocker

    def _asked(self):
        return [request.path.rsplit('/', 1)[-1]
                for request in self.keystone.request_history]

    def test_known_projects(self):
        identity.check_projects(self.conf, ['project-a', 'project-b'])
        self.assertEqual(['project-a', 'project-b'], self._asked())

    def test_every_id_is_checked_and_every_unknown_named(self):
        error = self.assertRaises(
            exception.UnknownProjects, identity.check_projects, self.conf,
            ['ghost-1', 'project-a', 'ghost-2'])
        self.assertEqual('Unknown project ids: ghost-1, ghost-2',
                         error.message)
        self.assertEqual(['ghost-1', 'project-a', 'ghost-2'], self._asked())

    def test_keystone_error_is_unavailable(self):
        self.keystone.get(api_fixtures.KEYSTONE_URL + '/projects/project-a',
                          status_code=500)
        self.assertRaises(exception.ServiceUnavailable,
                          identity.check_projects, self.conf, ['project-a'])

    def test_keystone_unreachable_is_unavailable(self):
        self.keystone.get(api_fixtures.KEYSTONE_URL + '/projects/project-a',
                          exc=requests.exceptions.ConnectTimeout)
        self.assertRaises(exception.ServiceUnavailable,
                          identity.check_projects, self.conf, ['project-a'])

    def test_given_session_is_used(self):
        session = ks_session.Session()
        identity.check_projects(self.conf, ['project-a'], session=session)
        self.assertEqual(['project-a'], self._asked())

    def test_service_token_is_reused_across_checks(self):
        self.conf.register_opts(
            ks_loading.get_auth_plugin_conf_options('v3password'),
            group='keystone')
        self.flags(group='keystone', auth_type='v3password',
                   auth_url=api_fixtures.KEYSTONE_URL, username='valet',
                   password='secret', user_domain_id='default',
                   project_name='service', project_domain_id='default')
        token = ks_fixture.V3Token(project_id='service-id',
                                   project_domain_id='default',
                                   user_id='valet-id',
                                   user_domain_id='default')
        token.set_project_scope()
        issued = self.keystone.post(
            api_fixtures.KEYSTONE_URL + '/auth/tokens', json=token,
            status_code=201, headers={'X-Subject-Token': 'service-token'})
        identity.check_projects(self.conf, ['project-a'])
        identity.check_projects(self.conf, ['project-b', 'project-c'])
        self.assertEqual(1, issued.call_count)
        asked = [request for request in self.keystone.request_history
                 if '/projects/' in request.path]
        self.assertEqual(3, len(asked))
        self.assertEqual({'service-token'},
                         {request.headers['X-Auth-Token']
                          for request in asked})

    def test_plugin_options_stay_in_their_conf(self):
        self.conf.register_opts(
            ks_loading.get_auth_plugin_conf_options('v3password'),
            group='keystone')
        other = cfg.ConfigOpts()
        valet.conf.register_opts(other)
        # auth-url is required by v3password: it must not have leaked.
        other([], project='valet', default_config_files=[])
        self.assertNotIn('auth_url', other.keystone)

    def test_unconfigured_credentials_are_unavailable(self):
        self.flags(group='keystone', auth_type=None, endpoint_override=None)
        self.assertRaises(exception.ServiceUnavailable,
                          identity.check_projects, self.conf, ['project-a'])


class MembersCheckedTest(base.APITestCase):
    """PUT /v1/groups/{id}/members asks Keystone when it must."""

    auth_strategy = 'noauth'

    def setUp(self):
        super().setUp()
        api_fixtures.configure_keystone(self.conf_fixture)
        self.keystone = self.useFixture(api_fixtures.FakeKeystone()).mocker
        response = self.request('POST', '/v1/groups', body={
            'name': 'g', 'type': 'affinity', 'level': 'host'})
        self.assertEqual(201, response.status_int)

    def _add(self, members):
        return self.request('PUT', '/v1/groups/g/members',
                            body={'members': members})

    def test_noauth_does_not_check_by_default(self):
        response = self._add(['ghost'])
        self.assertEqual(200, response.status_int)
        self.assertEqual(['ghost'], response.json['group']['members'])
        self.assertFalse(self.keystone.called)

    def test_noauth_checks_when_asked(self):
        self.flags(group='api', noauth_verify_projects=True)
        response = self._add(['project-a', 'ghost'])
        self.assertError(response, 400, 'valet.group.unknown_projects')
        self.assertEqual([], self.request('GET', '/v1/groups/g')
                         .json['group']['members'])

    def test_keystone_down_is_503_and_adds_nothing(self):
        self.flags(group='api', noauth_verify_projects=True)
        self.keystone.get(api_fixtures.KEYSTONE_URL + '/projects/project-a',
                          exc=requests.exceptions.ConnectionError)
        response = self._add(['project-a'])
        self.assertError(response, 503, 'valet.service_unavailable')
        self.assertEqual([], self.request('GET', '/v1/groups/g')
                         .json['group']['members'])

    def test_existing_members_are_not_asked_again(self):
        self.flags(group='api', noauth_verify_projects=True)
        self.assertEqual(200, self._add(['project-a']).status_int)
        self.keystone.reset_mock()
        self.assertEqual(200, self._add(['project-a', 'project-b'])
                         .status_int)
        self.assertEqual(['/v3/projects/project-b'],
                         [r.path for r in self.keystone.request_history])
