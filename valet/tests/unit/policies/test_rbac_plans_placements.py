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

"""RBAC matrix: every plans and placements endpoint for every persona.

The plan and the placement used belong to ``project-a`` (the project of
the member and reader personas). A persona whose own project may not use
a rule gets 403 before anything is looked up; one that may use the rule
on its own project but not read the other project's plan or placement
gets 404, as for a missing one, so that ids do not leak.
"""

from valet.api import handler
from valet import context
from valet.db import placements as db_placements
from valet.tests.unit.api import base
from valet.tests.unit.api import plan_fakes
from valet.tests.unit.policies import test_rbac_matrix

PERSONAS = test_rbac_matrix.PERSONAS

OK, DENIED, HIDDEN = 'ok', 403, 404

# The owning project's members, every project's own plans, the
# integrations and the operator.
PLAN_OWNER = {'admin': OK, 'member': OK, 'service': OK,
              'other_member': HIDDEN, 'reader': DENIED, 'no_roles': DENIED}
PLAN_ANY_MEMBER = dict(PLAN_OWNER, other_member=OK)
PLACEMENT_READER = {'admin': OK, 'member': OK, 'reader': OK, 'service': OK,
                    'other_member': HIDDEN, 'no_roles': DENIED}
PLACEMENT_ANY_READER = dict(PLACEMENT_READER, other_member=OK)
ADMIN_OR_SERVICE = {'admin': OK, 'service': OK, 'member': DENIED,
                    'reader': DENIED, 'other_member': DENIED,
                    'no_roles': DENIED}

# name: (method, path, body, success status, outcome per persona);
# {plan} and {placement} are filled with fresh ids.
ENDPOINTS = {
    'plans:create': ('POST', '/v1/plans', 'new-plan', 201,
                     PLAN_ANY_MEMBER),
    'plans:list': ('GET', '/v1/plans', None, 200, PLAN_ANY_MEMBER),
    'plans:show': ('GET', '/v1/plans/{plan}', None, 200, PLAN_OWNER),
    'plans:update': ('PUT', '/v1/plans/{plan}',
                     {'action': 'update', 'resources': {}}, 200,
                     PLAN_OWNER),
    'plans:migrate': ('PUT', '/v1/plans/{plan}',
                      {'action': 'migrate', 'resources': ['vm-1']}, 200,
                      PLAN_OWNER),
    'plans:delete': ('DELETE', '/v1/plans/{plan}', None, 204, PLAN_OWNER),
    'placements:list': ('GET', '/v1/placements', None, 200,
                        PLACEMENT_ANY_READER),
    'placements:show': ('GET', '/v1/placements/{placement}', None, 200,
                        PLACEMENT_READER),
    'placements:reserve': ('POST', '/v1/placements/{placement}',
                           {'locations': ['h-r1-1'], 'resource_id': 'vm-1'},
                           200, ADMIN_OR_SERVICE),
    'placements:delete': ('DELETE', '/v1/placements/{placement}', None, 204,
                          ADMIN_OR_SERVICE),
}


class PlansPlacementsRBACTest(base.APITestCase):

    def setUp(self):
        super().setUp()
        self.ctx = context.RequestContext(config=self.conf)
        engine = self.engine_api.return_value
        engine.create_plan.return_value = plan_fakes.engine_plan()
        engine.update_plan.return_value = plan_fakes.engine_plan()
        engine.migrate_server.return_value = plan_fakes.engine_plan(
            moved=['o-1'])

    def _fresh_ids(self):
        plan = plan_fakes.store_plan(self.conf, 'project-a',
                                     {'web1': 'h-r1-1'})
        [placement] = db_placements.list_placements(
            self.ctx, {'plan_id': plan['id']})
        return {'plan': plan['id'], 'placement': placement['id']}

    def _check(self, endpoint, persona_name):
        method, path, body, success, outcomes = ENDPOINTS[endpoint]
        path = path.format(**self._fresh_ids())
        if body == 'new-plan':
            body = {'plan_name': 'p', 'stack_id': 's-%s' % persona_name,
                    'resources': {}}
        response = self.request(method, path, body=body,
                                persona=PERSONAS[persona_name])
        outcome = outcomes[persona_name]
        expected = success if outcome == OK else outcome
        where = '%s as %s: %s' % (endpoint, persona_name, response.body)
        self.assertEqual(expected, response.status_int, where)
        if outcome == DENIED:
            self.assertError(response, 403, 'valet.policy.not_authorized')
        elif outcome == HIDDEN:
            error = self.assertError(response, 404)
            self.assertIn(error['code'], ('valet.plan.not_found',
                                          'valet.placement.not_found'))

    def test_matrix(self):
        for endpoint in ENDPOINTS:
            for persona_name in PERSONAS:
                self._check(endpoint, persona_name)

    def test_every_new_route_is_in_the_matrix(self):
        covered = {(method, path.replace('{plan}', '{plan_or_stack_id}')
                    .replace('{placement}',
                             '{placement_or_orchestration_id}'))
                   for method, path, _b, _s, _o in ENDPOINTS.values()}
        for path, methods in handler.ROUTES.items():
            if path.startswith(('/v1/plans', '/v1/placements')):
                for method in methods:
                    self.assertIn((method, path), covered)

    def test_every_persona_has_an_outcome(self):
        for endpoint, (_m, _p, _b, _s, outcomes) in ENDPOINTS.items():
            self.assertEqual(set(PERSONAS), set(outcomes), endpoint)
