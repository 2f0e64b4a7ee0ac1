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

"""Property-based tests of the engine against the independent checker.

Hypothesis draws small data centers (racks of hosts with background load,
known servers, running members of API groups -- a host held by a named
exclusivity group, a rack-affinity, rack- and host-diversity group -- and an
SSD aggregate) and small stacks (servers, nested affinity / diversity /
exclusivity groups at host and rack level, API groups joined by metadata,
links). Every placement the default optimizer
returns must satisfy every hard rule according to ``valet.tests.checker``;
whenever CP-SAT places a stack, the default optimizer must place it too.
"""

import hypothesis
from hypothesis import strategies as st

from tools.benchmarks import engine_driver
from valet.engine import exception
from valet.tests import base
from valet.tests import checker

FLAVORS = {'s': {'vcpus': 1, 'ram_mb': 2048, 'disk_gb': 10},
           'm': {'vcpus': 2, 'ram_mb': 4096, 'disk_gb': 20},
           'l': {'vcpus': 4, 'ram_mb': 8192, 'disk_gb': 40},
           'ssd': {'vcpus': 1, 'ram_mb': 2048, 'disk_gb': 10, 'extra_specs': {
               'aggregate_instance_extra_specs:ssd': 'true'}}}
# Bounded and derandomized: the file runs in seconds, the same way every
# time; a wider search is one max_examples away.
SETTINGS = hypothesis.settings(
    max_examples=100, deadline=None, derandomize=True, database=None,
    suppress_health_check=list(hypothesis.HealthCheck))
EXACT_SETTINGS = hypothesis.settings(SETTINGS, max_examples=60)
#: API groups (name: type, level) that stacks may join by metadata.
NAMED = {'dedicated': ('exclusivity', 'host'), 'pin': ('affinity', 'rack'),
         'spread': ('diversity', 'rack'), 'apart': ('diversity', 'host')}


def _named_members(draw, hosts):
    """Running members of the API groups, consistent with their rules."""
    found = []
    for name in ('pin', 'spread', 'apart'):
        kind, level = NAMED[name]
        if not draw(st.booleans()):
            continue
        first = draw(st.sampled_from(hosts))
        for i in range(draw(st.integers(1, 2))):
            host = first if kind == 'affinity' else draw(
                st.sampled_from(hosts))
            found.append({'id': '%s-%d' % (name, i), 'host': host,
                          'flavor': 's', 'groups': [
                              {'name': name, 'type': kind, 'level': level}]})
    return found


@st.composite
def datacenters(draw):
    """A topology dict and an existing-servers dict."""
    n_racks = draw(st.integers(1, 3))
    per_rack = draw(st.integers(1, 4))
    hosts, existing = [], []
    for r in range(n_racks):
        for h in range(per_rack):
            name = 'r%d-h%d' % (r, h)
            host = {'name': name, 'rack': 'r%d' % r, 'vcpus': 8,
                    'ram_mb': draw(st.sampled_from((8192, 16384))),
                    'disk_gb': 200, 'availability_zone': 'nova'}
            load = draw(st.sampled_from((0, 0, 2048, 4096, 6144)))
            if load and draw(st.booleans()):
                existing.append({'id': 'k-%s' % name, 'host': name,
                                 'flavor': 'm' if load == 4096 else 's'})
            elif load:
                host['used'] = {'vcpus': 1, 'ram_mb': load, 'disk_gb': 10}
            hosts.append(host)
    if draw(st.booleans()):
        held = draw(st.sampled_from([h['name'] for h in hosts]))
        existing = [s for s in existing if s['host'] != held]
        hosts[[h['name'] for h in hosts].index(held)].pop('used', None)
        existing.append({'id': 'held', 'host': held, 'flavor': 's',
                         'groups': [{'name': 'dedicated',
                                     'type': 'exclusivity',
                                     'level': 'host'}]})
    existing += _named_members(draw, [h['name'] for h in hosts])
    ssd = [h['name'] for h in hosts if h['name'].endswith('h0')]
    topology = {'name': 'dc', 'flavors': FLAVORS,
                'defaults': {'cpu_allocation_ratio': 2.0,
                             'ram_allocation_ratio': 1.0,
                             'disk_allocation_ratio': 1.0},
                'aggregates': {'fast': {'hosts': ssd,
                                        'metadata': {'ssd': 'true'}}},
                'hosts': hosts}
    groups = [{'name': n, 'type': k, 'level': v}
              for n, (k, v) in sorted(NAMED.items())]
    return topology, {'servers': existing, 'groups': groups}


@st.composite
def stacks(draw):
    """Heat resources: servers, a tree of groups, links."""
    n = draw(st.integers(1, 7))
    res = {}
    names = ['s%d' % i for i in range(n)]
    for name in names:
        props = {'flavor': draw(st.sampled_from(('s', 's', 'm', 'l',
                                                 'ssd')))}
        if draw(st.integers(0, 4)) == 0:
            props['metadata'] = {'valet': {'groups': [
                draw(st.sampled_from(sorted(NAMED)))]}}
        res[name] = {'type': checker.SERVER, 'properties': props}
    free = list(names)
    for g in range(draw(st.integers(0, 3))):
        if not free:
            break
        size = draw(st.integers(1, len(free)))
        members = free[:size]
        kind = draw(st.sampled_from(('affinity', 'diversity',
                                     'exclusivity')))
        level = draw(st.sampled_from(('host', 'rack')))
        res['g%d' % g] = {'type': checker.GROUP, 'properties': {
            'group_type': kind, 'level': level, 'resources': members}}
        # Units of a later group may be this group taken whole.
        free = ['g%d' % g] + free[size:]
    for i in range(draw(st.integers(0, 3))):
        a, b = draw(st.sampled_from(names)), draw(st.sampled_from(names))
        if a != b:
            res['p%d' % i] = {'type': checker.PIPE, 'properties': {
                'resources': [a, b], 'bandwidth': {'min': 100}}}
    return res


