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

"""The CP-SAT ``exact`` optimizer, judged by the independent checker."""

from unittest import mock

from tools.benchmarks import engine_driver
from valet.optimizer import exception
from valet.optimizer import plugins
from valet.optimizer.search import exact
from valet.tests import base
from valet.tests import checker


def _topology(racks=2, per_rack=2, ram_mb=8192, used=None):
    hosts = []
    for r in range(racks):
        for h in range(per_rack):
            name = 'r%d-h%d' % (r, h)
            hosts.append({'name': name, 'rack': 'r%d' % r, 'vcpus': 8,
                          'ram_mb': ram_mb, 'disk_gb': 100,
                          'used': (used or {}).get(name, {})})
    return {'name': 'dc', 'defaults': {'cpu_allocation_ratio': 1.0,
                                       'ram_allocation_ratio': 1.0,
                                       'disk_allocation_ratio': 1.0},
            'flavors': {'s': {'vcpus': 1, 'ram_mb': 2048, 'disk_gb': 10},
                        'l': {'vcpus': 4, 'ram_mb': 8192, 'disk_gb': 10}},
            'hosts': hosts}


def _server(flavor='s'):
    return {'type': checker.SERVER, 'properties': {'flavor': flavor}}


def _group(kind, level, members):
    return {'type': checker.GROUP, 'properties': {
        'group_type': kind, 'level': level, 'resources': members}}


def _pipe(a, b, mbps):
    return {'type': checker.PIPE, 'properties': {
        'resources': [a, b], 'bandwidth': {'min': mbps}}}


