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

"""Group members, checked against the projects of the real Keystone."""

import uuid

from valet.tests.e2e import base


class TestAddMembers(base.E2ETestCase):
    """PUT /v1/groups/{id}/members."""

    def members_url(self, group):
        return '/v1/groups/%s/members' % group['id']

    def test_add_real_projects(self):
        group = self.create_group()
        alpha, beta = self.projects['alpha'], self.projects['beta']
        response = self.admin.put(self.members_url(group),
                                  {'members': [alpha]})
        self.assertEqual(200, response.status_code, response.text)
        group['members'] = [alpha]
        self.assertEqual({'group': group}, response.json())

        # A union with the members already there.
        response = self.admin.put(self.members_url(group),
                                  {'members': [beta, alpha]})
        self.assertEqual(200, response.status_code, response.text)
        self.assertEqual(sorted([alpha, beta]),
                         sorted(response.json()['group']['members']))
        shown = self.admin.get('/v1/groups/%s' % group['id']).json()
        self.assertEqual(sorted([alpha, beta]),
                         sorted(shown['group']['members']))

    def test_add_by_group_name(self):
        group = self.create_group()
        response = self.admin.put('/v1/groups/%s/members' % group['name'],
                                  {'members': [self.projects['service']]})
        self.assertEqual(200, response.status_code, response.text)
        self.assertEqual([self.projects['service']],
                         response.json()['group']['members'])

    def test_unknown_projects_all_listed(self):
        group = self.create_group()
        unknown = [uuid.uuid4().hex, uuid.uuid4().hex, 'no-such-project']
        members = [self.projects['alpha']] + unknown
        response = self.admin.put(self.members_url(group),
                                  {'members': members})
        error = self.assertError(response, 400,
                                 'valet.group.unknown_projects',
                                 detail_has=unknown)
        self.assertNotIn(self.projects['alpha'], error['detail'])
        # Nothing half-written: the real project was not added either.
        shown = self.admin.get('/v1/groups/%s' % group['id']).json()
        self.assertEqual([], shown['group']['members'])

    def test_project_name_is_not_an_id(self):
        group = self.create_group()
        name = self.accounts['personas']['alpha_member']['project_name']
        response = self.admin.put(self.members_url(group),
                                  {'members': [name]})
        self.assertError(response, 400, 'valet.group.unknown_projects',
                         detail_has=[name])

    def test_bad_bodies(self):
        group = self.create_group()
        alpha = self.projects['alpha']
        for body in ({}, {'members': []}, {'members': alpha},
                     {'members': [alpha, alpha]}, {'members': ['a b']},
                     {'members': [alpha], 'extra': 1}):
            response = self.admin.put(self.members_url(group), body)
            self.assertError(response, 400)

    def test_unknown_group(self):
        response = self.admin.put(
            '/v1/groups/%s/members' % uuid.uuid4(),
            {'members': [self.projects['alpha']]})
        self.assertError(response, 404, 'valet.group.not_found')


class TestCheckAndRemoveMembers(base.E2ETestCase):
    """GET and DELETE /v1/groups/{id}/members[/{project}]."""

    def setUp(self):
        super().setUp()
        self.group = self.create_group()
        self.url = '/v1/groups/%s/members' % self.group['id']
        response = self.admin.put(self.url, {'members': [
            self.projects['alpha'], self.projects['beta']]})
        self.assertEqual(200, response.status_code, response.text)

    def test_check_member(self):
        response = self.admin.get('%s/%s' % (self.url,
                                             self.projects['alpha']))
        self.assertEqual(204, response.status_code, response.text)
        self.assertEqual(b'', response.content)

    def test_check_non_member(self):
        response = self.admin.get('%s/%s' % (self.url,
                                             self.projects['service']))
        self.assertError(response, 404, 'valet.group.member_not_found',
                         detail_has=[self.projects['service']])

    def test_remove_member(self):
        alpha, beta = self.projects['alpha'], self.projects['beta']
        response = self.admin.delete('%s/%s' % (self.url, alpha))
        self.assertEqual(204, response.status_code, response.text)
        self.assertError(self.admin.get('%s/%s' % (self.url, alpha)), 404)
        self.assertEqual(204, self.admin.get(
            '%s/%s' % (self.url, beta)).status_code)
        shown = self.admin.get('/v1/groups/%s' % self.group['id']).json()
        self.assertEqual([beta], shown['group']['members'])

    def test_remove_non_member(self):
        response = self.admin.delete('%s/%s' % (self.url,
                                                self.projects['service']))
        self.assertError(response, 404, 'valet.group.member_not_found')

    def test_remove_all_members(self):
        response = self.admin.delete(self.url)
        self.assertEqual(204, response.status_code, response.text)
        shown = self.admin.get('/v1/groups/%s' % self.group['id']).json()
        self.assertEqual([], shown['group']['members'])
        # Again: there is nothing left to remove, still 204.
        self.assertEqual(204, self.admin.delete(self.url).status_code)
        # And now the group may go.
        self.assertEqual(204, self.admin.delete(
            '/v1/groups/%s' % self.group['id']).status_code)
