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

"""Tests of the library entry points and of the holistic search."""

from valet.optimizer import api
from valet.optimizer import exception
from valet.optimizer import plugins
from valet.optimizer import problem as problem_mod
from valet.optimizer.search import backtracking
from valet.optimizer.search import effort as effort_mod
from valet.optimizer.search import local_search
from valet.optimizer.search import ordering
from valet.optimizer.search import scoring
from valet.optimizer import state as state_mod
from valet.optimizer import units as units_mod
from valet.tests import base
from valet.tests.unit.optimizer import fakes


class EngineTestCase(base.TestCase):

    def build(self, resources, doc=None, existing=None, **kw):
        self.dc = fakes.datacenter(self.conf, doc, existing, **kw)
        self.stack = fakes.stack(self.dc, resources)
        return self.stack

    def assertValid(self, result):
        self.assertTrue(result.ok, result.reason)
        self.assertEqual([], fakes.violations(self.dc, self.stack,
                                              result.placements))

    def hosts(self, result):
        return {n: p['host'] for n, p in result.placements.items()}


class TestPlaceStack(EngineTestCase):

    def test_result_document(self):
        self.build({'a': fakes.server(), 'b': fakes.server('medium')})
        result = api.place_stack(self.conf, self.dc, self.stack)
        self.assertValid(result)
        doc = result.to_dict()
        self.assertEqual(['status', 'placements', 'metrics'], list(doc))
        self.assertEqual({'host', 'rack'}, set(doc['placements']['a']))
        self.assertEqual({'cross_rack_mbps', 'hosts_used',
                          'empty_hosts_opened', 'elapsed_ms'},
                         set(doc['metrics']))

    def test_consolidates_on_occupied_hosts(self):
        existing = {'servers': [{'id': 'x', 'host': 'r1-h1',
                                 'flavor': 'small'}]}
        self.build({'a': fakes.server(), 'b': fakes.server()},
                   existing=existing)
        result = api.place_stack(self.conf, self.dc, self.stack)
        self.assertValid(result)
        self.assertEqual({'a': 'r1-h1', 'b': 'r1-h1'}, self.hosts(result))
        self.assertEqual(0, result.metrics['empty_hosts_opened'])

    def test_links_stay_in_one_rack(self):
        resources = {'s%d' % i: fakes.server('medium') for i in range(6)}
        resources['div'] = fakes.group('diversity', 'host',
                                       ['s%d' % i for i in range(6)])
        resources['p1'] = fakes.pipe('s0', 's5', 100)
        resources['p2'] = fakes.pipe('s1', 's4', 100)
        self.build(resources, racks=3, hosts_per_rack=6)
        result = api.place_stack(self.conf, self.dc, self.stack)
        self.assertValid(result)
        self.assertEqual(0, result.metrics['cross_rack_mbps'])
        racks = {n: p['rack'] for n, p in result.placements.items()}
        self.assertEqual(racks['s0'], racks['s5'])
        self.assertEqual(racks['s1'], racks['s4'])

    def test_link_between_groups_counts_once_when_split(self):
        resources = {'s%d' % i: fakes.server('big') for i in range(4)}
        resources['g'] = fakes.group('diversity', 'rack', ['s0', 's1'])
        resources['p'] = fakes.pipe('g', 's2', 70)
        self.build(resources, racks=2, hosts_per_rack=2)
        result = api.place_stack(self.conf, self.dc, self.stack)
        self.assertValid(result)
        self.assertEqual(70, result.metrics['cross_rack_mbps'])

    def test_deterministic_for_same_seed(self):
        resources = {'s%d' % i: fakes.server(['small', 'medium'][i % 2])
                     for i in range(12)}
        resources['g'] = fakes.group('diversity', 'host',
                                     ['s0', 's1', 's2', 's3'])
        self.build(resources, racks=4, hosts_per_rack=4)
        first = api.place_stack(self.conf, self.dc, self.stack, seed=7)
        again = api.place_stack(self.conf, self.dc, self.stack, seed=7)
        self.assertValid(first)
        self.assertEqual(first.placements, again.placements)

    def test_locations_limit_hosts(self):
        self.build({'a': fakes.server(), 'b': fakes.server()})
        result = api.place_stack(self.conf, self.dc, self.stack,
                                 locations=['r1-h0'])
        self.assertEqual({'a': 'r1-h0', 'b': 'r1-h0'}, self.hosts(result))

    def test_exclusivity_prefers_hosts_it_holds(self):
        excl = {'name': 'db', 'type': 'exclusivity', 'level': 'host'}
        existing = {'servers': [
            {'id': 'x', 'host': 'r1-h1', 'flavor': 'small',
             'groups': [excl]},
            {'id': 'y', 'host': 'r0-h0', 'flavor': 'small'}]}
        self.build({'d': fakes.server(), 'app': fakes.server(),
                    'e': fakes.group('exclusivity', 'host', ['d'],
                                     group_name='db')}, existing=existing)
        result = api.place_stack(self.conf, self.dc, self.stack)
        self.assertValid(result)
        self.assertEqual({'d': 'r1-h1', 'app': 'r0-h0'}, self.hosts(result))

    def test_rack_cluster_retried_on_another_rack(self):
        # r0 looks best (occupied hosts, nothing to open) and its room
        # covers the pair, but b (RAM heavy) best fits r0-h0, after which
        # no host of r0 has both the vCPUs and the RAM a needs: the pair
        # is retried on r1.
        doc = fakes.topology(racks=2, hosts_per_rack=2)
        doc['flavors']['cpu'] = {'vcpus': 4, 'ram_mb': 1000, 'disk_gb': 1}
        doc['flavors']['ram'] = {'vcpus': 1, 'ram_mb': 6000, 'disk_gb': 1}
        doc['hosts'][0]['used'] = {'vcpus': 3, 'ram_mb': 1692}
        doc['hosts'][1]['used'] = {'vcpus': 5, 'ram_mb': 1592}
        self.build({'a': fakes.server('cpu'), 'b': fakes.server('ram'),
                    'g': fakes.group('affinity', 'rack', ['a', 'b'])}, doc)
        result = api.place_stack(self.conf, self.dc, self.stack)
        self.assertValid(result)
        self.assertEqual({'r1'}, {p['rack'] for p in
                                  result.placements.values()})
        # The ordering may place a first (then r1 is found at once); b
        # first needs the retry.
        problem = problem_mod.Problem(self.dc, self.stack)
        units = {u.names(problem)[0]: u
                 for u in units_mod.build_units(problem)}
        cluster = ordering.Cluster([units['b'], units['a']], True)
        cluster.component = 0
        constraints = plugins.load_constraints(self.conf)
        builder = backtracking.Builder(problem, constraints,
                                       scoring.Scorer(problem), 4)
        state, failure = builder.run(state_mod.State(problem), [cluster])
        self.assertIsNone(failure)
        self.assertEqual(1, builder.retries)
        self.assertEqual({1}, set(self.dc.host_rack[state.where].tolist()))

    def test_random_stacks_hold_every_rule(self):
        for seed in range(6):
            resources = {'s%d' % i: fakes.server(
                ['small', 'medium', 'big'][(i * (seed + 1)) % 3])
                for i in range(10)}
            resources['pod'] = fakes.group('affinity', 'rack',
                                           ['s0', 's1', 's2'])
            resources['pair'] = fakes.group('affinity', 'host', ['s3', 's4'])
            resources['div'] = fakes.group('diversity', 'rack',
                                           ['pod', 's5'])
            resources['ex'] = fakes.group('exclusivity', 'host', ['s6'])
            resources['p'] = fakes.pipe('pod', 'pair', 10 * (seed + 1))
            self.build(resources, racks=3, hosts_per_rack=3, vcpus=32,
                       ram_mb=32768, disk_gb=400)
            result = api.place_stack(self.conf, self.dc, self.stack,
                                     seed=seed)
            self.assertValid(result)

    def test_empty_stack(self):
        self.build({'net': {'type': 'OS::Neutron::Net'}})
        result = api.place_stack(self.conf, self.dc, self.stack)
        self.assertTrue(result.ok)
        self.assertEqual({}, result.placements)

    def test_unknown_optimizer(self):
        self.build({'a': fakes.server()})
        self.assertRaises(exception.PluginNotFound, api.place_stack,
                          self.conf, self.dc, self.stack, optimizer='magic')


