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

"""valet-engine's requests on a real (SQLite) database, without the bus."""


import fixtures
import sqlalchemy as sa

from valet import context
from valet.db import groups as db_groups
from valet.db import hosts as db_hosts
from valet.db import models
from valet.db import placements as db_placements
from valet.db import plans as db_plans
from valet.engine import manager as manager_mod
from valet import exception
from valet.optimizer import plugins
from valet.tests import base
from valet.tests.fixtures import database
from valet.tests.fixtures import engine as engine_fixture


def server(name, flavor='m1.small', groups=None, **hints):
    props = {'flavor': flavor, 'image': 'cirros'}
    if groups:
        props['metadata'] = {'valet': {'groups': groups}}
    metadata = {'heat_root_stack_id': 'stack-1',
                'heat_resource_name': name}
    metadata.update(hints)
    return {'name': name, 'type': 'OS::Nova::Server',
            'properties': props, 'metadata': metadata}


def assignment(name, group_type, level, members, group_name=None):
    props = {'group_type': group_type, 'level': level,
             'resources': members}
    if group_name:
        props['group_name'] = group_name
    return {'name': name, 'type': 'ATT::Valet::GroupAssignment',
            'properties': props}


def web_stack(n=3):
    resources = {'uuid-web%d' % i: server('web%d' % i)
                 for i in range(1, n + 1)}
    resources['uuid-tier'] = assignment(
        'tier', 'diversity', 'host', ['web%d' % i for i in range(1, n + 1)])
    return resources


class ManagerTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.db = self.useFixture(database.Database())
        self.flags(topology_file=engine_fixture.SAMPLE_TOPOLOGY,
                   group='engine')
        self.ctx = context.RequestContext(user_id='u1', project_id='p1',
                                          config=self.conf)
        self.manager = manager_mod.EngineManager(
            self.conf, plugins.load_topology(self.conf))
        self.manager.load(self.ctx)

    def assertUsageMatchesPlacements(self):
        """Every host row sums exactly the live placements on it."""
        expected = {}
        with self.db.engine.connect() as conn:
            for row in conn.execute(sa.select(models.Placement.__table__)):
                if row.state in db_hosts.LIVE_STATES:
                    db_hosts.add_demand(expected, row.location,
                                        db_hosts.demand_of(row._mapping))
        usage = db_hosts.usage(self.ctx)
        for host, row in usage.items():
            self.assertEqual(expected.get(host, (0, 0, 0)),
                             db_hosts.demand_of(row), host)

    def hosts_of(self, plan):
        return {p['name']: p['location']
                for p in plan['placements'].values()}


