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

"""The independent checker on the group rules of engine.md's templates.

Named groups joined through ``group_name`` or ``metadata.valet.groups``
with running members, local and shared group names, Nova server groups
and pipe ends that are lists: hand-made cases, each able to fail.
"""

from valet.tests import base
from valet.tests import checker
from valet.tests.unit.engine_properties.test_checker import _at
from valet.tests.unit.engine_properties.test_checker import _group
from valet.tests.unit.engine_properties.test_checker import _host
from valet.tests.unit.engine_properties.test_checker import _server
from valet.tests.unit.engine_properties.test_checker import _topology


def _running(sid, host, name, kind, level):
    return {'id': sid, 'host': host, 'flavor': 'small',
            'groups': [{'name': name, 'type': kind, 'level': level}]}


class TestNamedGroups(base.TestCase):
    """``group_name`` on an assignment names a group Valet knows."""

    def _rules(self, res, placements, existing=None, named=None):
        return [v.rule for v in checker.check(
            _topology(), existing, res, placements, named_groups=named)]

    def test_rack_affinity_goes_where_the_group_runs(self):
        existing = {'servers': [_running('old', 'h3', 'legacy', 'affinity',
                                         'rack')]}
        res = {'a': _server(), 'b': _server(),
               'pod': _group('affinity', 'rack', ['a', 'b'], 'legacy')}
        self.assertEqual([], self._rules(res, _at(a='h3', b='h4'),
                                         existing))
        # Together, but not where legacy already runs.
        self.assertEqual(['affinity'], self._rules(
            res, _at(a='h1', b='h2'), existing))

    def test_host_affinity_goes_to_the_host(self):
        existing = {'servers': [_running('old', 'h2', 'pair', 'affinity',
                                         'host')]}
        res = {'a': _server(),
               'g': _group('affinity', 'host', ['a'], 'pair')}
        self.assertEqual([], self._rules(res, _at(a='h2'), existing))
        self.assertEqual(['affinity'], self._rules(res, _at(a='h1'),
                                                   existing))

    def test_rack_diversity_avoids_running_members(self):
        existing = {'servers': [_running('q0', 'h1', 'quorum', 'diversity',
                                         'rack')]}
        topo = _topology()
        topo['hosts'].append(_host('h5', 'r3'))
        res = {'a': _server(), 'b': _server(),
               'g': _group('diversity', 'rack', ['a', 'b'], 'quorum')}
        check = [v.rule for v in checker.check(
            topo, existing, res, _at(a='h3', b='h5'))]
        self.assertEqual([], check)
        # b shares rack r1 with the running member q0.
        found = checker.check(topo, existing, res, _at(a='h3', b='h2'))
        self.assertEqual([('diversity', ['b', 'existing:q0'])],
                         [(v.rule, v.servers) for v in found])

    def test_host_diversity_avoids_running_members(self):
        existing = {'servers': [_running('d0', 'h1', 'apart', 'diversity',
                                         'host')]}
        res = {'a': _server(),
               'g': _group('diversity', 'host', ['a'], 'apart')}
        self.assertEqual([], self._rules(res, _at(a='h2'), existing))
        self.assertEqual(['diversity'], self._rules(res, _at(a='h1'),
                                                    existing))

    def test_api_group_without_running_members(self):
        res = {'a': _server(), 'b': _server(),
               'g': _group('diversity', 'host', ['a', 'b'], 'spread')}
        named = {'spread': ('diversity', 'host')}
        self.assertEqual([], self._rules(res, _at(a='h1', b='h2'),
                                         named=named))
        self.assertEqual(['diversity'], self._rules(
            res, _at(a='h1', b='h1'), named=named))
        self.assertEqual([], checker.validate(res, named_groups=named))

    def test_exclusivity_by_group_name(self):
        existing = {'servers': [
            _running('mine', 'h1', 'ex1', 'exclusivity', 'host'),
            {'id': 'other', 'host': 'h2', 'flavor': 'small'}]}
        res = {'a': _server(), 'b': _server(),
               'ex': _group('exclusivity', 'host', ['a'], 'ex1')}
        self.assertEqual([], self._rules(res, _at(a='h1', b='h3'),
                                         existing))
        self.assertEqual(['exclusivity'], self._rules(
            res, _at(a='h1', b='h1'), existing))
        self.assertEqual(['exclusivity'], self._rules(
            res, _at(a='h2', b='h3'), existing))

    def test_unknown_group_name_is_local(self):
        existing = {'servers': [_running('old', 'h3', 'legacy', 'affinity',
                                         'rack')]}
        res = {'a': _server(), 'b': _server(),
               'g': _group('affinity', 'rack', ['a', 'b'], 'fresh')}
        self.assertEqual([], self._rules(res, _at(a='h1', b='h2'),
                                         existing))
        self.assertEqual(['affinity'], self._rules(
            res, _at(a='h1', b='h3'), existing))

    def test_resource_name_is_not_a_group_name(self):
        # Only group_name names a known group: an assignment whose
        # resource happens to be called "legacy" is local to the stack.
        existing = {'servers': [_running('old', 'h3', 'legacy', 'affinity',
                                         'rack')]}
        res = {'a': _server(),
               'legacy': _group('affinity', 'rack', ['a'])}
        self.assertEqual([], self._rules(res, _at(a='h1'), existing))

    def test_assignments_sharing_a_group_name_are_one_group(self):
        res = {'a': _server(), 'b': _server(), 'c': _server(),
               'x': _group('affinity', 'rack', ['a'], 'pod'),
               'y': _group('affinity', 'rack', ['b', 'c'], 'pod')}
        self.assertEqual([], self._rules(res, _at(a='h1', b='h2', c='h1')))
        self.assertEqual(['affinity'], self._rules(
            res, _at(a='h1', b='h3', c='h4')))
        self.assertEqual([], checker.validate(res))

    def test_shared_known_diversity_with_running_members(self):
        existing = {'servers': [_running('d0', 'h1', 'apart', 'diversity',
                                         'host')]}
        res = {'a': _server(), 'b': _server(),
               'x': _group('diversity', 'host', ['a'], 'apart'),
               'y': _group('diversity', 'host', ['b'], 'apart')}
        self.assertEqual([], self._rules(res, _at(a='h2', b='h3'),
                                         existing))
        self.assertEqual(['diversity'], self._rules(
            res, _at(a='h2', b='h2'), existing))
        self.assertEqual(['diversity'], self._rules(
            res, _at(a='h2', b='h1'), existing))

    def test_metadata_and_group_name_join_one_group(self):
        existing = {'servers': [_running('old', 'h3', 'legacy', 'affinity',
                                         'rack')]}
        res = {'a': _server(metadata={'valet': {'groups': ['legacy']}}),
               'b': _server(),
               'g': _group('affinity', 'rack', ['b'], 'legacy')}
        self.assertEqual([], self._rules(res, _at(a='h3', b='h4'),
                                         existing))
        self.assertEqual(['affinity'], self._rules(
            res, _at(a='h3', b='h1'), existing))
        self.assertEqual(['affinity'], self._rules(
            res, _at(a='h1', b='h4'), existing))

    def test_metadata_names_a_comma_separated_string(self):
        existing = {'servers': [_running('old', 'h3', 'legacy', 'affinity',
                                         'rack')]}
        res = {'a': _server(metadata={'valet': {'groups': 'legacy'}})}
        self.assertEqual(['affinity'], self._rules(res, _at(a='h1'),
                                                   existing))

    def test_nested_named_group(self):
        existing = {'servers': [_running('old', 'h3', 'legacy', 'affinity',
                                         'host')]}
        res = {'a': _server(), 'b': _server(),
               'inner': _group('affinity', 'host', ['a'], 'legacy'),
               'outer': _group('diversity', 'host', ['inner', 'b'])}
        self.assertEqual([], checker.validate(res, existing))
        self.assertEqual([], self._rules(res, _at(a='h3', b='h1'),
                                         existing))
        self.assertEqual(['diversity'], self._rules(
            res, _at(a='h3', b='h3'), existing))

    def test_type_or_level_mismatch_is_bad_input(self):
        existing = {'servers': [_running('old', 'h3', 'legacy', 'affinity',
                                         'rack')]}
        res = {'a': _server(),
               'g': _group('diversity', 'rack', ['a'], 'legacy')}
        errors = checker.validate(res, existing)
        self.assertEqual(1, len(errors), errors)
        self.assertIn('diversity at level rack', errors[0])
        self.assertIn('legacy (affinity at level rack)', errors[0])
        res['g'] = _group('affinity', 'host', ['a'], 'legacy')
        self.assertIn('legacy (affinity at level rack)',
                      ''.join(checker.validate(res, existing)))
        res['g'] = _group('affinity', 'host', ['a'], 'legacy')
        self.assertEqual([], checker.validate(
            res, named_groups={'legacy': ('affinity', 'host')}))

    def test_shared_local_name_must_agree(self):
        res = {'a': _server(), 'b': _server(),
               'x': _group('affinity', 'rack', ['a'], 'pod'),
               'y': _group('diversity', 'rack', ['b'], 'pod')}
        self.assertIn('pod', ''.join(checker.validate(res)))

    def test_server_in_two_units_of_one_diversity_group(self):
        # s0 joins "apart" by metadata and through the nested group g0:
        # it would have to be on another host than itself.
        res = {'s0': _server(metadata={'valet': {'groups': ['apart']}}),
               'g0': _group('affinity', 'host', ['s0']),
               'g1': _group('diversity', 'host', ['g0'], 'apart')}
        named = {'apart': ('diversity', 'host')}
        self.assertEqual(["server s0 is in units ['g0', 's0'] of diversity "
                          "group apart"], checker.contradictions(
                              res, named_groups=named))
        self.assertEqual([], checker.validate(res, named_groups=named))
        del res['s0']['properties']['metadata']
        self.assertEqual([], checker.contradictions(res, named_groups=named))

    def test_shared_names_that_nest_in_a_cycle_are_bad_input(self):
        # pin = {g0, g3} holds local-1 (through g3), and local-1 = {g1,
        # g2} holds pin (through g1): a group that contains itself.
        res = {'s0': _server(), 's1': _server(),
               'g0': _group('affinity', 'rack', ['s0'], 'pin'),
               'g1': _group('affinity', 'rack', ['g0'], 'local-1'),
               'g2': _group('affinity', 'rack', ['s1'], 'local-1'),
               'g3': _group('affinity', 'rack', ['g2'], 'pin')}
        named = {'pin': ('affinity', 'rack')}
        self.assertIn('contains itself',
                      ''.join(checker.validate(res, named_groups=named)))
        del res['g3']
        self.assertEqual([], checker.validate(res, named_groups=named))

    def test_unknown_metadata_group_is_bad_input(self):
        res = {'a': _server(metadata={'valet': {'groups': ['nobody']}})}
        self.assertIn('nobody', ''.join(checker.validate(res)))


