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

"""Tests of each constraint plugin on a small data center."""

import numpy as np

from valet.optimizer.constraints import affinity
from valet.optimizer.constraints import aggregate_extra_specs as agg
from valet.optimizer.constraints import availability_zone
from valet.optimizer.constraints import base as cbase
from valet.optimizer.constraints import capacity
from valet.optimizer.constraints import diversity
from valet.optimizer.constraints import exclusivity
from valet.optimizer.constraints import extra_specs_ops as ops
from valet.optimizer import plugins
from valet.optimizer import problem as problem_mod
from valet.optimizer import state as state_mod
from valet.optimizer import units as units_mod
from valet.tests import base
from valet.tests.unit.optimizer import fakes


class ConstraintTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.doc = fakes.topology(racks=2, hosts_per_rack=2)
        self.existing = None

    def prepare(self, resources, fixed=None):
        self.dc = fakes.datacenter(self.conf, self.doc, self.existing)
        self.stack = fakes.stack(self.dc, resources)
        self.problem = problem_mod.Problem(self.dc, self.stack, fixed=fixed)
        self.state = state_mod.State(self.problem)
        self.units = {tuple(u.names(self.problem)): u
                      for u in units_mod.build_units(self.problem)}

    def unit(self, *names):
        return self.units[tuple(names)]

    def place(self, name, host):
        self.state.place_server(self.problem.index[name],
                                self.dc.host_index[host])

    def hosts(self, constraint, *names):
        mask = constraint.allowed(self.state, self.unit(*names))
        if mask is None:
            return None
        return [self.dc.host_names[i] for i in np.flatnonzero(mask)]


class TestCapacity(ConstraintTestCase):

    def test_free_capacity_covers_demand(self):
        self.doc['hosts'][0]['used'] = {'vcpus': 7.5}
        self.doc['hosts'][1]['ram_mb'] = 1000
        self.prepare({'a': fakes.server('small'), 'b': fakes.server('big')})
        c = capacity.CapacityConstraint()
        self.assertEqual(['r1-h0', 'r1-h1'], self.hosts(c, 'a'))
        self.assertEqual(['r1-h0', 'r1-h1'], self.hosts(c, 'b'))
        self.place('b', 'r1-h0')
        self.assertEqual(['r1-h1'], self.hosts(c, 'a'))

    def test_exact_fit_is_allowed(self):
        self.prepare({'b': fakes.server('big')})
        self.assertEqual(4, len(self.hosts(capacity.CapacityConstraint(),
                                           'b')))


class TestAvailabilityZone(ConstraintTestCase):

    def test_zone_and_zone_host(self):
        self.doc['hosts'][3]['availability_zone'] = 'az2'
        self.prepare({'a': fakes.server(availability_zone='az2'),
                      'b': fakes.server(availability_zone='nova:r0-h1'),
                      'c': fakes.server(),
                      'd': fakes.server(availability_zone='mars')})
        c = availability_zone.AvailabilityZoneConstraint()
        self.assertEqual(['r1-h1'], self.hosts(c, 'a'))
        self.assertEqual(['r0-h1'], self.hosts(c, 'b'))
        self.assertIsNone(self.hosts(c, 'c'))
        self.assertEqual([], self.hosts(c, 'd'))


class TestExtraSpecsOps(base.TestCase):

    def test_operators(self):
        cases = [
            ('1', '1', True), ('1', '2', False),
            ('4', '= 2', True), ('1', '= 2', False),
            ('2', '== 2.0', True), ('2', '!= 2', False),
            ('3', '>= 3', True), ('3', '<= 2', False),
            ('abc', 's== abc', True), ('abc', 's!= abc', False),
            ('b', 's> a', True), ('b', 's>= c', False),
            ('a', 's< b', True), ('b', 's<= a', False),
            ('avx avx2', '<in> avx2', True), ('sse', '<in> avx', False),
            ('ssd', '<or> hdd <or> ssd', True),
            ('nvme', '<or> hdd <or> ssd', False),
            ('x', '= 2', False), (None, '= 2', False),
            ('2', '=', False),
        ]
        for value, requirement, expected in cases:
            self.assertEqual(expected, ops.match(value, requirement),
                             '%r vs %r' % (value, requirement))


