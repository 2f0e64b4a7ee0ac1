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

"""Valet groups API: the calls that are refused, and why."""

from oslo_serialization import jsonutils as json
from oslo_utils import uuidutils
from tempest import config
from tempest.lib import decorators
from tempest.lib import exceptions as lib_exc

from valet_tempest_plugin.tests import base

CONF = config.CONF


def _detail(exc):
    """The detail of the first API-WG error of a refused call.

    Tempest's rest client strips a body's only key: an API-WG answer
    ``{"errors": [...]}`` reaches the exception as the list.
    """
    errors = exc.resp_body
    if isinstance(errors, dict):
        errors = errors['errors']
    return errors[0]['detail']


class GroupsNegativeTest(base.BaseValetTest):
    """400, 403, 404 and 409 answers of /v1/groups."""

    @decorators.attr(type=['negative'])
    @decorators.idempotent_id('a6258026-db70-4a58-9472-d3535e63de6c')
    def test_create_group_bad_fields(self):
        bad = [
            {'name': 'two words', 'type': 'affinity', 'level': 'host'},
            {'name': '', 'type': 'affinity', 'level': 'host'},
            {'name': 'x' * 256, 'type': 'affinity', 'level': 'host'},
            {'name': self.group_name(), 'type': 'friendly', 'level': 'host'},
            {'name': self.group_name(), 'type': 'affinity', 'level': 'dc'},
            {'name': self.group_name(), 'level': 'host'},
        ]
        for body in bad:
            self.assertRaises(lib_exc.BadRequest,
                              self.admin_client.create_group, **body)

    @decorators.attr(type=['negative'])
    @decorators.idempotent_id('ec78fd54-53e9-4694-b9a5-00eebeed274b')
    def test_create_group_name_taken(self):
        group = self.create_group()
        exc = self.assertRaises(lib_exc.Conflict,
                                self.admin_client.create_group,
                                name=group['name'], type='diversity',
                                level='rack')
        self.assertIn(group['name'], _detail(exc))

    @decorators.attr(type=['negative'])
    @decorators.idempotent_id('ef04f3d9-53af-4f55-88d9-0fe479896b8e')
    def test_unknown_group(self):
        unknown = uuidutils.generate_uuid()
        self.assertRaises(lib_exc.NotFound,
                          self.admin_client.show_group, unknown)
        self.assertRaises(lib_exc.NotFound,
                          self.admin_client.update_group, unknown,
                          description='x')
        self.assertRaises(lib_exc.NotFound,
                          self.admin_client.delete_group, unknown)
        self.assertRaises(lib_exc.NotFound, self.admin_client.add_members,
                          unknown, [self.os_primary.credentials.project_id])

    @decorators.attr(type=['negative'])
    @decorators.idempotent_id('a0ac2fec-8f0e-4587-8bc5-057610c223b3')
    def test_update_immutable_fields(self):
        group = self.create_group()
        for field, value in (('name', self.group_name()),
                             ('type', 'diversity'), ('level', 'rack')):
            exc = self.assertRaises(lib_exc.BadRequest,
                                    self.admin_client.update_group,
                                    group['id'], description='x',
                                    **{field: value})
            self.assertIn(field, _detail(exc))

    @decorators.attr(type=['negative'])
    @decorators.idempotent_id('0cda84b2-e557-4e86-b139-0acdffa1c0f7')
    def test_delete_group_with_members(self):
        group = self.create_group()
        self.admin_client.add_members(
            group['id'], [self.os_primary.credentials.project_id])
        self.assertRaises(lib_exc.Conflict,
                          self.admin_client.delete_group, group['id'])
        self.admin_client.show_group(group['id'])

    @decorators.attr(type=['negative'])
    @decorators.idempotent_id('47d59ca2-3109-460b-a514-35fc65beedfb')
    def test_add_unknown_projects(self):
        if not CONF.valet.member_check:
            raise self.skipException('Valet does not check project ids')
        group = self.create_group()
        known = self.os_primary.credentials.project_id
        unknown = [uuidutils.generate_uuid(dashed=False) for _ in range(2)]
        exc = self.assertRaises(lib_exc.BadRequest,
                                self.admin_client.add_members,
                                group['id'], [known] + unknown)
        for project_id in unknown:
            self.assertIn(project_id, _detail(exc))
        self.assertNotIn(known, _detail(exc))
        # Nothing was added.
        self.assertEqual([], self.admin_client.show_group(
            group['id'])['group']['members'])

    @decorators.attr(type=['negative'])
    @decorators.idempotent_id('2bdc645a-341b-48f3-ba96-3812953936c1')
    def test_check_non_member(self):
        group = self.create_group()
        self.assertRaises(lib_exc.NotFound, self.admin_client.check_member,
                          group['id'], self.os_primary.credentials.project_id)

    @decorators.attr(type=['negative'])
    @decorators.idempotent_id('a6c693ef-0087-4808-a2e5-d69c5f65dfe5')
    def test_project_member_cannot_manage_groups(self):
        group = self.create_group()
        project_id = self.os_primary.credentials.project_id
        self.assertRaises(lib_exc.Forbidden, self.client.create_group,
                          name=self.group_name(), type='affinity',
                          level='host')
        self.assertRaises(lib_exc.Forbidden, self.client.update_group,
                          group['id'], description='mine')
        self.assertRaises(lib_exc.Forbidden, self.client.add_members,
                          group['id'], [project_id])
        self.assertRaises(lib_exc.Forbidden, self.client.remove_all_members,
                          group['id'])
        self.assertRaises(lib_exc.Forbidden, self.client.delete_group,
                          group['id'])
        self.admin_client.show_group(group['id'])

    @decorators.attr(type=['negative'])
    @decorators.idempotent_id('32c65264-1e2c-4166-8a9e-8689da97c7ad')
    def test_remove_members_with_servers(self):
        group = self.create_group()
        project_id = self.member.project_id
        self.admin_client.add_members(group['id'], [project_id])
        # The member project places servers in the group.
        self.create_plan(names=('x1',), groups=[group['name']])
        exc = self.assertRaises(lib_exc.Conflict,
                                self.admin_client.remove_member,
                                group['id'], project_id)
        self.assertIn(project_id, _detail(exc))
        self.assertRaises(lib_exc.Conflict,
                          self.admin_client.remove_all_members, group['id'])
        self.admin_client.check_member(group['id'], project_id)

    @decorators.attr(type=['negative'])
    @decorators.idempotent_id('3e01762a-1419-42ec-acbd-777af8d7516b')
    def test_remove_non_member(self):
        group = self.create_group()
        self.assertRaises(lib_exc.NotFound, self.admin_client.remove_member,
                          group['id'], self.member.project_id)

    @decorators.attr(type=['negative'])
    @decorators.idempotent_id('d2fb4257-19f5-4a1b-a6b4-1091c01d1e9a')
    def test_method_and_media_types(self):
        body = json.dumps({'name': self.group_name(), 'type': 'affinity',
                           'level': 'host'})
        exc = self.assertRaises(
            lib_exc.UnexpectedResponseCode, self.admin_client.patch,
            'v1/groups', body)
        self.assertEqual(405, exc.resp.status)
        self.assertIn('POST', exc.resp['allow'])
        self.assertRaises(
            lib_exc.InvalidContentType, self.admin_client.post, 'v1/groups',
            body, headers={'Content-Type': 'text/plain',
                           'Accept': 'application/json'})
        self.assertRaises(
            lib_exc.NotAcceptable, self.admin_client.get, 'v1/groups',
            headers={'Accept': 'text/html'})