class TestFailures(EngineTestCase):

    def test_capacity(self):
        self.build({'a': fakes.server('big'), 'b': fakes.server('big'),
                    'g': fakes.group('affinity', 'host', ['a', 'b'])})
        result = api.place_stack(self.conf, self.dc, self.stack)
        self.assertFalse(result.ok)
        self.assertIn("'capacity'", result.reason)
        self.assertEqual({'hosts_excluded': 4, 'servers': ['a', 'b']},
                         result.explanation['capacity'])
        self.assertEqual(['status', 'reason', 'explanation'],
                         list(result.to_dict()))

    def test_diversity_needs_more_racks(self):
        names = ['s%d' % i for i in range(3)]
        resources = {n: fakes.server() for n in names}
        resources['g'] = fakes.group('diversity', 'rack', names)
        self.build(resources)
        result = api.place_stack(self.conf, self.dc, self.stack)
        self.assertFalse(result.ok)
        self.assertIn("'diversity'", result.reason)
        self.assertEqual(4, result.explanation['diversity']['hosts_excluded'])

    def test_zone_with_no_host(self):
        self.build({'a': fakes.server(availability_zone='mars')})
        result = api.place_stack(self.conf, self.dc, self.stack)
        self.assertFalse(result.ok)
        self.assertIn("'availability_zone'", result.reason)

    def test_disabled_hosts(self):
        doc = fakes.topology(racks=1, hosts_per_rack=1)
        doc['hosts'][0]['enabled'] = False
        self.build({'a': fakes.server()}, doc)
        result = api.place_stack(self.conf, self.dc, self.stack)
        self.assertFalse(result.ok)
        self.assertIn("'enabled_hosts'", result.reason)