class TestAggregateExtraSpecs(ConstraintTestCase):

    def test_scope_and_missing_key(self):
        self.doc['aggregates'] = {
            'fast': {'hosts': ['r0-h0', 'r1-h0'],
                     'metadata': {'ssd': 'true', 'cpus': '16'}},
            'slow': {'hosts': ['r0-h1'], 'metadata': {'ssd': 'false'}}}
        self.doc['flavors']['many'] = {
            'vcpus': 1, 'ram_mb': 1, 'disk_gb': 1,
            'extra_specs': {'cpus': '>= 12', 'hw:cpu_policy': 'dedicated'}}
        self.prepare({'a': fakes.server('ssd'), 'b': fakes.server('small'),
                      'c': fakes.server('many')})
        c = agg.AggregateExtraSpecsConstraint()
        self.assertEqual(['r0-h0', 'r1-h0'], self.hosts(c, 'a'))
        self.assertIsNone(self.hosts(c, 'b'))
        self.assertEqual(['r0-h0', 'r1-h0'], self.hosts(c, 'c'))

    def test_requirements_keep_unscoped_and_own_scope(self):
        found = agg.requirements({'a': '1', 'aggregate_instance_extra_specs'
                                  ':b': '2', 'capabilities:c': '3'})
        self.assertEqual({'a': '1', 'b': '2'}, found)


class TestAffinity(ConstraintTestCase):

    def test_host_level_members_are_one_unit(self):
        self.prepare({'a': fakes.server(), 'b': fakes.server(),
                      'g': fakes.group('affinity', 'host', ['a', 'b'])})
        unit = self.unit('a', 'b')
        self.assertEqual([2, 2048, 20], list(unit.demand))

    def test_rack_level_follows_placed_member(self):
        self.prepare({'a': fakes.server(), 'b': fakes.server(),
                      'g': fakes.group('affinity', 'rack', ['a', 'b'])})
        c = affinity.AffinityConstraint()
        self.assertIsNone(self.hosts(c, 'b'))
        self.place('a', 'r1-h0')
        self.assertEqual(['r1-h0', 'r1-h1'], self.hosts(c, 'b'))

    def test_named_group_already_in_a_rack(self):
        self.existing = {'servers': [{
            'id': 'x', 'host': 'r1-h1', 'flavor': 'small',
            'groups': [{'name': 'api-aff', 'type': 'affinity',
                        'level': 'rack'}]}]}
        self.prepare({'a': fakes.server(
            metadata={'valet': {'groups': ['api-aff']}})})
        c = affinity.AffinityConstraint()
        self.assertEqual(['r1-h0', 'r1-h1'], self.hosts(c, 'a'))

    def test_fixed_sibling_anchors_host_affinity(self):
        self.prepare({'a': fakes.server(), 'b': fakes.server(),
                      'g': fakes.group('affinity', 'host', ['a', 'b'])},
                     fixed={'a': 'r0-h1'})
        c = affinity.AffinityConstraint()
        self.assertEqual(['r0-h1'], self.hosts(c, 'b'))


class TestDiversity(ConstraintTestCase):

    def test_units_of_nested_groups(self):
        self.prepare({
            'a1': fakes.server(), 'a2': fakes.server(), 'b1': fakes.server(),
            'pa': fakes.group('affinity', 'rack', ['a1', 'a2']),
            'div': fakes.group('diversity', 'rack', ['pa', 'b1'])})
        c = diversity.DiversityConstraint()
        self.place('a1', 'r0-h0')
        # a2 is in the same unit as a1: not kept away from it.
        self.assertIsNone(self.hosts(c, 'a2'))
        self.assertEqual(['r1-h0', 'r1-h1'], self.hosts(c, 'b1'))

    def test_host_level(self):
        self.prepare({'a': fakes.server(), 'b': fakes.server(),
                      'g': fakes.group('diversity', 'host', ['a', 'b'])})
        self.place('a', 'r0-h0')
        self.assertEqual(['r0-h1', 'r1-h0', 'r1-h1'],
                         self.hosts(diversity.DiversityConstraint(), 'b'))

    def test_named_group_members_elsewhere(self):
        self.existing = {'servers': [{
            'id': 'x', 'host': 'r0-h1', 'flavor': 'small',
            'groups': [{'name': 'quorum', 'type': 'diversity',
                        'level': 'rack'}]}]}
        self.prepare({'a': fakes.server(
            metadata={'valet': {'groups': ['quorum']}})})
        self.assertEqual(['r1-h0', 'r1-h1'],
                         self.hosts(diversity.DiversityConstraint(), 'a'))

    def test_units_forced_together_have_no_host(self):
        self.prepare({'a': fakes.server(), 'b': fakes.server(),
                      'aff': fakes.group('affinity', 'host', ['a', 'b']),
                      'div': fakes.group('diversity', 'host', ['a', 'b'])})
        c = diversity.DiversityConstraint()
        self.assertEqual([], self.hosts(c, 'a', 'b'))


