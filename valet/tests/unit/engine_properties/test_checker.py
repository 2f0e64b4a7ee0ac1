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

"""The independent checker, on hand-made cases: it must be able to fail."""

from valet.tests import base
from valet.tests import checker


def _host(name, rack, **kw):
    host = {'name': name, 'rack': rack, 'vcpus': 8, 'ram_mb': 16384,
            'disk_gb': 100, 'availability_zone': 'nova', 'enabled': True}
    host.update(kw)
    return host


def _topology(**kw):
    topo = {'name': 'dc', 'defaults': {'cpu_allocation_ratio': 1.0,
                                       'ram_allocation_ratio': 1.0,
                                       'disk_allocation_ratio': 1.0},
            'flavors': {'small': {'vcpus': 2, 'ram_mb': 4096,
                                  'disk_gb': 10},
                        'ssd': {'vcpus': 1, 'ram_mb': 1024, 'disk_gb': 10,
                                'extra_specs': {
                                    'aggregate_instance_extra_specs:ssd':
                                        'true'}}},
            'aggregates': {},
            'hosts': [_host('h1', 'r1'), _host('h2', 'r1'),
                      _host('h3', 'r2'), _host('h4', 'r2')]}
    topo.update(kw)
    return topo


def _server(flavor='small', **props):
    props['flavor'] = flavor
    return {'type': checker.SERVER, 'properties': props}


def _group(kind, level, members, name=None):
    props = {'group_type': kind, 'level': level, 'resources': members}
    if name:
        props['group_name'] = name
    return {'type': checker.GROUP, 'properties': props}


def _at(**where):
    return dict((s, {'host': h}) for s, h in where.items())


class TestCapacity(base.TestCase):

    def _rules(self, placements, **kw):
        res = {'a': _server(), 'b': _server(), 'c': _server(),
               'd': _server(), 'e': _server()}
        return [v.rule for v in checker.check(
            kw.pop('topology', _topology()), kw.pop('existing', None),
            res, placements, **kw)]

    def test_fits(self):
        self.assertEqual([], self._rules(
            _at(a='h1', b='h1', c='h1', d='h1', e='h2')))

    def test_overcommitted_host(self):
        self.assertEqual(['capacity'], self._rules(
            _at(a='h1', b='h1', c='h1', d='h1', e='h1')))

    def test_host_ratio_beats_aggregate_and_default(self):
        topo = _topology(aggregates={'x': {'hosts': ['h1'], 'metadata': {
            'cpu_allocation_ratio': '1.0'}}})
        topo['hosts'][0]['cpu_allocation_ratio'] = 2.0
        topo['hosts'][0]['ram_mb'] = 65536
        self.assertEqual([], self._rules(
            _at(a='h1', b='h1', c='h1', d='h1', e='h1'), topology=topo))

    def test_lowest_aggregate_ratio(self):
        topo = _topology(aggregates={
            'x': {'hosts': ['h1'], 'metadata': {'ram_allocation_ratio': '4'}},
            'y': {'hosts': ['h1'], 'metadata': {'ram_allocation_ratio': '1'}},
        })
        topo['defaults']['ram_allocation_ratio'] = 8.0
        topo['hosts'][0]['vcpus'] = 64
        self.assertEqual(['capacity'], self._rules(
            _at(a='h1', b='h1', c='h1', d='h1', e='h1'), topology=topo))
        topo['aggregates']['y']['metadata']['ram_allocation_ratio'] = '2'
        self.assertEqual([], self._rules(
            _at(a='h1', b='h1', c='h1', d='h1', e='h1'), topology=topo))

    def test_used_and_existing_servers_count(self):
        topo = _topology()
        topo['hosts'][0]['used'] = {'vcpus': 2}
        self.assertEqual(['capacity'], self._rules(
            _at(a='h1', b='h1', c='h1', d='h1', e='h2'), topology=topo))
        existing = {'servers': [{'id': 'x', 'host': 'h2',
                                 'flavor': 'small'}]}
        self.assertEqual(['capacity'], self._rules(
            _at(a='h2', b='h2', c='h2', d='h2', e='h1'), existing=existing))

    def test_flavor_disk_from_nova_parts(self):
        self.assertEqual({'vcpus': 1.0, 'ram_mb': 512.0, 'disk_gb': 8.0},
                         checker.flavor_demand({
                             'vcpus': 1, 'ram_mb': 512, 'root_gb': 5,
                             'ephemeral_gb': 2, 'swap': 100}))
        self.assertEqual(30.0, checker.flavor_demand({
            'vcpus': 1, 'ram_mb': 512, 'disk_gb': 30})['disk_gb'])

    def test_reserve_percent(self):
        self.assertEqual(['capacity'], self._rules(
            _at(a='h1', b='h1', c='h1', d='h1', e='h2'),
            reserved={'vcpus': 10}))

    def test_unplaced_and_disabled(self):
        topo = _topology()
        topo['hosts'][1]['enabled'] = False
        self.assertEqual(['placement', 'enabled'], self._rules(
            _at(a='nowhere', b='h2', c='h3', d='h3', e='h4'),
            topology=topo))