class TestUpdateStack(EngineTestCase):

    def test_keep_replace_release(self):
        doc = fakes.topology(racks=1, hosts_per_rack=2)
        doc['hosts'][0]['used'] = {'vcpus': 8, 'ram_mb': 8192,
                                   'disk_gb': 80}
        doc['hosts'][1]['used'] = {'vcpus': 8, 'ram_mb': 8192,
                                   'disk_gb': 80}
        self.build({'a': fakes.server('big'), 'c': fakes.server('big')},
                   doc)
        current = {'a': {'host': 'r0-h0', 'flavor': 'big'},
                   'b': {'host': 'r0-h1', 'flavor': 'big'}}
        result = api.update_stack(self.conf, self.dc, self.stack, current,
                                  claimed=True)
        self.assertTrue(result.ok, result.reason)
        self.assertEqual({'a': 'r0-h0', 'c': 'r0-h1'}, self.hosts(result))
        self.assertEqual(['b'], result.released)
        self.assertEqual(['b'], result.to_dict()['released'])

    def test_without_release_there_is_no_room(self):
        doc = fakes.topology(racks=1, hosts_per_rack=2)
        doc['hosts'][1]['used'] = {'vcpus': 8}
        self.build({'a': fakes.server('big'), 'c': fakes.server('big')},
                   doc)
        current = {'a': {'host': 'r0-h0', 'flavor': 'big'},
                   'b': {'host': 'r0-h1', 'flavor': 'big'}}
        result = api.update_stack(self.conf, self.dc, self.stack, current)
        self.assertFalse(result.ok)

    def test_server_on_vanished_host_is_placed_again(self):
        self.build({'a': fakes.server()})
        result = api.update_stack(self.conf, self.dc, self.stack,
                                  {'a': {'host': 'gone', 'flavor': 'small'}})
        self.assertValid(result)

    def test_malformed_current(self):
        self.build({'a': fakes.server()})
        self.assertRaises(exception.InvalidRequest, api.update_stack,
                          self.conf, self.dc, self.stack, {'a': 'r0-h0'})

    def test_changed_flavor_is_placed_again(self):
        self.build({'a': fakes.server('medium'), 'b': fakes.server(),
                    'g': fakes.group('affinity', 'host', ['a', 'b'])})
        current = {'a': {'host': 'r1-h1', 'flavor': 'small'},
                   'b': {'host': 'r1-h1', 'flavor': 'small'}}
        result = api.update_stack(self.conf, self.dc, self.stack, current)
        self.assertValid(result)
        self.assertEqual('r1-h1', self.hosts(result)['a'])


