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

"""Measures of links and the lower bound that skips the local search."""

from unittest import mock

import numpy as np

from valet.optimizer import api
from valet.optimizer import metrics
from valet.optimizer import plugins
from valet.optimizer import problem as problem_mod
from valet.optimizer.search import backtracking
from valet.optimizer.search import holistic
from valet.optimizer.search import local_search
from valet.optimizer.search import scoring
from valet.optimizer import state as state_mod
from valet.optimizer import units as units_mod
from valet.tests.unit.optimizer import fakes
from valet.tests.unit.optimizer import test_api


def _naive_cross(problem, where):
    racks = problem.datacenter.host_rack
    return sum(link.bandwidth for link in problem.links
               if len(set(racks[where[link.servers]].tolist())) > 1)


class TestSplitLinks(test_api.EngineTestCase):

    def _problem(self):
        resources = {n: fakes.server() for n in 'abcd'}
        resources['g'] = fakes.group('affinity', 'host', ['c', 'd'])
        resources['p1'] = fakes.pipe('a', 'b', 100)
        resources['p2'] = fakes.pipe('a', 'g', 30)
        resources['p3'] = fakes.pipe('b', 'c', 5)
        self.build(resources, racks=3)
        return problem_mod.Problem(self.dc, self.stack)

    def test_matches_link_by_link(self):
        problem = self._problem()
        rng = np.random.default_rng(4)
        for _ in range(50):
            where = rng.integers(0, self.dc.n_hosts, problem.n_servers)
            self.assertEqual(_naive_cross(problem, where),
                             metrics.cross_rack_mbps(problem, where))
            racks = self.dc.host_rack
            self.assertEqual(
                [len(set(racks[where[k.servers]].tolist())) > 1
                 for k in problem.links],
                metrics.split_links(problem, where).tolist())

    def test_group_end_splits_when_its_members_do(self):
        problem = self._problem()
        where = np.zeros(problem.n_servers, dtype=np.int64)
        self.assertEqual(0.0, metrics.cross_rack_mbps(problem, where))
        # d alone in another rack splits the link to its group only.
        where[problem.index['d']] = self.dc.host_index['r1-h0']
        self.assertEqual(30.0, metrics.cross_rack_mbps(problem, where))

    def test_no_links(self):
        self.build({'a': fakes.server()})
        problem = problem_mod.Problem(self.dc, self.stack)
        self.assertEqual(0.0, metrics.cross_rack_mbps(problem, [0]))
        self.assertEqual([], metrics.split_links(problem, [0]).tolist())


class TestLowerBound(test_api.EngineTestCase):

    def _state(self, hosts):
        problem = problem_mod.Problem(self.dc, self.stack)
        state = state_mod.State(problem)
        for unit in units_mod.build_units(problem):
            name = problem.servers[unit.servers[0]].name
            state.place(unit, self.dc.host_index[hosts[name]])
        return problem, state

    def test_bound(self):
        existing = {'servers': [{'id': 'x', 'host': 'r0-h0',
                                 'flavor': 'small'},
                                {'id': 'y', 'host': 'r1-h0',
                                 'flavor': 'small'}]}
        self.build({'a': fakes.server(), 'b': fakes.server(),
                    'c': fakes.server(),
                    'g': fakes.group('diversity', 'rack', ['a', 'b']),
                    'p1': fakes.pipe('a', 'b', 100),
                    'p2': fakes.pipe('b', 'c', 10)}, existing=existing)
        # a-b is forced across racks; b-c in one rack; no host opened.
        problem, state = self._state({'a': 'r0-h0', 'b': 'r1-h0',
                                      'c': 'r1-h0'})
        self.assertTrue(holistic.at_lower_bound(problem, state))
        # c away from b: 10 Mbps above the floor.
        problem, state = self._state({'a': 'r0-h0', 'b': 'r1-h0',
                                      'c': 'r0-h0'})
        self.assertFalse(holistic.at_lower_bound(problem, state))
        # c on an empty host: one host opened.
        problem, state = self._state({'a': 'r0-h0', 'b': 'r1-h0',
                                      'c': 'r1-h1'})
        self.assertFalse(holistic.at_lower_bound(problem, state))

    def test_local_search_skipped_at_the_bound(self):
        existing = {'servers': [{'id': 'x', 'host': 'r0-h0',
                                 'flavor': 'small'}]}
        self.build({'a': fakes.server(), 'b': fakes.server(),
                    'p': fakes.pipe('a', 'b', 100)}, existing=existing)
        with mock.patch.object(local_search, 'improve') as improve, \
                mock.patch.object(local_search, 'relocate') as relocate:
            result = api.place_stack(self.conf, self.dc, self.stack)
        self.assertValid(result)
        self.assertEqual({'a': 'r0-h0', 'b': 'r0-h0'}, self.hosts(result))
        improve.assert_not_called()
        relocate.assert_not_called()
        self.assertTrue(result.stats['at_lower_bound'])

    def test_local_search_runs_above_the_bound(self):
        # Every host is empty: the plan opens one, above the bound.
        self.build({'a': fakes.server(), 'b': fakes.server(),
                    'p': fakes.pipe('a', 'b', 100)})
        with mock.patch.object(local_search, 'improve',
                               return_value=0) as improve:
            result = api.place_stack(self.conf, self.dc, self.stack)
        self.assertValid(result)
        improve.assert_called()
        self.assertFalse(result.stats['at_lower_bound'])


class TestOpensEstimate(test_api.EngineTestCase):

    def _builder(self, doc, resources=None):
        self.build(resources or {'a': fakes.server()}, doc)
        problem = problem_mod.Problem(self.dc, self.stack)
        constraints = plugins.load_constraints(self.conf)
        scorer = scoring.Scorer(problem)
        return (backtracking.Builder(problem, constraints, scorer, 4),
                state_mod.State(problem))

    def test_largest_empty_hosts_first(self):
        # r0 has two small empty hosts, r1 a small and a big one.
        doc = fakes.topology(racks=2, hosts_per_rack=2)
        doc['hosts'][3].update(vcpus=32, ram_mb=32768, disk_gb=400)
        builder, state = self._builder(doc)
        demand = np.array([10, 10240, 100])
        self.assertEqual([2, 1], builder.opens_estimate(
            state, demand).tolist())
        # Too much for r0's empty hosts: one more than it has.
        demand = np.array([20, 20480, 200])
        self.assertEqual([3, 1], builder.opens_estimate(
            state, demand).tolist())

    def test_room_on_busy_hosts_opens_nothing(self):
        doc = fakes.topology(racks=2, hosts_per_rack=2)
        existing = {'servers': [{'id': 'x', 'host': 'r1-h0',
                                 'flavor': 'small'}]}
        self.build({'a': fakes.server()}, doc, existing)
        problem = problem_mod.Problem(self.dc, self.stack)
        builder = backtracking.Builder(
            problem, plugins.load_constraints(self.conf),
            scoring.Scorer(problem), 4)
        state = state_mod.State(problem)
        demand = np.array([2, 2048, 20])
        self.assertEqual([1, 0], builder.opens_estimate(
            state, demand).tolist())
