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

"""Plans through the real engine, and what the API answers when a
backend is gone: no engine, no database, no message bus.

Each failure must be a 503 with an API-WG body, in bounded time, with
nothing stored. (The bounds asserted are generous ceilings against a
wait without end, not timings.)
"""

import os

import fixtures
from oslo_serialization import jsonutils
import sqlalchemy as sa
import webob

from valet.api import deploy
from valet.common import messaging
from valet.db import api as db_api
from valet.db import models
from valet import policy
from valet.tests import base
from valet.tests.fixtures import database
from valet.tests.fixtures import engine as engine_fixture
from valet.tests.fixtures import liveness

MEMBER = {'X-User-Id': 'u1', 'X-Project-Id': 'p1',
          'X-Roles': 'member,reader'}
SERVICE = {'X-User-Id': 'nova', 'X-Project-Id': 'service',
           'X-Roles': 'service'}


def resources(stack_id, names=('web1', 'web2', 'web3')):
    found = {}
    for name in names:
        found['%s-%s' % (stack_id, name)] = {
            'name': name, 'type': 'OS::Nova::Server',
            'properties': {'flavor': 'm1.small', 'image': 'cirros'},
            'metadata': {'heat_root_stack_id': stack_id,
                         'heat_resource_name': name}}
    found['%s-tier' % stack_id] = {
        'name': 'tier', 'type': 'ATT::Valet::GroupAssignment',
        'properties': {'group_type': 'diversity', 'level': 'host',
                       'resources': list(names)}}
    return found


class _APITest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.flags(group='api', auth_strategy='noauth')
        self.flags(group='oslo_messaging_notifications', driver=['noop'])
        self.addCleanup(policy.reset, self.conf)

    def file_database(self):
        path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                            'valet.sqlite')
        return self.useFixture(database.Database('sqlite:///' + path))

    def request(self, method, path, body=None, headers=MEMBER):
        req = webob.Request.blank(path, method=method)
        req.headers.update(headers)
        if body is not None:
            req.body = jsonutils.dump_as_bytes(body)
            req.content_type = 'application/json'
        app = deploy.loadapp(self.conf)
        response, _seconds = liveness.answer(
            self, lambda: req.get_response(app), '%s %s' % (method, path))
        return response

    def assertUnavailable(self, response, words):
        self.assertEqual(503, response.status_int, response.body)
        error = response.json['errors'][0]
        self.assertEqual('valet.service_unavailable', error['code'])
        self.assertIn(words, error['detail'])

    def count(self, db, model):
        with db.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(
                model.__table__)).scalar()