class TestExact(base.TestCase):

    def _place(self, topology, resources, existing=None):
        dc = engine_driver.load_datacenter(self.conf, topology, existing)
        result = engine_driver.place(self.conf, dc, {'resources': resources},
                                     optimizer='exact', time_limit=20)
        if result.ok:
            self.assertEqual([], checker.check(
                topology, existing, resources, result.placements))
        return result

    def test_links_stay_in_one_rack(self):
        used = {'r0-h0': {'ram_mb': 1}, 'r0-h1': {'ram_mb': 1},
                'r1-h0': {'ram_mb': 1}, 'r1-h1': {'ram_mb': 1}}
        res = {'a': _server(), 'b': _server(), 'c': _server(),
               'div': _group('diversity', 'host', ['a', 'b', 'c']),
               'p1': _pipe('a', 'b', 100), 'p2': _pipe('b', 'c', 100)}
        result = self._place(_topology(racks=2, per_rack=3, used=used), res)
        self.assertTrue(result.ok, result.reason)
        self.assertEqual(0, result.metrics['cross_rack_mbps'])
        self.assertTrue(result.stats['optimal'])

    def test_cross_rack_before_opening_hosts(self):
        # Only rack r1 has an empty host; keeping a and b together costs
        # that empty host, which the objective's order says to pay.
        used = {'r0-h0': {'ram_mb': 6144}, 'r0-h1': {'ram_mb': 8192},
                'r1-h0': {'ram_mb': 6144}}
        res = {'a': _server(), 'b': _server(),
               'div': _group('diversity', 'host', ['a', 'b']),
               'p': _pipe('a', 'b', 10)}
        result = self._place(_topology(used=used), res)
        self.assertTrue(result.ok, result.reason)
        self.assertEqual({'cross_rack_mbps': 0, 'empty_hosts_opened': 1},
                         dict((k, result.metrics[k]) for k in (
                             'cross_rack_mbps', 'empty_hosts_opened')))

    def test_consolidates_on_used_hosts(self):
        used = {'r0-h0': {'ram_mb': 1024}}
        res = {'a': _server(), 'b': _server()}
        result = self._place(_topology(), res)
        self.assertTrue(result.ok, result.reason)
        self.assertEqual(1, result.metrics['empty_hosts_opened'])
        result = self._place(_topology(used=used), res)
        self.assertEqual(0, result.metrics['empty_hosts_opened'])
        self.assertEqual({'r0-h0'}, set(
            p['host'] for p in result.placements.values()))

    def test_infeasible_names_the_rule(self):
        res = {'a': _server(), 'b': _server(), 'c': _server(),
               'div': _group('diversity', 'rack', ['a', 'b', 'c'])}
        result = self._place(_topology(racks=2), res)
        self.assertFalse(result.ok)
        self.assertIn('diversity', result.reason)
        self.assertIn('diversity', result.explanation)

    def test_no_host_fits(self):
        res = {'a': _server('l')}
        result = self._place(_topology(ram_mb=4096), res)
        self.assertFalse(result.ok)
        self.assertIn('a', result.reason)

    def test_exclusivity_and_existing(self):
        existing = {'servers': [{'id': 'x', 'host': 'r0-h0', 'flavor': 's'}]}
        res = {'a': _server(), 'b': _server(), 'c': _server(),
               'ex': _group('exclusivity', 'rack', ['a', 'b'])}
        result = self._place(_topology(), res, existing)
        self.assertTrue(result.ok, result.reason)
        self.assertEqual({'r1'}, set(result.placements[s]['rack']
                                     for s in ('a', 'b')))
        self.assertEqual('r0', result.placements['c']['rack'])

    def test_named_groups_bind_new_members(self):
        # "legacy" runs in r1 (rack affinity), "quorum" in r0 (rack
        # diversity); the stack joins both through group_name.
        existing = {'servers': [
            {'id': 'l0', 'host': 'r1-h0', 'flavor': 's', 'groups': [
                {'name': 'legacy', 'type': 'affinity', 'level': 'rack'}]},
            {'id': 'q0', 'host': 'r0-h0', 'flavor': 's', 'groups': [
                {'name': 'quorum', 'type': 'diversity', 'level': 'rack'}]}]}
        res = {'a': _server(), 'b': _server(), 'q': _server(),
               'pod': _group('affinity', 'rack', ['a', 'b']),
               'spread': _group('diversity', 'rack', ['q'])}
        res['pod']['properties']['group_name'] = 'legacy'
        res['spread']['properties']['group_name'] = 'quorum'
        result = self._place(_topology(racks=3), res, existing)
        self.assertTrue(result.ok, result.reason)
        self.assertEqual({'r1'}, set(result.placements[s]['rack']
                                     for s in ('a', 'b')))
        self.assertNotEqual('r0', result.placements['q']['rack'])
        # With r1 full, the affinity group has nowhere to go.
        used = {'r1-h0': {'ram_mb': 6144}, 'r1-h1': {'ram_mb': 8192}}
        result = self._place(_topology(racks=3, used=used), res, existing)
        self.assertFalse(result.ok)
        self.assertEqual('INFEASIBLE', result.stats.get('status'),
                         result.reason)

    def test_deterministic(self):
        res = dict(('s%d' % i, _server()) for i in range(6))
        res['p'] = _pipe('s0', 's5', 10)
        first = self._place(_topology(racks=3), res).placements
        for _i in range(3):
            self.assertEqual(first, self._place(_topology(racks=3),
                                                res).placements)

    def test_deadline_too_short_says_so(self):
        res = dict(('s%d' % i, _server()) for i in range(3))
        dc = engine_driver.load_datacenter(self.conf, _topology())
        with mock.patch.object(exact.cp_model.CpSolver, 'Solve',
                               return_value=exact.cp_model.UNKNOWN):
            result = engine_driver.place(self.conf, dc, {'resources': res},
                                         optimizer='exact', time_limit=0)
        self.assertFalse(result.ok)
        self.assertIn('time_limit', result.reason)

    def test_missing_ortools_is_a_clear_error(self):
        with mock.patch.object(exact, 'cp_model', None):
            err = self.assertRaises(exception.PluginNotFound,
                                    plugins.load_optimizer, self.conf,
                                    'exact')
        self.assertIn('ortools', err.message)
