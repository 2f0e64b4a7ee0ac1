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

"""Tests of the /v1/plans handlers, valet-engine mocked."""

from unittest import mock

from valet.api import errors
from valet import exception
from valet.tests import base as tests_base
from valet.tests.unit.api import base
from valet.tests.unit.api import plan_fakes

MEMBER_A = {'user': 'member-a', 'project': 'project-a',
            'roles': 'member,reader'}
MEMBER_B = {'user': 'member-b', 'project': 'project-b',
            'roles': 'member,reader'}
READER_A = {'user': 'reader-a', 'project': 'project-a', 'roles': 'reader'}
SERVICE = {'user': 'heat', 'project': 'service', 'roles': 'service'}
NO_PROJECT = {'user': 'member-x', 'project': '', 'roles': 'member,reader'}

V = 'OpenStack-API-Version'
PLAN_KEYS = ['id', 'name', 'placements', 'project_id', 'stack_id']


def _post_body(**fields):
    body = {'plan_name': 'web-stack',
            'stack_id': '3d1f6a8e-2b4c-4e9a-8f7d-5c6b1a2e9d40',
            'resources': plan_fakes.resources('web1', 'web2')}
    body.update(fields)
    return body


class PlanTestCase(base.APITestCase):

    def setUp(self):
        super().setUp()
        self.engine = self.engine_api.return_value

    def store(self, project_id='project-a', **kwargs):
        servers = kwargs.pop('servers', {'web1': 'h-r1-1', 'web2': 'h-r2-1'})
        return plan_fakes.store_plan(self.conf, project_id, servers,
                                     **kwargs)