class CreateTest(ManagerTestCase):

    def test_plan_is_stored_with_placements_and_usage(self):
        plan = self.manager.create_plan(self.ctx, 'web', 'stack-1',
                                        web_stack())
        self.assertEqual(('web', 'stack-1', 'p1'),
                         (plan['name'], plan['stack_id'],
                          plan['project_id']))
        self.assertEqual({'uuid-web1', 'uuid-web2', 'uuid-web3'},
                         set(plan['placements']))
        hosts = self.hosts_of(plan)
        self.assertEqual(3, len(set(hosts.values())), hosts)
        self.assertEqual(plan, db_plans.get_plan(self.ctx, 'stack-1'))
        self.assertUsageMatchesPlacements()
        found = db_placements.list_placements(
            self.ctx, {'heat_resource_name': 'web2'})
        self.assertEqual(['uuid-web2'],
                         [p['orchestration_id'] for p in found])
        self.assertEqual('planned', found[0]['state'])

    def test_second_plan_respects_the_first(self):
        first = self.manager.create_plan(self.ctx, 'a', 's-a', {
            'uuid-a': server('a', 'm1.xlarge')})
        host = first['placements']['uuid-a']['location']
        # Fill the sample data center and check no host is over capacity.
        for i in range(6):
            self.manager.create_plan(self.ctx, 'b%d' % i, 's-b%d' % i, {
                'uuid-b%d' % i: server('b%d' % i, 'm1.xlarge')})
        self.assertUsageMatchesPlacements()
        dc = self.manager.cache.view(self.ctx).datacenter
        self.assertTrue((dc.free >= -1e-9).all())
        self.assertIn(host, dc.host_names)

    def test_duplicate_stack_is_refused_and_nothing_changes(self):
        self.manager.create_plan(self.ctx, 'web', 'stack-1', web_stack())
        before = db_hosts.usage(self.ctx)
        self.assertRaises(exception.PlanExists, self.manager.create_plan,
                          self.ctx, 'web', 'stack-1', {
                              'uuid-x': server('x')})
        self.assertEqual(before, db_hosts.usage(self.ctx))

    def test_no_placement_names_the_rule(self):
        resources = web_stack(40)
        error = self.assertRaises(exception.NoPlacement,
                                  self.manager.create_plan, self.ctx,
                                  'big', 'stack-big', resources)
        self.assertIn('diversity', error.message)
        self.assertEqual([], db_plans.list_plans(self.ctx))
        self.assertUsageMatchesPlacements()

    def test_bad_stack_is_invalid(self):
        error = self.assertRaises(
            exception.Invalid, self.manager.create_plan, self.ctx, 'x',
            'stack-x', {'uuid-x': server('x', 'm1.nope')})
        self.assertIn('m1.nope', error.message)

    def test_conflict_is_planned_again(self):
        real = db_plans.create_plan
        calls = []

        def first_conflicts(ctx, plan, placements, guard):
            calls.append(guard)
            if len(calls) == 1:
                # Another engine claims a host the plan relies on.
                host = sorted(guard['hosts'])[0]
                db_hosts.adjust(context.RequestContext(config=self.conf),
                                {host: (1, 0, 0)})
                raise exception.GenerationConflict(kind='Host', name=host)
            return real(ctx, plan, placements, guard)

        self.useFixture(fixtures.MockPatchObject(
            db_plans, 'create_plan', first_conflicts))
        plan = self.manager.create_plan(self.ctx, 'web', 'stack-1',
                                        web_stack())
        self.assertEqual(2, len(calls))
        self.assertEqual(3, len(plan['placements']))

    def test_stale_generation_is_a_conflict(self):
        view = self.manager.cache.view(self.ctx)
        host = view.datacenter.host_names[0]
        db_hosts.adjust(self.ctx, {host: (1, 0, 0)})
        plan = {'id': 'p-x', 'name': 'x', 'stack_id': 's-x',
                'project_id': 'p1', 'resources': {}, 'locations': None}
        self.assertRaises(
            exception.GenerationConflict, db_plans.create_plan, self.ctx,
            plan, [], {'hosts': {host: view.generations[host]},
                       'groups': {}})
        self.assertEqual([], db_plans.list_plans(self.ctx))

    def test_retries_exhausted_is_service_unavailable(self):
        self.flags(commit_retries=1, group='engine')

        def conflict(*args, **kwargs):
            raise exception.GenerationConflict(kind='Host', name='h')

        self.useFixture(fixtures.MockPatchObject(
            db_plans, 'create_plan', conflict))
        error = self.assertRaises(exception.ServiceUnavailable,
                                  self.manager.create_plan, self.ctx, 'web',
                                  'stack-1', web_stack())
        self.assertIn('2 attempts', error.message)


