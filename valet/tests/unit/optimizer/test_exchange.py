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

"""The moves that take two parts at once: ejection and linked relocation."""

from valet.optimizer import plugins
from valet.optimizer import problem as problem_mod
from valet.optimizer.search import backtracking
from valet.optimizer.search import effort as effort_mod
from valet.optimizer.search import exchange
from valet.optimizer.search import local_search
from valet.optimizer.search import ordering
from valet.optimizer.search import scoring
from valet.optimizer import state as state_mod
from valet.optimizer import units as units_mod
from valet.tests.unit.optimizer import fakes
from valet.tests.unit.optimizer import test_api


def _existing(spec):
    servers = []
    for host, flavors in sorted(spec.items()):
        for i, flavor in enumerate(flavors):
            servers.append({'id': '%s-x%d' % (host, i), 'host': host,
                            'flavor': flavor})
    return {'servers': servers}


class MoveTestCase(test_api.EngineTestCase):

    def setup(self, resources, doc, existing, hosts):
        """Build a problem and a state holding the servers on ``hosts``."""
        self.build(resources, doc, _existing(existing))
        self.problem = problem_mod.Problem(self.dc, self.stack)
        self.constraints = plugins.load_constraints(self.conf)
        self.scorer = scoring.Scorer(self.problem)
        self.units = units_mod.build_units(self.problem)
        self.state = state_mod.State(self.problem)
        for unit in self.units:
            name = self.problem.servers[unit.servers[0]].name
            self.state.place(unit, self.dc.host_index[hosts[name]])

    def where(self, state):
        return {s.name: self.dc.host_names[int(state.where[i])]
                for i, s in enumerate(self.problem.servers)}

    def deadline(self):
        # A budget no test here reaches, and no safety cap.
        return effort_mod.Effort(1000, float('inf'), {}, 'work')


class TestEjection(MoveTestCase):

    def _setup(self):
        # One host per rack, 8 vCPUs each. r0-h0 is full with a, v and
        # known servers; b and c sit on r1-h0, which has room for no
        # medium server; r2-h0 is nearly empty.
        resources = {'a': fakes.server('medium'),
                     'v': fakes.server('medium'),
                     'b': fakes.server(), 'c': fakes.server(),
                     'ab': fakes.pipe('a', 'b', 100),
                     'ac': fakes.pipe('a', 'c', 100),
                     'bc': fakes.pipe('b', 'c', 10)}
        doc = fakes.topology(racks=3, hosts_per_rack=1)
        existing = {'r0-h0': ['medium', 'medium'],
                    'r1-h0': ['medium', 'medium', 'small'],
                    'r2-h0': ['small']}
        self.setup(resources, doc, existing,
                   {'a': 'r0-h0', 'v': 'r0-h0', 'b': 'r1-h0',
                    'c': 'r1-h0'})

    def test_single_moves_are_stuck(self):
        # Neither b nor c finds room beside a, and a has no room beside
        # them: the move of one unit cannot improve this plan.
        self._setup()
        state = self.state.copy()
        moves = local_search.improve(self.problem, self.constraints,
                                     self.scorer, state, self.units,
                                     self.deadline())
        self.assertEqual(0, moves)
        self.assertEqual((200.0, 0), local_search.objective(self.problem,
                                                            state))

    def test_ejection_makes_room(self):
        self._setup()
        state, moves = exchange.eject(self.problem, self.constraints,
                                      self.scorer, self.state, self.units,
                                      self.deadline())
        self.assertEqual(1, moves)
        self.assertEqual((0.0, 0), local_search.objective(self.problem,
                                                          state))
        where = self.where(state)
        self.assertEqual('r0-h0', where['b'])
        self.assertEqual('r0-h0', where['c'])
        self.assertEqual('r0-h0', where['a'])
        # v, unlinked, made the room; a stayed with its links.
        self.assertNotEqual('r0-h0', where['v'])
        # The state given is left as it was.
        self.assertEqual('r1-h0', self.where(self.state)['b'])

    def test_rules_hold(self):
        # a and v must share a host: they are one unit, and ejecting it
        # to make room for b and c only moves the split elsewhere.
        self._setup_affine()
        state, moves = exchange.eject(self.problem, self.constraints,
                                      self.scorer, self.state, self.units,
                                      self.deadline())
        self.assertEqual(0, moves)
        self.assertIs(self.state, state)

    def _setup_affine(self):
        resources = {'a': fakes.server('medium'),
                     'v': fakes.server('medium'),
                     'b': fakes.server(), 'c': fakes.server(),
                     'g': fakes.group('affinity', 'host', ['a', 'v']),
                     'ab': fakes.pipe('a', 'b', 100),
                     'ac': fakes.pipe('a', 'c', 100),
                     'bc': fakes.pipe('b', 'c', 10)}
        doc = fakes.topology(racks=3, hosts_per_rack=1)
        existing = {'r0-h0': ['medium', 'medium'],
                    'r1-h0': ['medium', 'medium', 'small'],
                    'r2-h0': ['small']}
        self.setup(resources, doc, existing,
                   {'a': 'r0-h0', 'v': 'r0-h0', 'b': 'r1-h0',
                    'c': 'r1-h0'})

    def test_no_links(self):
        self.setup({'a': fakes.server()}, fakes.topology(), {},
                   {'a': 'r0-h0'})
        state, moves = exchange.eject(self.problem, self.constraints,
                                      self.scorer, self.state, self.units,
                                      self.deadline())
        self.assertEqual(0, moves)