class TestNovaServerGroups(base.TestCase):
    """Hard Nova server-group policies are host-level rules."""

    def _res(self, policy, hint=None):
        sg = {'type': checker.SERVER_GROUP,
              'properties': {'policies': [policy]}}
        hints = {'group': hint or {'get_resource': 'sg'}}
        return {'a': _server(scheduler_hints=hints),
                'b': _server(scheduler_hints=hints),
                'c': _server(), 'sg': sg}

    def _rules(self, res, placements):
        return [v.rule for v in checker.check(_topology(), None, res,
                                              placements)]

    def test_affinity(self):
        res = self._res('affinity')
        self.assertEqual([], self._rules(res, _at(a='h1', b='h1', c='h2')))
        self.assertEqual(['affinity'], self._rules(
            res, _at(a='h1', b='h2', c='h2')))

    def test_anti_affinity_by_plain_name(self):
        res = self._res('anti-affinity', hint='sg')
        self.assertEqual([], self._rules(res, _at(a='h1', b='h2', c='h1')))
        self.assertEqual(['diversity'], self._rules(
            res, _at(a='h1', b='h1', c='h2')))

    def test_soft_policies_are_not_rules(self):
        for policy in ('soft-affinity', 'soft-anti-affinity'):
            res = self._res(policy)
            self.assertEqual([], self._rules(res, _at(a='h1', b='h3',
                                                      c='h3')))
            self.assertEqual([], self._rules(res, _at(a='h1', b='h1',
                                                      c='h3')))

    def test_singular_policy_property(self):
        res = self._res('affinity')
        res['sg']['properties'] = {'policy': 'anti-affinity'}
        self.assertEqual(['diversity'], self._rules(
            res, _at(a='h1', b='h1', c='h2')))


class TestPipeEnds(base.TestCase):

    def test_an_end_may_be_a_list_of_servers(self):
        res = {'lb': _server(), 'w0': _server(), 'w1': _server(),
               'p': {'type': checker.PIPE, 'properties': {
                   'resources': ['lb', ['w0', {'get_resource': 'w1'}]],
                   'bandwidth': {'min': 70}}}}
        got = checker.measure(_topology(), None, res,
                              _at(lb='h1', w0='h2', w1='h1'))
        self.assertEqual(0.0, got['cross_rack_mbps'])
        got = checker.measure(_topology(), None, res,
                              _at(lb='h1', w0='h2', w1='h3'))
        self.assertEqual(70.0, got['cross_rack_mbps'])