class NamedGroupTest(ManagerTestCase):

    def test_join_by_name_and_by_id_records_members(self):
        group = db_groups.create_group(self.ctx, 'spread', 'diversity',
                                       'host')
        self.manager.create_plan(self.ctx, 'a', 's-a', {
            'uuid-a': server('a', groups=['spread'])})
        plan = self.manager.create_plan(self.ctx, 'b', 's-b', {
            'uuid-b': server('b', groups=[group['id']])})
        members = db_groups.group_servers(self.ctx, 'spread')
        self.assertEqual(['uuid-a', 'uuid-b'],
                         sorted(m['orchestration_id'] for m in members))
        hosts = {m['host'] for m in members}
        self.assertEqual(2, len(hosts))
        self.assertEqual(plan['placements']['uuid-b']['location'],
                         [m['host'] for m in members
                          if m['orchestration_id'] == 'uuid-b'][0])
        self.assertNotEqual(0, db_groups.group_index(self.ctx)[0][
            'generation'])

    def test_group_name_assignment_is_the_api_group(self):
        db_groups.create_group(self.ctx, 'pair', 'affinity', 'rack')
        self.manager.create_plan(self.ctx, 'a', 's-a', {
            'uuid-a': server('a'),
            'uuid-g': assignment('g', 'affinity', 'rack', ['a'], 'pair')})
        plan = self.manager.create_plan(self.ctx, 'b', 's-b', {
            'uuid-b': server('b'),
            'uuid-g2': assignment('g2', 'affinity', 'rack', ['b'], 'pair')})
        members = db_groups.group_servers(self.ctx, 'pair')
        self.assertEqual(2, len(members))
        racks = {p['rack'] for p in plan['placements'].values()}
        first = db_plans.get_plan(self.ctx, 's-a')
        racks.update(p['rack'] for p in first['placements'].values())
        self.assertEqual(1, len(racks))

    def test_not_a_member_is_forbidden(self):
        db_groups.create_group(self.ctx, 'fw', 'exclusivity', 'host')
        db_groups.add_members(self.ctx, 'fw', ['p2'])
        error = self.assertRaises(
            exception.NotGroupMember, self.manager.create_plan, self.ctx,
            'a', 's-a', {'uuid-a': server('a', groups=['fw'])})
        self.assertIn("'fw'", error.message)
        self.assertIn("'p1'", error.message)
        self.assertEqual([], db_plans.list_plans(self.ctx))

    def test_unknown_exclusivity_group_is_not_found(self):
        self.assertRaises(
            exception.GroupNotFound, self.manager.create_plan, self.ctx,
            'a', 's-a', {'uuid-a': server('a'),
                         'uuid-x': assignment('x', 'exclusivity', 'host',
                                              ['a'], 'nowhere')})

    def test_exclusive_hosts_are_kept_apart_across_plans(self):
        db_groups.create_group(self.ctx, 'fw', 'exclusivity', 'host')
        excl = self.manager.create_plan(self.ctx, 'a', 's-a', {
            'uuid-a': server('a', groups=['fw'])})
        taken = excl['placements']['uuid-a']['location']
        for i in range(5):
            plan = self.manager.create_plan(self.ctx, 'b%d' % i, 's-b%d' % i,
                                            web_stack())
            # web_stack's keys repeat: release to reuse them.
            self.assertNotIn(taken, self.hosts_of(plan).values())
            self.manager.release_plan(self.ctx, plan['id'])


class ChangeTest(ManagerTestCase):

    def setUp(self):
        super().setUp()
        self.plan = self.manager.create_plan(self.ctx, 'web', 'stack-1',
                                             web_stack())

    def test_update_keeps_adds_and_removes(self):
        before = self.hosts_of(self.plan)
        resources = web_stack(2)
        resources['uuid-web4'] = server('web4')
        resources['uuid-tier']['properties']['resources'] = [
            'web1', 'web2', 'web4']
        plan = self.manager.update_plan(self.ctx, 'stack-1', resources)
        after = self.hosts_of(plan)
        self.assertEqual({'web1', 'web2', 'web4'}, set(after))
        self.assertEqual(before['web1'], after['web1'])
        self.assertEqual(before['web2'], after['web2'])
        self.assertEqual(3, len(set(after.values())))
        self.assertUsageMatchesPlacements()

    def test_update_with_a_new_flavor_places_again(self):
        resources = web_stack()
        resources['uuid-web1']['properties']['flavor'] = 'm1.medium'
        self.manager.update_plan(self.ctx, self.plan['id'], resources)
        placement = db_placements.get_placement(self.ctx, 'uuid-web1')
        self.assertEqual('planned', placement['state'])
        self.assertUsageMatchesPlacements()

    def test_migrate_avoids_current_and_excluded_hosts(self):
        hosts = self.hosts_of(self.plan)
        excluded = sorted(set(self.manager.cache.base.host_names) -
                          set(hosts.values()))[:3]
        plan = self.manager.migrate_server(self.ctx, 'stack-1', 'uuid-web1',
                                           excluded)
        new = self.hosts_of(plan)['web1']
        self.assertNotEqual(hosts['web1'], new)
        self.assertNotIn(new, excluded)
        self.assertNotIn(new, [hosts['web2'], hosts['web3']])
        self.assertEqual([], plan['moved'])
        self.assertUsageMatchesPlacements()

    def test_replan_within_locations(self):
        hosts = self.hosts_of(self.plan)
        free = sorted(set(self.manager.cache.base.host_names) -
                      set(hosts.values()))
        placement = self.manager.replan_server(self.ctx, 'uuid-web2',
                                               free[-2:])
        self.assertIn(placement['location'], free[-2:])
        self.assertUsageMatchesPlacements()

    def test_replan_with_no_room_is_no_placement(self):
        hosts = self.hosts_of(self.plan)
        self.assertRaises(exception.NoPlacement, self.manager.replan_server,
                          self.ctx, 'uuid-web2', [hosts['web1']])
        self.assertEqual(hosts, self.hosts_of(
            db_plans.get_plan(self.ctx, 'stack-1')))

    def test_release_gives_capacity_back(self):
        self.manager.release_plan(self.ctx, 'stack-1')
        self.assertRaises(exception.PlanNotFound, db_plans.get_plan,
                          self.ctx, 'stack-1')
        for row in db_hosts.usage(self.ctx).values():
            self.assertEqual((0, 0, 0), db_hosts.demand_of(row))