class CreatePlanTest(PlanTestCase):

    def test_created(self):
        placements = {'o-1': {'name': 'web1', 'location': 'h-r1-1',
                              'rack': 'r1'}}
        plan = plan_fakes.engine_plan(placements=placements)
        self.engine.create_plan.return_value = plan
        body = _post_body(locations=['h-r1-1', 'h-r1-2'])
        response = self.request('POST', '/v1/plans', body=body,
                                persona=MEMBER_A)
        self.assertEqual(201, response.status_int, response.body)
        self.assertEqual({'plan': plan}, response.json)
        self.assertEqual('http://localhost/v1/plans/%s' % plan['id'],
                         response.location)
        self.engine.create_plan.assert_called_once_with(
            mock.ANY, 'web-stack', body['stack_id'], body['resources'],
            locations=['h-r1-1', 'h-r1-2'], timeout=60)
        ctx = self.engine.create_plan.call_args[0][0]
        self.assertEqual('project-a', ctx.project_id)
        self.engine_api.assert_called_with(self.conf)

    def test_project_id_at_1_1_plans_for_that_project(self):
        self.engine.create_plan.return_value = plan_fakes.engine_plan()
        response = self.request(
            'POST', '/v1/plans', body=_post_body(project_id='project-a'),
            persona=SERVICE, headers={V: 'valet 1.1'})
        self.assertEqual(201, response.status_int, response.body)
        self.assertEqual('valet 1.1', response.headers[V])
        ctx = self.engine.create_plan.call_args[0][0]
        self.assertEqual('project-a', ctx.project_id)
        self.assertEqual('heat', ctx.user_id)

    def test_project_id_of_own_project_for_a_member(self):
        self.engine.create_plan.return_value = plan_fakes.engine_plan()
        response = self.request(
            'POST', '/v1/plans', body=_post_body(project_id='project-a'),
            persona=MEMBER_A, headers={V: 'valet 1.1'})
        self.assertEqual(201, response.status_int, response.body)
        ctx = self.engine.create_plan.call_args[0][0]
        self.assertEqual('project-a', ctx.project_id)

    def test_project_id_of_another_project_refused_to_a_member(self):
        response = self.request(
            'POST', '/v1/plans', body=_post_body(project_id='project-b'),
            persona=MEMBER_A, headers={V: 'valet 1.1'})
        self.assertError(response, 403, 'valet.policy.not_authorized')
        self.engine.create_plan.assert_not_called()

    def test_project_id_needs_1_1(self):
        response = self.request(
            'POST', '/v1/plans', body=_post_body(project_id='project-a'),
            persona=SERVICE)
        detail = self.assertError(response, 400, 'valet.invalid')['detail']
        self.assertIn('project_id', detail)
        self.engine.create_plan.assert_not_called()

    def test_project_id_is_checked(self):
        response = self.request(
            'POST', '/v1/plans', body=_post_body(project_id='a b'),
            persona=SERVICE, headers={V: 'valet 1.1'})
        detail = self.assertError(response, 400, 'valet.invalid')['detail']
        self.assertIn('project_id', detail)

    def test_engine_timeout_is_the_api_option(self):
        self.flags(group='api', engine_timeout=7)
        self.engine.create_plan.return_value = plan_fakes.engine_plan()
        self.request('POST', '/v1/plans', body=_post_body())
        self.assertEqual(
            7, self.engine.create_plan.call_args[1]['timeout'])
        self.assertIsNone(
            self.engine.create_plan.call_args[1]['locations'])

    def test_engine_extra_keys_are_not_answered(self):
        self.engine.create_plan.return_value = plan_fakes.engine_plan(
            internal='x', placements={'o-1': {
                'name': 'web1', 'location': 'h-r1-1', 'rack': 'r1',
                'flavor': 'm1.small'}})
        response = self.request('POST', '/v1/plans', body=_post_body())
        self.assertEqual(PLAN_KEYS, sorted(response.json['plan']))
        self.assertEqual(['location', 'name', 'rack'],
                         sorted(response.json['plan']['placements']['o-1']))

    def test_no_servers_is_an_empty_plan(self):
        self.engine.create_plan.return_value = plan_fakes.engine_plan()
        response = self.request('POST', '/v1/plans',
                                body=_post_body(resources={}))
        self.assertEqual(201, response.status_int)
        self.assertEqual({}, response.json['plan']['placements'])

    def test_other_resource_types_are_accepted(self):
        self.engine.create_plan.return_value = plan_fakes.engine_plan()
        resources = {'net-1': {'type': 'OS::Neutron::Net',
                               'properties': {'name': 'n'}}}
        response = self.request('POST', '/v1/plans',
                                body=_post_body(resources=resources))
        self.assertEqual(201, response.status_int, response.body)

    def test_engine_errors(self):
        for error, status, code in (
                (exception.Invalid('group web-aff: bad level'), 400,
                 'valet.invalid'),
                (exception.GroupNotFound(group='db-excl'), 404,
                 'valet.group.not_found'),
                (exception.NotGroupMember(project='project-a',
                                          group='db-excl'), 403,
                 'valet.group.not_member'),
                (exception.PlanExists(stack_id='s'), 409,
                 'valet.plan.duplicate_stack'),
                (exception.ServerAlreadyPlanned(orchestration_id='o'), 409,
                 'valet.plan.duplicate_server'),
                (exception.NoPlacement(
                    reason="diversity 'web-div' (rack): 3 hosts excluded"),
                 409, 'valet.plan.no_placement'),
                (exception.ServiceUnavailable(reason='no engine'), 503,
                 'valet.service_unavailable')):
            self.engine.create_plan.side_effect = error
            response = self.request('POST', '/v1/plans', body=_post_body())
            detail = self.assertError(response, status, code)['detail']
            self.assertEqual(error.message, detail)

    def test_bad_bodies(self):
        too_many = {'o-%d' % i: {'type': 'OS::Nova::Server'}
                    for i in range(10001)}
        for body, field in (
                (_post_body(plan_name=''), 'plan_name'),
                (_post_body(plan_name='x' * 256), 'plan_name'),
                (_post_body(plan_name='a\nb'), 'plan_name'),
                (_post_body(stack_id='a/b'), 'stack_id'),
                (_post_body(resources=[]), 'resources'),
                (_post_body(resources={'o-1': 'server'}), 'resources/o-1'),
                (_post_body(resources={'o-1': {'name': 'x'}}), 'type'),
                (_post_body(resources={'o-1': {'type': 7}}),
                 'resources/o-1/type'),
                (_post_body(resources={'o-1': {'type': 'x', 'extra': 1}}),
                 'extra'),
                (_post_body(resources={'o-1': {'type': 'x',
                                               'properties': []}}),
                 'resources/o-1/properties'),
                (_post_body(resources={'a b': {'type': 'x'}}), 'resources'),
                (_post_body(resources=too_many), 'resources'),
                (_post_body(locations=[]), 'locations'),
                (_post_body(locations=['h1', 'h1']), 'locations'),
                (_post_body(locations=['h 1']), 'locations/0'),
                (_post_body(locations='h1'), 'locations'),
                (_post_body(extra=True), 'extra'),
                ({'plan_name': 'x', 'stack_id': 's'}, 'resources')):
            response = self.request('POST', '/v1/plans', body=body)
            detail = self.assertError(response, 400, 'valet.invalid')[
                'detail']
            self.assertIn(field, detail)
        self.assertFalse(self.engine.create_plan.called)

    def test_ten_thousand_resources_pass_the_schema(self):
        self.engine.create_plan.return_value = plan_fakes.engine_plan()
        resources = {'o-%d' % i: {'type': 'OS::Nova::Server'}
                     for i in range(10000)}
        self.flags(group='oslo_middleware',
                   max_request_body_size=4 * 1024 * 1024)
        response = self.request('POST', '/v1/plans',
                                body=_post_body(resources=resources))
        self.assertEqual(201, response.status_int, response.body)

    def test_query_is_refused(self):
        response = self.request('POST', '/v1/plans?x=1', body=_post_body())
        self.assertError(response, 400, 'valet.invalid')

    def test_token_without_project_is_refused(self):
        response = self.request('POST', '/v1/plans', body=_post_body(),
                                persona=NO_PROJECT)
        self.assertError(response, 403, 'valet.project_scope_required')
        self.assertFalse(self.engine.create_plan.called)