class TestReplanAndMigrate(EngineTestCase):

    def setUp(self):
        super().setUp()
        self.build({'a': fakes.server(), 'b': fakes.server(),
                    'c': fakes.server(),
                    'div': fakes.group('diversity', 'host',
                                       ['a', 'b', 'c'])})
        self.placed = {'a': 'r0-h0', 'b': 'r0-h1', 'c': 'r1-h0'}

    def test_replan_within_locations_keeping_rules(self):
        result = api.replan_server(self.conf, self.dc, self.stack,
                                   self.placed, 'c', ['r0-h0', 'r1-h1'])
        self.assertValid(result)
        self.assertEqual({'a': 'r0-h0', 'b': 'r0-h1', 'c': 'r1-h1'},
                         self.hosts(result))

    def test_replan_with_no_acceptable_location(self):
        result = api.replan_server(self.conf, self.dc, self.stack,
                                   self.placed, 'c', ['r0-h0'])
        self.assertFalse(result.ok)
        self.assertIn("'diversity'", result.reason)

    def test_replan_unknown_server(self):
        self.assertRaises(exception.InvalidRequest, api.replan_server,
                          self.conf, self.dc, self.stack, self.placed, 'zz',
                          ['r0-h0'])

    def test_migrate_never_to_current_or_excluded(self):
        result = api.migrate_server(self.conf, self.dc, self.stack,
                                    self.placed, 'a',
                                    excluded_hosts=['r1-h1'])
        self.assertFalse(result.ok)
        result = api.migrate_server(self.conf, self.dc, self.stack,
                                    {'a': 'r0-h0', 'b': 'r0-h1'}, 'a',
                                    excluded_hosts=['r1-h1'])
        self.assertValid(result)
        self.assertEqual('r1-h0', self.hosts(result)['a'])
        self.assertEqual([], result.moved)

    def test_migrate_moves_host_affinity_group(self):
        self.build({'a': fakes.server(), 'b': fakes.server(),
                    'c': fakes.server(),
                    'g': fakes.group('affinity', 'host', ['a', 'b'])})
        placed = {'a': 'r0-h0', 'b': 'r0-h0', 'c': 'r1-h1'}
        result = api.migrate_server(self.conf, self.dc, self.stack, placed,
                                    'a', excluded_hosts=['r1-h1'])
        self.assertValid(result)
        hosts = self.hosts(result)
        self.assertEqual(hosts['a'], hosts['b'])
        self.assertNotIn(hosts['a'], ('r0-h0', 'r1-h1'))
        self.assertEqual('r1-h1', hosts['c'])
        self.assertEqual(['b'], result.moved)


class TestLocalSearch(EngineTestCase):

    def test_moves_linked_server_into_its_peers_rack(self):
        self.build({'a': fakes.server(), 'b': fakes.server(),
                    'p': fakes.pipe('a', 'b', 100)})
        problem = problem_mod.Problem(self.dc, self.stack)
        state = state_mod.State(problem)
        units = units_mod.build_units(problem)
        state.place(units[0], self.dc.host_index['r0-h0'])
        state.place(units[1], self.dc.host_index['r1-h1'])
        moves = local_search.improve(
            problem, plugins.load_constraints(self.conf),
            scoring.Scorer(problem), state, units,
            effort_mod.Effort(1000, float('inf'), {}, 'moves'))
        self.assertGreaterEqual(moves, 1)
        racks = {int(self.dc.host_rack[h]) for h in state.where}
        self.assertEqual(1, len(racks))
        self.assertEqual(1, len(set(state.where.tolist())))

    def test_relocate_moves_a_linked_part_to_a_busy_rack(self):
        existing = {'servers': [{'id': 'x', 'host': 'r1-h1',
                                 'flavor': 'small'}]}
        self.build({'a': fakes.server(), 'b': fakes.server(),
                    'p': fakes.pipe('a', 'b', 100)}, existing=existing)
        problem = problem_mod.Problem(self.dc, self.stack)
        constraints = plugins.load_constraints(self.conf)
        scorer = scoring.Scorer(problem)
        units = units_mod.build_units(problem)
        ordered = ordering.plan(problem, units, constraints, scorer)
        builder = backtracking.Builder(problem, constraints, scorer, 4)
        state = state_mod.State(problem)
        for unit in units:
            state.place(unit, self.dc.host_index['r0-h0'])
        self.assertEqual(1, int(state.opened().sum()))
        state, moves = local_search.relocate(
            problem, builder, state, ordered,
            effort_mod.Effort(1000, float('inf'), {}, 'relocations'))
        self.assertEqual(1, moves)
        self.assertEqual(0, int(state.opened().sum()))
        self.assertEqual({self.dc.host_index['r1-h1']},
                         set(state.where.tolist()))