class TestFilters(base.TestCase):

    def test_availability_zone(self):
        topo = _topology()
        topo['hosts'][2]['availability_zone'] = 'az2'
        res = {'a': _server(availability_zone='az2')}
        self.assertEqual([], checker.check(topo, None, res, _at(a='h3')))
        self.assertEqual(['availability_zone'], [
            v.rule for v in checker.check(topo, None, res, _at(a='h1'))])

    def test_zone_from_aggregate_else_nova(self):
        topo = _topology(aggregates={'z': {'hosts': ['h3', 'h4'], 'metadata': {
            'availability_zone': 'az2'}}})
        for host in topo['hosts']:
            del host['availability_zone']
        res = {'a': _server(availability_zone='az2'),
               'b': _server(availability_zone='nova')}
        good, bad = _at(a='h3', b='h1'), _at(a='h1', b='h4')
        self.assertEqual([], checker.check(topo, None, res, good))
        self.assertEqual(['availability_zone', 'availability_zone'], [
            v.rule for v in checker.check(topo, None, res, bad)])

    def test_aggregate_extra_specs(self):
        topo = _topology(aggregates={'fast': {'hosts': ['h2'], 'metadata': {
            'ssd': 'true'}}})
        res = {'a': _server('ssd')}
        self.assertEqual([], checker.check(topo, None, res, _at(a='h2')))
        self.assertEqual(['aggregate_extra_specs'], [
            v.rule for v in checker.check(topo, None, res, _at(a='h1'))])

    def test_nova_operators(self):
        match = checker._match
        self.assertTrue(match('4', '>= 2'))
        self.assertFalse(match('1', '>= 2'))
        self.assertTrue(match('3', '= 2'))
        self.assertTrue(match('b', '<or> a <or> b'))
        self.assertFalse(match('c', '<or> a <or> b'))
        self.assertTrue(match('abc', 's>= abb'))
        self.assertTrue(match('x y z', '<all-in> x z'))
        self.assertFalse(match('x y', '<all-in> x z'))
        self.assertTrue(match('avx2 sse', '<in> avx2'))
        self.assertFalse(match('true', 'True'))
        self.assertFalse(match('fast', '== 2'))

    def test_other_scopes_ignored(self):
        problem = checker.Problem(_topology())
        self.assertTrue(checker.host_passes_extra_specs(
            problem, 'h1', {'hw:cpu_policy': 'dedicated'}))
        self.assertFalse(checker.host_passes_extra_specs(
            problem, 'h1', {'ssd': 'true'}))