class LifeCycleTest(ManagerTestCase):
    """Plans meeting what the listener records of Nova's servers."""

    def setUp(self):
        super().setUp()
        self.plan = self.manager.create_plan(self.ctx, 'web', 'stack-1',
                                             web_stack())

    def test_shelved_server_is_kept_out_of_an_update(self):
        from valet.db import servers as db_servers

        db_placements.reserve(self.ctx, 'uuid-web1', 'nova-1')
        db_servers.server_moved(self.ctx, 'nova-1', None)
        shelved = db_placements.get_placement(self.ctx, 'uuid-web1')
        self.assertEqual('shelved', shelved['state'])
        self.assertUsageMatchesPlacements()
        resources = web_stack()
        resources['uuid-web4'] = server('web4')
        self.manager.update_plan(self.ctx, 'stack-1', resources)
        again = db_placements.get_placement(self.ctx, 'uuid-web1')
        self.assertEqual(('shelved', shelved['location']),
                         (again['state'], again['location']))
        self.assertUsageMatchesPlacements()

    def test_unknown_metadata_group_is_not_found(self):
        error = self.assertRaises(
            exception.GroupNotFound, self.manager.create_plan, self.ctx,
            'b', 's-b', {'uuid-b': server('b', groups=['nowhere'])})
        self.assertIn('nowhere', error.message)

    def test_deleted_member_no_longer_holds_its_project_in(self):
        from valet.db import servers as db_servers

        db_groups.create_group(self.ctx, 'spread', 'diversity', 'host')
        db_groups.add_members(self.ctx, 'spread', ['p1'])
        self.manager.create_plan(self.ctx, 'b', 's-b', {
            'uuid-b': server('b', groups=['spread'])})
        self.assertRaises(exception.MemberInUse, db_groups.remove_member,
                          self.ctx, 'spread', 'p1')
        db_placements.reserve(self.ctx, 'uuid-b', 'nova-b')
        db_servers.server_deleted(self.ctx, 'nova-b')
        db_groups.remove_member(self.ctx, 'spread', 'p1')
        self.assertEqual([], db_groups.get_group(self.ctx,
                                                 'spread')['members'])


class CacheTest(ManagerTestCase):
    """The engine's model stays what a cold read of the database gives."""

    def assertViewIsFresh(self):
        import numpy as np

        from valet.engine import cache as cache_mod

        warm = self.manager.cache.view(self.ctx).datacenter
        cold_cache = cache_mod.ModelCache(self.conf, self.manager.cache.source)
        cold = cold_cache.view(self.ctx).datacenter
        self.assertTrue(np.array_equal(cold.free, warm.free))
        self.assertEqual(sorted(cold.server_ids), sorted(warm.server_ids))
        self.assertEqual(sorted(cold.named_groups),
                         sorted(warm.named_groups))

    def test_own_commits_need_no_read_and_stay_true(self):
        db_groups.create_group(self.ctx, 'spread', 'diversity', 'host')
        reads = []
        real = db_hosts.generations
        self.useFixture(fixtures.MockPatchObject(
            db_hosts, 'generations',
            lambda ctx: reads.append(1) or real(ctx)))
        self.manager.create_plan(self.ctx, 'a', 's-a', web_stack())
        first = len(reads)
        plan = self.manager.create_plan(self.ctx, 'b', 's-b', {
            'uuid-b': server('b', groups=['spread'])})
        self.manager.release_plan(self.ctx, 's-a')
        self.manager.create_plan(self.ctx, 'c', 's-c', {
            'uuid-c': server('c', groups=['spread'])})
        # The engine's own commits were applied to its model: no host
        # generations were read again.
        self.assertEqual(first, len(reads))
        self.assertViewIsFresh()
        self.assertIn(plan['placements']['uuid-b']['location'],
                      self.manager.cache.view(self.ctx).datacenter
                      .host_names)

    def test_someone_elses_change_is_read(self):
        self.manager.create_plan(self.ctx, 'a', 's-a', web_stack())
        other = manager_mod.EngineManager(self.conf,
                                          self.manager.cache.source)
        other.load(self.ctx)
        other.create_plan(self.ctx, 'b', 's-b', {'uuid-b': server('b')})
        db_placements.reserve(self.ctx, 'uuid-web1', 'nova-1')
        from valet.db import servers as db_servers
        db_servers.server_deleted(self.ctx, 'nova-1')
        self.assertViewIsFresh()