class TestExclusivity(ConstraintTestCase):

    def test_member_avoids_occupied_hosts(self):
        self.doc['hosts'][1]['used'] = {'vcpus': 1}
        self.existing = {'servers': [{'id': 'x', 'host': 'r1-h0',
                                      'flavor': 'small'}]}
        self.prepare({'a': fakes.server(), 'b': fakes.server(),
                      'e': fakes.group('exclusivity', 'host', ['a'])})
        c = exclusivity.ExclusivityConstraint()
        self.assertEqual(['r0-h0', 'r1-h1'], self.hosts(c, 'a'))
        self.place('b', 'r0-h0')
        self.assertEqual(['r1-h1'], self.hosts(c, 'a'))

    def test_non_member_avoids_group_hosts(self):
        self.prepare({'a': fakes.server(), 'b': fakes.server(),
                      'e': fakes.group('exclusivity', 'rack', ['a'])})
        c = exclusivity.ExclusivityConstraint()
        self.place('a', 'r0-h0')
        self.assertEqual(['r1-h0', 'r1-h1'], self.hosts(c, 'b'))

    def test_named_group_held_hosts(self):
        excl = {'name': 'db', 'type': 'exclusivity', 'level': 'host'}
        self.existing = {'servers': [
            {'id': 'x', 'host': 'r0-h0', 'flavor': 'small',
             'groups': [excl]},
            {'id': 'y', 'host': 'r1-h1', 'flavor': 'small',
             'groups': [{'name': 'other', 'type': 'exclusivity',
                         'level': 'rack'}]}]}
        self.prepare({'a': fakes.server(), 'b': fakes.server(),
                      'e': fakes.group('exclusivity', 'host', ['a'],
                                       group_name='db')})
        c = exclusivity.ExclusivityConstraint()
        # The member may join its own group's host, never "other"'s rack.
        self.assertEqual(['r0-h0', 'r0-h1'], self.hosts(c, 'a'))
        self.assertEqual(['r0-h1'], self.hosts(c, 'b'))

    def test_mixed_unit_has_no_host(self):
        self.prepare({'a': fakes.server(), 'b': fakes.server(),
                      'aff': fakes.group('affinity', 'host', ['a', 'b']),
                      'e': fakes.group('exclusivity', 'host', ['a'])})
        self.assertEqual([], self.hosts(exclusivity.ExclusivityConstraint(),
                                        'a', 'b'))

    def test_no_exclusivity_means_no_restriction(self):
        self.prepare({'a': fakes.server()})
        self.assertIsNone(self.hosts(exclusivity.ExclusivityConstraint(),
                                     'a'))


class TestNarrowAndLoading(ConstraintTestCase):

    def test_report_counts_removed_hosts(self):
        self.doc['hosts'][0]['used'] = {'vcpus': 8}
        self.doc['hosts'][3]['enabled'] = False
        self.prepare({'a': fakes.server(availability_zone='nova:r0-h1')})
        report = []
        constraints = plugins.load_constraints(self.conf)
        mask = cbase.candidates(constraints, self.state, self.unit('a'),
                                report)
        self.assertEqual([False, True, False, False], list(mask))
        found = dict(report)
        self.assertEqual(1, found['enabled_hosts'])
        self.assertEqual(1, found['capacity'])
        self.assertEqual(1, found['availability_zone'])
        self.assertEqual(0, found['affinity'])

    def test_all_six_plugins_load_in_order(self):
        names = [c.name for c in plugins.load_constraints(self.conf)]
        self.assertEqual(self.conf.engine.constraints, names)

    def test_unknown_plugin(self):
        from valet.optimizer import exception
        exc = self.assertRaises(exception.PluginNotFound,
                                plugins.load_constraints, self.conf,
                                ['capacity', 'telepathy'])
        self.assertIn('telepathy', str(exc))
