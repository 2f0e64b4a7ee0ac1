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

"""RBAC matrix: every groups and status endpoint for every persona.

Roles are written as Keystone puts them in a token, implied roles
flattened (an admin is also member and reader).
"""

from oslo_utils import uuidutils

from valet import context
from valet.db import groups as db_groups
from valet.tests.unit.api import base

PERSONAS = {
    'admin': {'user': 'admin-user', 'project': 'admin-project',
              'roles': 'admin,member,reader'},
    'member': {'user': 'member-user', 'project': 'project-a',
               'roles': 'member,reader'},
    'reader': {'user': 'reader-user', 'project': 'project-a',
               'roles': 'reader'},
    'other_member': {'user': 'other-user', 'project': 'project-b',
                     'roles': 'member,reader'},
    'service': {'user': 'nova', 'project': 'service', 'roles': 'service'},
    'no_roles': {'user': 'nobody', 'project': 'project-a', 'roles': ''},
}

EVERYONE = frozenset(PERSONAS) - {'no_roles'}
ADMIN_ONLY = frozenset(['admin'])
ADMIN_OR_SERVICE = frozenset(['admin', 'service'])

# name: (method, path, body, needs a member, success status, allowed)
ENDPOINTS = {
    'groups:create': ('POST', '/v1/groups', 'new-group', False, 201,
                      ADMIN_ONLY),
    'groups:list': ('GET', '/v1/groups', None, False, 200, EVERYONE),
    'groups:show': ('GET', '/v1/groups/%s', None, False, 200, EVERYONE),
    'groups:update': ('PUT', '/v1/groups/%s', {'description': 'x'}, False,
                      200, ADMIN_ONLY),
    'groups:delete': ('DELETE', '/v1/groups/%s', None, False, 204,
                      ADMIN_ONLY),
    'groups:members:add': ('PUT', '/v1/groups/%s/members',
                           {'members': ['project-c']}, False, 200,
                           ADMIN_ONLY),
    'groups:members:show': ('GET', '/v1/groups/%s/members/project-a', None,
                            True, 204, EVERYONE),
    'groups:members:delete': ('DELETE', '/v1/groups/%s/members/project-a',
                              None, True, 204, ADMIN_ONLY),
    'groups:members:delete_all': ('DELETE', '/v1/groups/%s/members', None,
                                  True, 204, ADMIN_ONLY),
}


class RBACMatrixTest(base.APITestCase):

    def setUp(self):
        super().setUp()
        self.ctx = context.RequestContext(config=self.conf)

    def _fresh_group(self, with_member):
        group = db_groups.create_group(
            self.ctx, 'g-%s' % uuidutils.generate_uuid(dashed=False),
            'affinity', 'host')
        if with_member:
            db_groups.add_members(self.ctx, group['id'], ['project-a'])
        return group

    def _check(self, endpoint, persona_name):
        method, path, body, with_member, success, allowed = (
            ENDPOINTS[endpoint])
        group = self._fresh_group(with_member)
        if '%s' in path:
            path = path % group['id']
        if body == 'new-group':
            body = {'name': 'n-%s' % uuidutils.generate_uuid(dashed=False),
                    'type': 'diversity', 'level': 'rack'}
        response = self.request(method, path, body=body,
                                persona=PERSONAS[persona_name])
        expected = success if persona_name in allowed else 403
        self.assertEqual(expected, response.status_int,
                         '%s as %s: %s' % (endpoint, persona_name,
                                           response.body))
        if expected == 403:
            self.assertError(response, 403, 'valet.policy.not_authorized')

    def test_matrix(self):
        for endpoint in ENDPOINTS:
            for persona_name in PERSONAS:
                self._check(endpoint, persona_name)

    def test_status(self):
        for persona_name, persona in PERSONAS.items():
            for method in ('GET', 'HEAD'):
                response = self.request(method, '/v1/status',
                                        persona=persona)
                if persona_name in ADMIN_OR_SERVICE:
                    # Authorized: the answer depends on the backends.
                    self.assertIn(response.status_int, (200, 503))
                else:
                    self.assertEqual(403, response.status_int,
                                     '%s as %s' % (method, persona_name))