class PlanLifeTest(_APITest):
    """A plan's whole life through the API and a real in-process engine."""

    def setUp(self):
        super().setUp()
        self.db = self.file_database()
        self.useFixture(engine_fixture.InProcessEngine(self.conf))

    def test_create_find_reserve_delete(self):
        response = self.request('POST', '/v1/plans', {
            'plan_name': 'web', 'stack_id': 'st-1',
            'resources': resources('st-1')})
        self.assertEqual(201, response.status_int, response.body)
        plan = response.json['plan']
        self.assertEqual(3, len(plan['placements']))
        self.assertEqual(3, len({p['location']
                                 for p in plan['placements'].values()}))

        found = self.request(
            'GET', '/v1/placements?heat_root_stack_id=st-1&'
            'heat_resource_name=web2', headers=SERVICE).json['placements']
        self.assertEqual(['st-1-web2'],
                         [p['orchestration_id'] for p in found])
        placement = found[0]
        response = self.request(
            'POST', '/v1/placements/%s' % placement['id'],
            {'action': 'reserve', 'resource_id': 'nova-uuid-2',
             'locations': [placement['location'], 'r04-h01']},
            headers=SERVICE)
        self.assertEqual(200, response.status_int, response.body)
        reserved = response.json['placement']
        self.assertEqual((True, 'reserved', 'nova-uuid-2',
                          placement['location']),
                         (reserved['reserved'], reserved['state'],
                          reserved['resource_id'], reserved['location']))

        # Nova's candidates exclude the planned host: the engine re-plans
        # within them, keeping the tier's diversity.
        other = self.request('GET', '/v1/placements/st-1-web3',
                             headers=SERVICE).json['placement']
        taken = {p['location'] for p in plan['placements'].values()}
        response = self.request(
            'POST', '/v1/placements/%s' % other['id'],
            {'action': 'reserve', 'resource_id': 'nova-uuid-3',
             'locations': ['r04-h02', 'r04-h03']}, headers=SERVICE)
        self.assertEqual(200, response.status_int, response.body)
        moved = response.json['placement']
        self.assertIn(moved['location'], ['r04-h02', 'r04-h03'])
        self.assertNotIn(moved['location'], taken)
        self.assertTrue(moved['reserved'])

        response = self.request('DELETE', '/v1/plans/st-1')
        self.assertEqual(204, response.status_int, response.body)
        self.assertEqual(0, self.count(self.db, models.Placement))
        with self.db.engine.connect() as conn:
            used = conn.execute(sa.select(sa.func.sum(
                models.Host.vcpus))).scalar()
        self.assertEqual(0, used)

    def test_no_room_is_409_naming_the_rule(self):
        response = self.request('POST', '/v1/plans', {
            'plan_name': 'big', 'stack_id': 'st-big',
            'resources': resources('st-big', ['w%d' % i
                                              for i in range(30)])})
        self.assertEqual(409, response.status_int, response.body)
        error = response.json['errors'][0]
        self.assertEqual('valet.plan.no_placement', error['code'])
        self.assertIn('diversity', error['detail'])
        self.assertEqual(0, self.count(self.db, models.Plan))

    def test_second_plan_of_a_stack_is_409(self):
        body = {'plan_name': 'web', 'stack_id': 'st-1',
                'resources': resources('st-1')}
        self.assertEqual(201, self.request('POST', '/v1/plans',
                                           body).status_int)
        response = self.request('POST', '/v1/plans', dict(
            body, resources=resources('st-1b')))
        self.assertEqual(409, response.status_int)
        self.assertEqual('valet.plan.duplicate_stack',
                         response.json['errors'][0]['code'])
        self.assertEqual(1, self.count(self.db, models.Plan))
        self.assertEqual(3, self.count(self.db, models.Placement))


class BackendDownTest(_APITest):

    def test_no_engine_is_503_and_nothing_is_stored(self):
        # The fake bus keeps its queues process-wide until its transport
        # is cleaned up: the call nobody answered must not reach the next
        # test's engine. (Not with RabbitMQ down: the cleanup would wait
        # for a reply connection that retries for ever.)
        self.addCleanup(messaging.cleanup_shared_rpc_transport, self.conf)
        db = self.file_database()
        self.flags(group='api', engine_timeout=1)
        response = self.request('POST', '/v1/plans', {
            'plan_name': 'web', 'stack_id': 'st-1',
            'resources': resources('st-1')})
        self.assertUnavailable(response, 'no valet-engine answered')
        self.assertEqual(0, self.count(db, models.Plan))
        self.assertEqual(0, self.count(db, models.Placement))

    def test_database_down_is_503(self):
        # Nothing listens on port 1: connections are refused at once.
        manager = db_api.new_context_manager(
            'mysql+pymysql://valet:valet@127.0.0.1:1/valet', max_retries=0)
        self.addCleanup(db_api.context_manager.patch_factory(manager))
        self.useFixture(engine_fixture.InProcessEngine(self.conf))
        response = self.request('POST', '/v1/plans', {
            'plan_name': 'web', 'stack_id': 'st-1',
            'resources': resources('st-1')})
        self.assertUnavailable(response, 'database')
        self.assertUnavailable(self.request('GET', '/v1/plans'),
                               'database')
        self.assertUnavailable(self.request(
            'GET', '/v1/placements?heat_root_stack_id=st-1',
            headers=SERVICE), 'database')

    def test_bus_down_is_503_and_nothing_is_stored(self):
        db = self.file_database()
        self.flags(transport_url='rabbit://guest:guest@127.0.0.1:1/')
        self.flags(group='engine_rpc', retry=0)
        self.flags(group='api', engine_timeout=2)
        response = self.request('POST', '/v1/plans', {
            'plan_name': 'web', 'stack_id': 'st-1',
            'resources': resources('st-1')})
        self.assertEqual(503, response.status_int, response.body)
        self.assertEqual('valet.service_unavailable',
                         response.json['errors'][0]['code'])
        self.assertEqual(0, self.count(db, models.Plan))