class ReadPlanTest(PlanTestCase):

    def test_list_own_project(self):
        mine = self.store(name='mine')
        self.store(project_id='project-b', name='theirs')
        response = self.request('GET', '/v1/plans', persona=MEMBER_A)
        self.assertEqual(200, response.status_int)
        plans = response.json['plans']
        self.assertEqual([mine['id']], [plan['id'] for plan in plans])
        self.assertEqual(PLAN_KEYS, sorted(plans[0]))
        self.assertEqual({'name': 'web1', 'location': 'h-r1-1',
                          'rack': 'r1'},
                         [p for p in plans[0]['placements'].values()
                          if p['name'] == 'web1'][0])

    def test_list_all_projects(self):
        self.store(name='mine')
        self.store(project_id='project-b', name='theirs')
        for persona in (base.ADMIN, SERVICE):
            response = self.request('GET', '/v1/plans', persona=persona)
            self.assertEqual(['mine', 'theirs'],
                             [plan['name'] for plan in
                              response.json['plans']])

    def test_list_filters(self):
        self.store(name='one', stack_id='stack-1')
        self.store(name='two', stack_id='stack-2')
        for query, names in (('name=two', ['two']),
                             ('stack_id=stack-1', ['one']),
                             ('name=one&stack_id=stack-2', [])):
            response = self.request('GET', '/v1/plans?' + query)
            self.assertEqual(names, [plan['name'] for plan in
                                     response.json['plans']], query)

    def test_list_bad_query(self):
        for query in ('project_id=x', 'name=', 'stack_id=a%20b',
                      'name=a&name=b'):
            response = self.request('GET', '/v1/plans?' + query)
            self.assertError(response, 400, 'valet.invalid')

    def test_list_without_project_is_refused(self):
        self.store()
        response = self.request('GET', '/v1/plans', persona=NO_PROJECT)
        self.assertError(response, 403, 'valet.project_scope_required')

    def test_show_by_id_and_stack_id(self):
        plan = self.store(stack_id='stack-7')
        for key in (plan['id'], 'stack-7'):
            response = self.request('GET', '/v1/plans/%s' % key,
                                    persona=MEMBER_A)
            self.assertEqual(200, response.status_int)
            self.assertEqual(plan, response.json['plan'])

    def test_show_missing(self):
        response = self.request('GET', '/v1/plans/nothing')
        error = self.assertError(response, 404, 'valet.plan.not_found')
        self.assertIn("'nothing'", error['detail'])

    def test_other_projects_plan_is_not_found(self):
        plan = self.store(project_id='project-b')
        for method in ('GET', 'DELETE'):
            response = self.request(method, '/v1/plans/%s' % plan['id'],
                                    persona=MEMBER_A)
            self.assertError(response, 404, 'valet.plan.not_found')
        response = self.request(
            'PUT', '/v1/plans/%s' % plan['id'], persona=MEMBER_A,
            body={'action': 'update', 'resources': {}})
        self.assertError(response, 404, 'valet.plan.not_found')
        self.assertFalse(self.engine.release_plan.called)
        self.assertFalse(self.engine.update_plan.called)