class TestLinkedRelocation(MoveTestCase):
    """A pod and its database move together to a rack neither is in."""

    def _setup(self):
        # Racks of three hosts, 8 vCPUs each. d0 and d1 are rack-diverse
        # databases linked by replication; pod p (two host-diverse medium
        # servers in one rack) talks to d1 but sits in r0 beside d0 (on
        # the SSD hosts d0 needs), and d1 is alone in r1, where the pod
        # finds no room. r2 and r4 fit d1 best but have room for one
        # medium server only; r3 has room for the pod and d1.
        resources = {
            'd0': fakes.server('ssd'), 'd1': fakes.server(),
            'p1': fakes.server('medium'), 'p2': fakes.server('medium'),
            'dbs': fakes.group('diversity', 'rack', ['d0', 'd1']),
            'pod': fakes.group('affinity', 'rack', ['p1', 'p2']),
            'spread': fakes.group('diversity', 'host', ['p1', 'p2']),
            'rep': fakes.pipe('d0', 'd1', 10),
            'x1': fakes.pipe('p1', 'd1', 100),
            'x2': fakes.pipe('p2', 'd1', 100)}
        doc = fakes.topology(racks=5, hosts_per_rack=3)
        doc['aggregates'] = {'fast': {
            'hosts': ['r0-h0', 'r0-h1', 'r0-h2'],
            'metadata': {'ssd': 'true'}}}
        nearly_full = ['medium', 'medium', 'medium', 'small']
        existing = {'r0-h0': ['medium'], 'r0-h1': ['medium'],
                    'r0-h2': ['big'],
                    'r1-h0': ['big'], 'r1-h1': ['medium'] * 3,
                    'r1-h2': ['big'],
                    'r3-h0': ['small', 'small'],
                    'r3-h1': ['small', 'small'],
                    'r3-h2': ['small', 'small']}
        for rack in ('r2', 'r4'):
            existing.update({rack + '-h0': ['medium', 'small'],
                             rack + '-h1': nearly_full,
                             rack + '-h2': nearly_full})
        self.setup(resources, doc, existing,
                   {'d0': 'r0-h0', 'd1': 'r1-h1', 'p1': 'r0-h0',
                    'p2': 'r0-h1'})
        self.ordered = ordering.plan(self.problem, self.units,
                                     self.constraints, self.scorer)
        self.builder = backtracking.Builder(self.problem, self.constraints,
                                            self.scorer, 4)

    def test_forced_links_make_no_peers(self):
        self._setup()
        parts = local_search._linked(self.problem, self.state, self.ordered)
        names = [sorted(n for c in part for u in c.units
                        for n in u.names(self.problem)) for part in parts]
        # d1 with its pod only (the replication link to d0 can never
        # stay in one rack), and the same part once.
        self.assertEqual([['d1', 'p1', 'p2']], names)

    def test_closed_racks(self):
        self._setup()
        trial = self.state.copy()
        part = [c for c in self.ordered
                if {n for u in c.units for n in u.names(self.problem)} &
                {'d1', 'p1'}]
        for cluster in part:
            for unit in cluster.units:
                trial.remove(unit)
        # d0 holds r0 for the databases.
        self.assertEqual({0}, local_search._closed_racks(
            self.builder, trial, part))

    def test_part_moves_together(self):
        self._setup()
        self.assertEqual((210.0, 0), local_search.objective(self.problem,
                                                            self.state))
        state, moves = local_search.relocate(
            self.problem, self.builder, self.state, self.ordered,
            self.deadline())
        self.assertEqual((10.0, 0), local_search.objective(self.problem,
                                                           state))
        where = self.where(state)
        racks = {n: h.split('-')[0] for n, h in where.items()}
        self.assertEqual(racks['d1'], racks['p1'])
        self.assertEqual(racks['d1'], racks['p2'])
        self.assertEqual('r3', racks['d1'])
        self.assertEqual(1, moves)


