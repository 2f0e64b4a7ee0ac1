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

"""Every row of the groups table of api-v1.md, as the admin persona."""

import uuid

from valet.tests.e2e import base


class TestCreateGroup(base.E2ETestCase):
    """POST /v1/groups."""

    def test_create(self):
        name = self.unique_name()
        response = self.admin.post('/v1/groups', {
            'name': name, 'type': 'exclusivity', 'level': 'rack',
            'description': 'e2e group'})
        self.assertEqual(201, response.status_code, response.text)
        group = response.json()['group']
        self.addCleanup(self.admin.delete, '/v1/groups/%s' % group['id'])
        self.assertGroup({'name': name, 'type': 'exclusivity',
                          'level': 'rack', 'description': 'e2e group',
                          'members': []}, group)
        self.assertEqual('%s/v1/groups/%s' % (self.valet_url, group['id']),
                         response.headers['Location'])
        self.assertTrue(response.headers['x-openstack-request-id']
                        .startswith('req-'))

    def test_create_every_type_and_level(self):
        for group_type in ('affinity', 'diversity', 'exclusivity'):
            for level in ('host', 'rack'):
                group = self.create_group(group_type, level)
                self.assertGroup({'type': group_type, 'level': level,
                                  'description': None}, group)

    def test_name_characters(self):
        name = 'A-z_0.9~' + uuid.uuid4().hex
        self.assertEqual(name, self.create_group(name=name)['name'])
        longest = 'n' * 223 + uuid.uuid4().hex
        self.assertEqual(255, len(longest))
        self.assertEqual(longest, self.create_group(name=longest)['name'])

    def test_bad_name(self):
        for name in ('', 'two words', 'slash/name', 'x' * 256, 'tail\n',
                     'caf\u00e9', 42, None):
            response = self.admin.post('/v1/groups', {
                'name': name, 'type': 'affinity', 'level': 'host'})
            self.assertError(response, 400, detail_has=['name'])

    def test_bad_type_and_level(self):
        response = self.admin.post('/v1/groups', {
            'name': self.unique_name(), 'type': 'friends', 'level': 'host'})
        self.assertError(response, 400, detail_has=['type', 'friends'])
        response = self.admin.post('/v1/groups', {
            'name': self.unique_name(), 'type': 'affinity', 'level': 'dc'})
        self.assertError(response, 400, detail_has=['level', 'dc'])

    def test_missing_and_unknown_fields(self):
        for missing in ('name', 'type', 'level'):
            body = {'name': self.unique_name(), 'type': 'affinity',
                    'level': 'host'}
            del body[missing]
            response = self.admin.post('/v1/groups', body)
            self.assertError(response, 400, detail_has=[missing])
        response = self.admin.post('/v1/groups', {
            'name': self.unique_name(), 'type': 'affinity', 'level': 'host',
            'colour': 'red'})
        self.assertError(response, 400, detail_has=['colour'])

    def test_name_taken(self):
        group = self.create_group()
        response = self.admin.post('/v1/groups', {
            'name': group['name'], 'type': 'diversity', 'level': 'rack'})
        self.assertError(response, 409, 'valet.group.duplicate_name',
                         detail_has=[group['name']])
        # Nothing half-written: still one group of that name.
        listed = self.admin.get('/v1/groups?name=%s' % group['name'])
        self.assertEqual([group], listed.json()['groups'])


class TestReadGroups(base.E2ETestCase):
    """GET /v1/groups and GET /v1/groups/{id or name}."""

    def test_list(self):
        first = self.create_group()
        second = self.create_group('diversity', 'rack')
        response = self.admin.get('/v1/groups')
        self.assertEqual(200, response.status_code, response.text)
        groups = {group['id']: group
                  for group in response.json()['groups']}
        self.assertEqual(first, groups[first['id']])
        self.assertEqual(second, groups[second['id']])

    def test_list_filtered(self):
        group = self.create_group('diversity', 'rack')
        response = self.admin.get('/v1/groups?name=%s' % group['name'])
        self.assertEqual([group], response.json()['groups'])
        response = self.admin.get('/v1/groups?type=diversity&level=rack')
        self.assertIn(group, response.json()['groups'])
        response = self.admin.get('/v1/groups?type=affinity')
        self.assertNotIn(group, response.json()['groups'])
        response = self.admin.get('/v1/groups?colour=red')
        self.assertError(response, 400, detail_has=['colour'])

    def test_show_by_id_and_name(self):
        group = self.create_group()
        for key in (group['id'], group['name']):
            response = self.admin.get('/v1/groups/%s' % key)
            self.assertEqual(200, response.status_code, response.text)
            self.assertEqual({'group': group}, response.json())

    def test_show_unknown(self):
        name = self.unique_name()
        response = self.admin.get('/v1/groups/%s' % name)
        self.assertError(response, 404, 'valet.group.not_found',
                         detail_has=[name])


class TestUpdateGroup(base.E2ETestCase):
    """PUT /v1/groups/{id}."""

    def test_update_description(self):
        group = self.create_group(description='before')
        response = self.admin.put('/v1/groups/%s' % group['id'],
                                  {'description': 'after'})
        self.assertEqual(200, response.status_code, response.text)
        group['description'] = 'after'
        self.assertEqual({'group': group}, response.json())
        self.assertEqual({'group': group}, self.admin.get(
            '/v1/groups/%s' % group['id']).json())

    def test_immutable_fields(self):
        group = self.create_group()
        for field, value in (('name', self.unique_name()),
                             ('type', 'diversity'), ('level', 'rack')):
            response = self.admin.put('/v1/groups/%s' % group['id'],
                                      {'description': 'x', field: value})
            self.assertError(response, 400, 'valet.group.immutable',
                             detail_has=[field])
        self.assertEqual({'group': group}, self.admin.get(
            '/v1/groups/%s' % group['id']).json())

    def test_bad_body(self):
        group = self.create_group()
        response = self.admin.put('/v1/groups/%s' % group['id'], {})
        self.assertError(response, 400, detail_has=['description'])
        response = self.admin.put('/v1/groups/%s' % group['id'],
                                  {'description': 'x' * 1025})
        self.assertError(response, 400, detail_has=['description'])

    def test_update_unknown(self):
        response = self.admin.put('/v1/groups/%s' % uuid.uuid4(),
                                  {'description': 'x'})
        self.assertError(response, 404, 'valet.group.not_found')


class TestDeleteGroup(base.E2ETestCase):
    """DELETE /v1/groups/{id}."""

    def test_delete(self):
        group = self.create_group()
        response = self.admin.delete('/v1/groups/%s' % group['id'])
        self.assertEqual(204, response.status_code, response.text)
        self.assertEqual(b'', response.content)
        self.assertError(self.admin.get('/v1/groups/%s' % group['id']),
                         404, 'valet.group.not_found')

    def test_delete_with_members(self):
        group = self.create_group()
        response = self.admin.put('/v1/groups/%s/members' % group['id'],
                                  {'members': [self.projects['alpha']]})
        self.assertEqual(200, response.status_code, response.text)
        response = self.admin.delete('/v1/groups/%s' % group['id'])
        self.assertError(response, 409, 'valet.group.in_use')
        self.assertEqual(200, self.admin.get(
            '/v1/groups/%s' % group['id']).status_code)

    def test_delete_unknown(self):
        response = self.admin.delete('/v1/groups/%s' % uuid.uuid4())
        self.assertError(response, 404, 'valet.group.not_found')