class TestEngineProperties(base.TestCase):

    def _place(self, topology, existing, resources, optimizer=None):
        dc = engine_driver.load_datacenter(self.conf, topology, existing)
        return engine_driver.place(self.conf, dc,
                                   {'resources': resources},
                                   optimizer=optimizer, time_limit=(
                                       10 if optimizer else None))

    @SETTINGS
    @hypothesis.given(datacenters(), stacks())
    def test_placements_obey_every_rule(self, dc, resources):
        topology, existing = dc
        if checker.validate(resources, existing):
            self.assertRaises(exception.InvalidStack, self._place,
                              topology, existing, resources)
            return
        result = self._place(topology, existing, resources)
        if result.ok:
            self.assertEqual([], checker.check(
                topology, existing, resources, result.placements))
            self.assertEqual(
                checker.measure(topology, existing, resources,
                                result.placements)['cross_rack_mbps'],
                result.metrics['cross_rack_mbps'])
        else:
            self.assertTrue(result.reason)

    @EXACT_SETTINGS
    @hypothesis.given(datacenters(), stacks())
    def test_default_places_whatever_exact_places(self, dc, resources):
        topology, existing = dc
        hypothesis.assume(not checker.validate(resources, existing))
        exact = self._place(topology, existing, resources, 'exact')
        if exact.ok:
            self.assertEqual([], checker.check(
                topology, existing, resources, exact.placements))
            default = self._place(topology, existing, resources)
            self.assertTrue(default.ok, default.reason)


class TestInfeasibleReasons(base.TestCase):
    """Inputs with no placement fail naming the rule that blocks them."""

    def _topology(self, racks=2, per_rack=2, ram_mb=16384):
        return {'name': 'dc', 'flavors': FLAVORS, 'defaults': {
            'cpu_allocation_ratio': 1.0, 'ram_allocation_ratio': 1.0,
            'disk_allocation_ratio': 1.0}, 'hosts': [
            {'name': 'r%d-h%d' % (r, h), 'rack': 'r%d' % r, 'vcpus': 8,
             'ram_mb': ram_mb, 'disk_gb': 200}
            for r in range(racks) for h in range(per_rack)]}

    def _fail(self, topology, resources, *rules):
        dc = engine_driver.load_datacenter(self.conf, topology)
        result = engine_driver.place(self.conf, dc, {'resources': resources})
        self.assertEqual('failed', result.status)
        self.assertTrue(any(rule in result.reason for rule in rules),
                        result.reason)
        return result

    def _servers(self, n, flavor='s', **props):
        props['flavor'] = flavor
        return dict(('s%d' % i, {'type': checker.SERVER,
                                 'properties': dict(props)})
                    for i in range(n))

    def test_capacity(self):
        self._fail(self._topology(ram_mb=4096), self._servers(1, 'l'),
                   'capacity')

    def test_availability_zone(self):
        self._fail(self._topology(),
                   self._servers(1, availability_zone='elsewhere'),
                   'availability_zone')

    def test_aggregate_extra_specs(self):
        self._fail(self._topology(), self._servers(1, 'ssd'),
                   'aggregate_instance_extra_specs')

    def test_diversity(self):
        res = self._servers(3)
        res['g'] = {'type': checker.GROUP, 'properties': {
            'group_type': 'diversity', 'level': 'rack',
            'resources': sorted(res)}}
        self._fail(self._topology(), res, 'diversity')

    def test_affinity(self):
        res = self._servers(3, 'l')
        res['g'] = {'type': checker.GROUP, 'properties': {
            'group_type': 'affinity', 'level': 'host',
            'resources': sorted(res)}}
        # Each server fits alone, the three together fit no host: the
        # rule to blame is affinity, or capacity of the group as a whole.
        result = self._fail(self._topology(), res, 'affinity', 'capacity')
        for server in ('s0', 's1', 's2'):
            self.assertIn(server, result.reason)

    def test_exclusivity(self):
        res = self._servers(3)
        res['g'] = {'type': checker.GROUP, 'properties': {
            'group_type': 'exclusivity', 'level': 'rack',
            'resources': ['s0', 's1']}}
        self._fail(self._topology(racks=1), res, 'exclusivity')

    def test_bad_nesting_names_the_groups(self):
        res = self._servers(2)
        res['inner'] = {'type': checker.GROUP, 'properties': {
            'group_type': 'diversity', 'level': 'host',
            'resources': ['s0', 's1']}}
        res['outer'] = {'type': checker.GROUP, 'properties': {
            'group_type': 'exclusivity', 'level': 'rack',
            'resources': ['inner']}}
        self.assertTrue(checker.validate(res))
        dc = engine_driver.load_datacenter(self.conf, self._topology())
        err = self.assertRaises(exception.InvalidStack, engine_driver.place,
                                self.conf, dc, {'resources': res})
        self.assertIn('inner', str(err))
        self.assertIn('outer', str(err))