class RetryTest(ManagerTestCase):
    """After a conflict: the same plan if it still holds, else a search."""

    def _conflict_once(self, vcpus):
        real = db_plans.create_plan
        calls = []

        def first_conflicts(ctx, plan, placements, guard):
            calls.append([p['location'] for p in placements])
            if len(calls) == 1:
                # Another engine commits first a server of `vcpus` on the
                # first host.
                host = placements[0]['location']
                other = dict(placements[0], id='other-placement',
                             orchestration_id='other-server', vcpus=vcpus,
                             groups=[])
                real(context.RequestContext(config=self.conf),
                     {'id': 'other-plan', 'name': 'other',
                      'stack_id': 'other-stack', 'project_id': 'p9',
                      'resources': {}, 'locations': None}, [other],
                     {'hosts': {}, 'groups': {}})
                raise exception.GenerationConflict(kind='Host', name=host)
            return real(ctx, plan, placements, guard)

        self.useFixture(fixtures.MockPatchObject(
            db_plans, 'create_plan', first_conflicts))
        searches = []
        real_place = manager_mod.optimizer.place_stack
        self.useFixture(fixtures.MockPatchObject(
            manager_mod.optimizer, 'place_stack',
            lambda *a, **k: searches.append(1) or real_place(*a, **k)))
        return calls, searches

    def test_conflict_is_logged_for_the_benchmark(self):
        logger = self.useFixture(fixtures.FakeLogger(
            name='valet.engine.manager'))
        self._conflict_once(1)
        self.manager.create_plan(self.ctx, 'web', 'stack-1', web_stack())
        # tools/benchmarks/service.py counts conflicts by this wording.
        self.assertEqual(1, logger.output.count('planning again'))

    def test_plan_that_still_fits_is_committed_again(self):
        calls, searches = self._conflict_once(1)
        self.manager.create_plan(self.ctx, 'web', 'stack-1', web_stack())
        self.assertEqual(1, len(searches))
        self.assertEqual(calls[0], calls[1])
        self.assertUsageMatchesPlacements()

    def test_plan_that_no_longer_fits_is_searched_again(self):
        # The other engine filled the first host up completely.
        calls, searches = self._conflict_once(10 ** 6)
        plan = self.manager.create_plan(self.ctx, 'web', 'stack-1',
                                        web_stack())
        self.assertEqual(2, len(searches))
        self.assertNotIn(calls[0][0], self.hosts_of(plan).values())

    def test_plan_joining_a_group_is_searched_again(self):
        db_groups.create_group(self.ctx, 'spread', 'diversity', 'host')
        calls, searches = self._conflict_once(1)
        self.manager.create_plan(self.ctx, 'b', 's-b', {
            'uuid-b': server('b', groups=['spread'])})
        self.assertEqual(2, len(searches))


class DeadlineTest(ManagerTestCase):
    """A request whose caller has given up is not committed."""

    def test_past_deadline_commits_nothing(self):
        import time

        ctx = context.RequestContext(user_id='u1', project_id='p1',
                                     config=self.conf,
                                     deadline=time.time() - 1)
        error = self.assertRaises(exception.ServiceUnavailable,
                                  self.manager.create_plan, ctx, 'web',
                                  'stack-1', web_stack())
        self.assertIn('caller had given up', error.message)
        self.assertEqual([], db_plans.list_plans(self.ctx))
        self.assertUsageMatchesPlacements()

    def test_deadline_ahead_commits(self):
        import time

        ctx = context.RequestContext(user_id='u1', project_id='p1',
                                     config=self.conf,
                                     deadline=time.time() + 600)
        plan = self.manager.create_plan(ctx, 'web', 'stack-1', web_stack())
        self.assertEqual(3, len(plan['placements']))

    def test_deadline_crosses_the_bus(self):
        ctx = context.RequestContext(user_id='u1', project_id='p1',
                                     deadline=1234.5)
        again = context.RequestContext.from_dict(ctx.to_dict())
        self.assertEqual((1234.5, 'p1'), (again.deadline, again.project_id))
        self.assertIsNone(context.RequestContext.from_dict(
            context.RequestContext().to_dict()).deadline)
