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

"""Tests of the policy defaults and their enforcement."""

import os

import fixtures
from oslo_policy import policy as oslo_policy

from valet.api import handler
from valet import context
from valet import exception
from valet import policies
from valet.policies import groups as group_policies
from valet.policies import placements as placement_policies
from valet.policies import plans as plan_policies
from valet import policy
from valet.tests import base


class PolicyDefaultsTest(base.TestCase):

    def test_rule_names_are_unique(self):
        names = [rule.name for rule in policies.list_rules()]
        self.assertEqual(len(names), len(set(names)))

    def test_operation_rules_are_documented(self):
        for rule in policies.list_rules():
            if rule.name.startswith('valet:'):
                self.assertIsInstance(rule, oslo_policy.DocumentedRuleDefault)
                self.assertTrue(rule.operations, rule.name)

    def test_every_route_operation_is_documented(self):
        documented = set()
        for rule in policies.list_rules():
            for operation in getattr(rule, 'operations', []):
                documented.add((operation['method'],
                                operation['path'].replace('{group}', '{x}')
                                .replace('{project}', '{y}')))
        for path, methods in handler.ROUTES.items():
            if not path.startswith('/v1/') or path == '/v1/':
                continue
            normal = path.replace('{group}', '{x}').replace('{project}',
                                                            '{y}')
            for method in methods:
                self.assertIn((method, normal), documented)

    def test_get_enforcer_for_the_cli_tools(self):
        enforcer = policy.get_enforcer()
        self.assertIn(group_policies.CREATE, enforcer.registered_rules)


class AuthorizeTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.addCleanup(policy.reset, self.conf)

    def _ctx(self, roles, project='project-a'):
        return context.RequestContext(user_id='u', project_id=project,
                                      roles=roles, config=self.conf)

    def test_admin_may_create(self):
        self.assertTrue(self._ctx(['admin']).can(group_policies.CREATE))

    def test_reader_may_not_create(self):
        ctx = self._ctx(['reader'])
        self.assertRaises(exception.PolicyNotAuthorized, ctx.can,
                          group_policies.CREATE)
        self.assertFalse(ctx.can(group_policies.CREATE, fatal=False))

    def test_reader_of_any_project_may_list(self):
        self.assertTrue(self._ctx(['reader'], 'p9').can(group_policies.LIST))

    def test_system_scope_is_refused(self):
        ctx = context.RequestContext(user_id='u', system_scope='all',
                                     roles=['admin'], config=self.conf)
        self.assertRaises(exception.PolicyNotAuthorized, ctx.can,
                          group_policies.CREATE)

    def test_policy_file_overrides_a_default(self):
        path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                            'policy.yaml')
        with open(path, 'w') as policy_file:
            policy_file.write('"valet:groups:create": "role:reader"\n')
        self.flags(group='oslo_policy', policy_file=path)
        self.assertTrue(self._ctx(['reader']).can(group_policies.CREATE))

    def test_each_conf_has_its_own_enforcer(self):
        other = base.TestCase('run')
        other.setUp()
        self.addCleanup(other.doCleanups)
        self.addCleanup(policy.reset, other.conf)
        self.assertIsNot(policy.enforcer_for(self.conf),
                         policy.enforcer_for(other.conf))
        self.assertIs(policy.enforcer_for(self.conf),
                      policy.enforcer_for(self.conf))


# Personas as Keystone flattens their roles into tokens.
PERSONAS = {
    'admin': (['admin', 'member', 'reader'], 'admin-project'),
    'owner_member': (['member', 'reader'], 'project-a'),
    'owner_reader': (['reader'], 'project-a'),
    'other_member': (['member', 'reader'], 'project-b'),
    'service': (['service'], 'service'),
    'no_roles': ([], 'project-a'),
}
OWNER_TARGET = {'project_id': 'project-a'}


class PlansAndPlacementsDefaultsTest(base.TestCase):
    """The api-v1.md defaults for resources owned by a project."""

    def setUp(self):
        super().setUp()
        self.addCleanup(policy.reset, self.conf)

    def _allowed(self, rule):
        allowed = set()
        for name, (roles, project) in PERSONAS.items():
            ctx = context.RequestContext(user_id='u', project_id=project,
                                         roles=roles, config=self.conf)
            if ctx.can(rule, OWNER_TARGET, fatal=False):
                allowed.add(name)
        return allowed

    def test_plans_owner_member_service_admin(self):
        for rule in (plan_policies.CREATE, plan_policies.LIST,
                     plan_policies.SHOW, plan_policies.UPDATE,
                     plan_policies.DELETE):
            self.assertEqual({'admin', 'owner_member', 'service'},
                             self._allowed(rule), rule)

    def test_plans_of_every_project(self):
        self.assertEqual({'admin', 'service'},
                         self._allowed(plan_policies.LIST_ALL))

    def test_placements_read_by_owner_reader(self):
        for rule in (placement_policies.LIST, placement_policies.SHOW):
            self.assertEqual(
                {'admin', 'owner_member', 'owner_reader', 'service'},
                self._allowed(rule), rule)

    def test_placements_reserved_by_service_or_admin(self):
        for rule in (placement_policies.RESERVE, placement_policies.DELETE):
            self.assertEqual({'admin', 'service'}, self._allowed(rule), rule)