class ChangePlanTest(PlanTestCase):

    def test_update(self):
        plan = self.store(stack_id='stack-u')
        new = plan_fakes.resources('web1', 'web2', 'web3')
        answer = plan_fakes.engine_plan(id=plan['id'], name='stack')
        self.engine.update_plan.return_value = answer
        response = self.request(
            'PUT', '/v1/plans/stack-u', persona=MEMBER_A,
            body={'action': 'update', 'resources': new,
                  'original_resources': {'o-1': {'type': 'x'}}})
        self.assertEqual(200, response.status_int, response.body)
        self.assertEqual({'plan': answer}, response.json)
        self.engine.update_plan.assert_called_once_with(
            mock.ANY, plan['id'], new, timeout=60)

    def test_migrate(self):
        plan = self.store()
        answer = plan_fakes.engine_plan(id=plan['id'], moved=['o-1', 'o-2'])
        self.engine.migrate_server.return_value = answer
        response = self.request(
            'PUT', '/v1/plans/%s' % plan['id'], persona=SERVICE,
            body={'action': 'migrate', 'resources': ['server-uuid'],
                  'excluded_hosts': ['h-r1-1']})
        self.assertEqual(200, response.status_int, response.body)
        self.assertEqual(['o-1', 'o-2'], response.json['plan']['moved'])
        self.assertEqual(sorted(PLAN_KEYS + ['moved']),
                         sorted(response.json['plan']))
        self.engine.migrate_server.assert_called_once_with(
            mock.ANY, plan['id'], 'server-uuid',
            excluded_hosts=['h-r1-1'], timeout=60)

    def test_migrate_without_excluded_hosts(self):
        plan = self.store()
        self.engine.migrate_server.return_value = plan_fakes.engine_plan(
            moved=['o-1'])
        self.request('PUT', '/v1/plans/%s' % plan['id'],
                     body={'action': 'migrate', 'resources': ['s']})
        self.assertEqual(
            [], self.engine.migrate_server.call_args[1]['excluded_hosts'])

    def test_migrate_errors_are_mapped(self):
        plan = self.store()
        self.engine.migrate_server.side_effect = exception.NoPlacement(
            reason='every host excluded')
        response = self.request(
            'PUT', '/v1/plans/%s' % plan['id'],
            body={'action': 'migrate', 'resources': ['s']})
        error = self.assertError(response, 409, 'valet.plan.no_placement')
        self.assertIn('every host excluded', error['detail'])

    def test_bad_bodies(self):
        plan = self.store()
        for body, field in (
                ([], 'Invalid input'),
                ({}, 'action'),
                ({'action': 'rebuild'}, 'action'),
                ({'action': 'update'}, 'resources'),
                ({'action': 'update', 'resources': {},
                  'original_resources': []}, 'original_resources'),
                ({'action': 'update', 'resources': {},
                  'excluded_hosts': []}, 'excluded_hosts'),
                ({'action': 'migrate', 'resources': []}, 'resources'),
                ({'action': 'migrate', 'resources': ['a', 'b']},
                 'resources'),
                ({'action': 'migrate', 'resources': {}}, 'resources'),
                ({'action': 'migrate', 'resources': ['s'],
                  'excluded_hosts': ['h', 'h']}, 'excluded_hosts'),
                ({'action': 'migrate', 'resources': ['s'],
                  'original_resources': {}}, 'original_resources')):
            response = self.request('PUT', '/v1/plans/%s' % plan['id'],
                                    body=body)
            detail = self.assertError(response, 400)['detail']
            self.assertIn(field, detail, body)
        self.assertFalse(self.engine.update_plan.called)
        self.assertFalse(self.engine.migrate_server.called)

    def test_bad_body_of_a_missing_plan_is_400(self):
        # Validation comes before the lookup, as for every handler.
        response = self.request('PUT', '/v1/plans/nothing',
                                body={'action': 'x'})
        self.assertError(response, 400, 'valet.invalid')

    def test_delete(self):
        plan = self.store(stack_id='stack-d')
        response = self.request('DELETE', '/v1/plans/stack-d',
                                persona=MEMBER_A)
        self.assertEqual(204, response.status_int, response.body)
        self.engine.release_plan.assert_called_once_with(
            mock.ANY, plan['id'], timeout=60)

    def test_delete_engine_down(self):
        plan = self.store()
        self.engine.release_plan.side_effect = exception.ServiceUnavailable(
            reason='no valet-engine answered release_plan')
        response = self.request('DELETE', '/v1/plans/%s' % plan['id'])
        self.assertError(response, 503, 'valet.service_unavailable')

    def test_reader_alone_is_refused(self):
        plan = self.store()
        path = '/v1/plans/%s' % plan['id']
        # plans:show is a member's rule: a reader alone is refused.
        self.assertError(self.request('GET', path, persona=READER_A), 403,
                         'valet.policy.not_authorized')
        self.assertError(self.request('DELETE', path, persona=READER_A),
                         403, 'valet.policy.not_authorized')


class EngineErrorMapTest(tests_base.TestCase):
    """Each domain error valet-engine raises has its HTTP status."""

    def test_map(self):
        for error, status in (
                (exception.Invalid(), 400),
                (exception.GroupNotFound(group='g'), 404),
                (exception.NotGroupMember(project='p', group='g'), 403),
                (exception.PolicyNotAuthorized(action='a'), 403),
                (exception.PlanNotFound(plan='p'), 404),
                (exception.PlacementNotFound(placement='p'), 404),
                (exception.PlanExists(stack_id='s'), 409),
                (exception.ServerAlreadyPlanned(orchestration_id='o'), 409),
                (exception.NoPlacement(reason='r'), 409),
                (exception.PlacementReserved(placement='p',
                                             resource_id='r'), 409),
                (exception.GenerationConflict(kind='Host', name='h'), 409),
                (exception.ServiceUnavailable(reason='r'), 503)):
            http_error = errors.from_exception(error)
            self.assertEqual(status, http_error.status, error)
            self.assertEqual(error.error_code, http_error.code)
            self.assertEqual(error.message, http_error.detail)