class TestGroups(base.TestCase):

    def _check(self, res, placements, existing=None, named=None):
        return [(v.rule, v.servers) for v in checker.check(
            _topology(), existing, res, placements, named_groups=named)]

    def test_affinity(self):
        res = {'a': _server(), 'b': _server(),
               'g': _group('affinity', 'rack', ['a', 'b'])}
        self.assertEqual([], self._check(res, _at(a='h1', b='h2')))
        self.assertEqual([('affinity', ['a', 'b'])],
                         self._check(res, _at(a='h1', b='h3')))

    def test_named_affinity_follows_existing(self):
        res = {'a': _server(metadata={'valet': {'groups': ['pin']}})}
        existing = {'servers': [{'id': 'old', 'host': 'h3', 'flavor': 'small',
                                 'groups': [{'name': 'pin', 'level': 'rack',
                                             'type': 'affinity'}]}]}
        self.assertEqual([], self._check(res, _at(a='h4'), existing))
        self.assertEqual(['affinity'], [r for r, _s in self._check(
            res, _at(a='h1'), existing)])

    def test_diversity_of_units(self):
        res = {'a': _server(), 'b': _server(), 'c': _server(),
               'pod': _group('affinity', 'host', ['a', 'b']),
               'div': _group('diversity', 'host', ['pod', 'c'])}
        self.assertEqual([], self._check(res, _at(a='h1', b='h1', c='h2')))
        self.assertEqual([('diversity', ['c', 'pod'])],
                         self._check(res, _at(a='h1', b='h1', c='h1')))

    def test_diversity_against_existing_members(self):
        res = {'a': _server(metadata={'valet': {'groups': ['spread']}})}
        named = {'spread': {'type': 'diversity', 'level': 'rack'}}
        existing = {'servers': [{'id': 'old', 'host': 'h1', 'flavor': 'small',
                                 'groups': [{'name': 'spread',
                                             'level': 'rack',
                                             'type': 'diversity'}]}]}
        self.assertEqual([], self._check(res, _at(a='h3'), existing, named))
        self.assertEqual(['diversity'], [r for r, _s in self._check(
            res, _at(a='h2'), existing, named)])

    def test_exclusivity(self):
        res = {'a': _server(), 'b': _server(), 'c': _server(),
               'ex': _group('exclusivity', 'rack', ['a', 'b'], name='ex1')}
        self.assertEqual([], self._check(res, _at(a='h1', b='h2', c='h3')))
        self.assertEqual([('exclusivity', ['c'])],
                         self._check(res, _at(a='h1', b='h3', c='h2')))

    def test_exclusivity_held_by_another_stack(self):
        res = {'a': _server()}
        existing = {'servers': [{'id': 'x', 'host': 'h1', 'flavor': 'small',
                                 'groups': [{'name': 'dedicated',
                                             'type': 'exclusivity',
                                             'level': 'rack'}]}]}
        self.assertEqual([], self._check(res, _at(a='h3'), existing))
        self.assertEqual([('exclusivity', ['a'])],
                         self._check(res, _at(a='h2'), existing))

    def test_exclusivity_existing_and_used(self):
        res = {'a': _server(),
               'ex': _group('exclusivity', 'host', ['a'], name='ex1')}
        existing = {'servers': [
            {'id': 'mine', 'host': 'h1', 'flavor': 'small',
             'groups': [{'name': 'ex1', 'type': 'exclusivity',
                         'level': 'host'}]},
            {'id': 'other', 'host': 'h2', 'flavor': 'small'}]}
        self.assertEqual([], self._check(res, _at(a='h1'), existing))
        self.assertEqual([('exclusivity', ['existing:other'])],
                         self._check(res, _at(a='h2'), existing))
        topo = _topology()
        topo['hosts'][2]['used'] = {'ram_mb': 1}
        self.assertEqual(['exclusivity'], [v.rule for v in checker.check(
            topo, existing, res, _at(a='h3'))])


class TestMeasureAndValidate(base.TestCase):

    def test_metrics(self):
        res = {'a': _server(), 'b': _server(), 'c': _server(),
               'g': _group('affinity', 'host', ['b', 'c']),
               'p1': {'type': checker.PIPE, 'properties': {
                   'resources': ['a', 'g'], 'bandwidth': {'min': 100}}},
               'p2': {'type': checker.PIPE, 'properties': {
                   'resources': ['b', 'c'], 'bandwidth': {'min': 50}}}}
        existing = {'servers': [{'id': 'x', 'host': 'h1', 'flavor': 'small'}]}
        got = checker.measure(_topology(), existing, res,
                              _at(a='h1', b='h3', c='h4'))
        self.assertEqual({'cross_rack_mbps': 100.0, 'hosts_used': 3,
                          'empty_hosts_opened': 2}, got)
        got = checker.measure(_topology(), existing, res,
                              _at(a='h1', b='h2', c='h2'))
        self.assertEqual({'cross_rack_mbps': 0.0, 'hosts_used': 2,
                          'empty_hosts_opened': 1}, got)

    def test_validate_nesting(self):
        res = {'a': _server(), 'b': _server(),
               'inner': _group('diversity', 'rack', ['a']),
               'outer': _group('exclusivity', 'host', ['inner', 'b']),
               'x2': _group('exclusivity', 'host', ['b'])}
        errors = checker.validate(res)
        self.assertEqual(3, len(errors), errors)
        text = '\n'.join(errors)
        self.assertIn('outer: nested inner has a higher level', text)
        self.assertIn('diversity inner inside exclusivity outer', text)
        self.assertIn("server b in exclusivity groups ['outer', 'x2']", text)
        self.assertEqual([], checker.validate(
            {'a': _server(), 'g': _group('affinity', 'rack', ['a'])}))