class TestVacate(MoveTestCase):

    def test_units_sharing_an_opened_host_leave_it_together(self):
        # r0-h0 and r0-h1 are in use and have room; r0-h2 was empty and
        # holds a and b: neither leaving alone would close it.
        resources = {'a': fakes.server(), 'b': fakes.server()}
        doc = fakes.topology(racks=1, hosts_per_rack=3)
        self.setup(resources, doc, {'r0-h0': ['small'], 'r0-h1': ['small']},
                   {'a': 'r0-h2', 'b': 'r0-h2'})
        self.assertEqual(1, local_search.objective(self.problem,
                                                   self.state)[1])
        self.assertEqual(0, local_search.improve(
            self.problem, self.constraints, self.scorer, self.state,
            self.units, self.deadline()))
        state, moves = local_search.vacate(
            self.problem, self.constraints, self.scorer, self.state,
            self.units, self.deadline())
        self.assertEqual(1, moves)
        self.assertEqual((0.0, 0), local_search.objective(self.problem,
                                                          state))
        self.assertNotIn('r0-h2', self.where(state).values())

    def test_kept_only_when_the_objective_drops(self):
        # The only other host is full: the units stay where they are.
        resources = {'a': fakes.server(), 'b': fakes.server()}
        doc = fakes.topology(racks=1, hosts_per_rack=2)
        self.setup(resources, doc, {'r0-h0': ['big']},
                   {'a': 'r0-h1', 'b': 'r0-h1'})
        effort = self.deadline()
        state, moves = local_search.vacate(
            self.problem, self.constraints, self.scorer, self.state,
            self.units, effort)
        self.assertEqual(0, moves)
        self.assertIs(self.state, state)
        self.assertEqual(999, effort.left)


class TestSatellites(MoveTestCase):

    def test_lone_units_linked_to_one_unit_only_follow_it(self):
        resources = {'lb': fakes.server(), 'hsm': fakes.server(),
                     'standby': fakes.server(), 'web': fakes.server(),
                     'app': fakes.server(),
                     'p1': fakes.pipe('lb', 'hsm', 10),
                     'p2': fakes.pipe('lb', 'standby', 10),
                     'p3': fakes.pipe('lb', 'web', 50),
                     'p4': fakes.pipe('web', 'app', 300)}
        self.setup(resources, fakes.topology(), {},
                   {n: 'r0-h0' for n in resources if not n.startswith('p')})
        ordered = ordering.plan(self.problem, self.units, self.constraints,
                                self.scorer)
        found = {tuple(sorted(u.names(self.problem)[0]
                              for c in group for u in c.units))
                 for group in local_search._satellites(self.problem,
                                                       ordered)}
        # web has another peer (app): it is not a satellite of lb.
        self.assertIn(('hsm', 'lb', 'standby'), found)
        self.assertFalse(any('web' in g and 'lb' in g for g in found))
