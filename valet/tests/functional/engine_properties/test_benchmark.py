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

"""The benchmark harness end to end on tiny instances (no timing checks)."""

import collections
import io
import json
import os
import sys
from unittest import mock

import fixtures

from tools.benchmarks import baselines
from tools.benchmarks import cli
from tools.benchmarks import enterprise
from tools.benchmarks import generator
from tools.benchmarks import run
from tools.benchmarks import targets
from valet.tests import base
from valet.tests import checker


def _servers(template):
    return [n for n, r in template['resources'].items()
            if r['type'] == generator.SERVER]


class TestGenerator(base.TestCase):

    def test_seeded_and_well_formed(self):
        for family in generator.ALL_FAMILIES:
            size = 60 if family in generator.LARGE_FAMILIES else 12
            first = generator.make_instance(128, 0.8, family, size, seed=3)
            self.assertEqual(first, generator.make_instance(
                128, 0.8, family, size, seed=3))
            topology, existing, template = first
            self.assertEqual(size, len(_servers(template)))
            self.assertEqual([], checker.validate(template['resources'],
                                                  existing))
            self.assertEqual(128, len(topology['hosts']))

    def test_bad_family(self):
        self.assertRaises(ValueError, generator.make_stack, 'nope', 5)
        self.assertRaises(ValueError, generator.make_stack, 'enterprise',
                          enterprise.MIN_SERVERS - 1)

    def test_write_files(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        paths = generator.write(tmp, *generator.make_instance(
            32, 0.5, 'quorum', 6))
        self.assertEqual(['topology.yaml', 'existing.yaml', 'template.yaml'],
                         [os.path.basename(p) for p in paths])


class TestEnterprise(base.TestCase):
    """What the large family must hold, read back by the checker."""

    def setUp(self):
        super().setUp()
        self.topology, self.existing, self.template = \
            generator.make_instance(1024, 0.7, 'enterprise', 250, seed=2)
        self.problem = checker.Problem(self.topology, self.existing,
                                       self.template['resources'])

    def test_sizes_and_load(self):
        self.assertEqual(250, len(_servers(self.template)))
        used = [h for h in self.topology['hosts'] if h.get('used')]
        self.assertGreater(len(used), 0.8 * 1024)

    def test_aggregate_tier_in_some_racks_only(self):
        ssd = set(self.topology['aggregates']['ssd']['hosts'])
        racks = collections.defaultdict(set)
        for host in self.topology['hosts']:
            racks[host['rack']].add(host['name'])
        with_ssd = [r for r, hosts in racks.items() if hosts & ssd]
        self.assertTrue(0 < len(with_ssd) < len(racks))
        # Only part of the hosts of those racks.
        self.assertTrue(any(racks[r] - ssd for r in with_ssd))
        flavors = self.topology['flavors']
        restricted = [s for s in _servers(self.template) if flavors[
            self.template['resources'][s]['properties']['flavor']].get(
                'extra_specs')]
        self.assertGreater(len(restricted), 5)

    def test_load_balancer_linked_to_every_web_server(self):
        webs = set(s for s in _servers(self.template)
                   if s.startswith('web'))
        linked = set()
        for a, b, _mbps in self.problem.links():
            if a == ['lb0']:
                linked.update(b)
        self.assertTrue(webs)
        self.assertEqual(webs, linked & webs)

    def test_running_named_groups_joined_both_ways(self):
        kinds = set()
        for name in (enterprise.ANALYTICS, enterprise.DB_QUORUM,
                     enterprise.CACHE, enterprise.LEGACY,
                     enterprise.EXCLUSIVE):
            group = self.problem.groups[name]
            self.assertTrue(group.existing, name)
            self.assertTrue(self.problem.leaves(group), name)
            kinds.add((group.type, group.level))
        self.assertEqual(set(), {('affinity', 'rack'), ('affinity', 'host'),
                                 ('diversity', 'rack'), ('diversity', 'host'),
                                 ('exclusivity', 'host')} - kinds)
        res = self.template['resources']
        by_name = [r['properties']['group_name'] for r in res.values()
                   if r['type'] == generator.GROUP]
        by_meta = [g for r in res.values() if r['type'] == generator.SERVER
                   for g in (r['properties'].get('metadata') or {}).get(
                       'valet', {}).get('groups', ())]
        # The same running group joined through both ways.
        self.assertIn(enterprise.ANALYTICS, set(by_name) & set(by_meta))
        self.assertIn(enterprise.LEGACY, set(by_name) & set(by_meta))

    def test_disabled_hosts(self):
        disabled = [h for h in self.topology['hosts']
                    if h['enabled'] is False]
        self.assertTrue(disabled)


def _dc(hosts):
    return {'name': 'dc', 'defaults': {'cpu_allocation_ratio': 1.0,
                                       'ram_allocation_ratio': 1.0,
                                       'disk_allocation_ratio': 1.0},
            'flavors': {'m': {'vcpus': 2, 'ram_mb': 4096, 'disk_gb': 10}},
            'hosts': [{'name': n, 'rack': r, 'vcpus': 8, 'ram_mb': ram,
                       'disk_gb': 100} for n, r, ram in hosts]}


def _stack(servers, groups=(), pipes=()):
    res = dict((s, {'type': generator.SERVER, 'properties': {
        'flavor': 'm'}}) for s in servers)
    for name, kind, level, members in groups:
        res[name] = {'type': generator.GROUP, 'properties': {
            'group_name': name, 'group_type': kind, 'level': level,
            'resources': members}}
    for a, b in pipes:
        res['%s-%s' % (a, b)] = {'type': generator.PIPE, 'properties': {
            'resources': [a, b], 'bandwidth': {'min': 100}}}
    return res


class TestBaselines(base.TestCase):

    def test_nova_ignores_exclusivity_and_racks(self):
        # Nova spreads onto the emptiest hosts and knows no rack rules:
        # the checker catches it on the rack-diverse quorum sets.
        topology, existing, template = generator.make_instance(
            64, 0.9, 'quorum', 12, seed=0)
        res = template['resources']
        nova = baselines.nova_like(topology, existing, res)
        for fn in (baselines.greedy, baselines.rack_first):
            out = fn(topology, existing, res)
            self.assertEqual('ok', out['status'])
            self.assertEqual([], checker.check(topology, existing, res,
                                               out['placements']))
        self.assertEqual(12, len(nova['placements']))
        self.assertIn('diversity', [v.rule for v in checker.check(
            topology, existing, res, nova['placements'])])

    def test_rack_first_keeps_a_pod_with_its_peer(self):
        # r0 is the tighter fit, but only r1 holds the pod and its peer.
        topology = _dc([('a0', 'r0', 8192), ('a1', 'r0', 2048),
                        ('b0', 'r1', 32768), ('b1', 'r1', 32768)])
        res = _stack(['x', 'y', 'z'], [('pod', 'affinity', 'rack',
                                        ['x', 'y'])], [('x', 'z')])
        out = baselines.rack_first(topology, None, res)
        self.assertEqual('ok', out['status'])
        self.assertEqual({'r1'}, set(p['rack'] for p in
                                     out['placements'].values()))
        self.assertEqual(0, checker.measure(topology, None, res, out[
            'placements'])['cross_rack_mbps'])

    def test_rack_first_splits_a_part_no_rack_holds(self):
        topology = _dc([('a0', 'r0', 8192), ('b0', 'r1', 4096)])
        res = _stack(['x', 'y', 'z'], [('pod', 'affinity', 'rack',
                                        ['x', 'y'])], [('x', 'z')])
        out = baselines.rack_first(topology, None, res)
        self.assertEqual('ok', out['status'])
        self.assertEqual('r0', out['placements']['x']['rack'])
        self.assertEqual('r1', out['placements']['z']['rack'])

    def test_rack_first_binds_running_members(self):
        topology = _dc([('a0', 'r0', 32768), ('b0', 'r1', 32768),
                        ('c0', 'r2', 32768)])
        existing = {'servers': [{'id': 'old', 'host': 'a0', 'flavor': 'm',
                                 'groups': [{'name': 'q', 'type':
                                             'diversity', 'level': 'rack'}]}]}
        res = _stack(['x', 'y'], [('q', 'diversity', 'rack', ['x', 'y'])],
                     [('x', 'y')])
        out = baselines.rack_first(topology, existing, res)
        self.assertEqual('ok', out['status'])
        self.assertEqual({'r1', 'r2'}, set(p['rack'] for p in
                                           out['placements'].values()))
        # No room for a third rack-diverse member: a failure, not a plan.
        res = _stack(['x', 'y', 'w'], [('q', 'diversity', 'rack',
                                        ['x', 'y', 'w'])])
        self.assertEqual('failed', baselines.rack_first(
            topology, existing, res)['status'])

    def test_rack_first_valid_on_the_large_family(self):
        topology, existing, template = generator.make_instance(
            128, 0.7, 'enterprise', 40, seed=1)
        res = template['resources']
        out = baselines.rack_first(topology, existing, res)
        self.assertEqual('ok', out['status'])
        self.assertEqual([], checker.check(topology, existing, res,
                                           out['placements']))


class TestRunner(base.TestCase):

    def test_quick_mode_end_to_end(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        rst, raw = os.path.join(tmp, 'b.rst'), os.path.join(tmp, 'b.json')
        out = io.StringIO()
        with mock.patch('sys.stdout', out), mock.patch('sys.stderr',
                                                       io.StringIO()):
            self.assertEqual(0, run.main(['--quick', '--tiny', '--rst', rst,
                                          '--json', raw]))
        text = out.getvalue()
        for word in ('nova', 'greedy', 'rack_first', 'exact', 'valet',
                     'PASS', 'enterprise', 'floor'):
            self.assertIn(word, text)
        with open(raw) as f:
            doc = json.load(f)
        rows = doc['rows'] + doc['large_rows']
        self.assertEqual({'nova', 'greedy', 'rack_first', 'exact', 'valet'},
                         set(r['algo'] for r in rows))
        self.assertEqual({'enterprise'}, set(
            r['family'] for r in doc['large_rows']))
        self.assertEqual(0, sum(r['violations'] for r in rows
                                if r['algo'] in ('rack_first', 'exact')))
        self.assertEqual([0], doc['cli']['cases'][0]['exit_codes'])
        with open(rst) as f:
            self.assertIn('=====', f.read())

    def test_one_part_and_one_family(self):
        out = io.StringIO()
        with mock.patch('sys.stdout', out), mock.patch('sys.stderr',
                                                       io.StringIO()):
            run.main(['--tiny', '--only', 'small', '--family', 'quorum'])
        text = out.getvalue()
        self.assertIn('quorum', text)
        self.assertNotIn('web ', text)
        self.assertNotIn('enterprise', text)
        self.assertIn('not run', text)


class TestCli(base.TestCase):

    def test_measure_case_records_exit_codes(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        paths = generator.write(tmp, *generator.make_instance(
            32, 0.5, 'web', 5))
        ok = [sys.executable, '-c', 'import sys; sys.exit(1)', 'fake']
        case = cli.measure_case(paths, 2, ok)
        self.assertEqual([1], case['exit_codes'])
        self.assertEqual([], case['errors'])
        self.assertEqual(2, case['runs'])
        bad = [sys.executable, '-c',
               'import sys; sys.stderr.write("bad"); sys.exit(2)', 'fake']
        case = cli.measure_case(paths, 1, bad)
        self.assertEqual(['bad'], case['errors'])

    def test_cli_targets(self):
        def case(hosts, floor, plan):
            return {'hosts': hosts, 'floor_median': floor, 'floor_min': floor,
                    'plan_median': plan, 'plan_min': plan, 'errors': []}

        found = targets.cli_targets({'cases': [case(32, 0.2, 0.45),
                                               case(5000, 2.0, 3.1)]})
        self.assertEqual(['PASS', 'FAIL'], [t['result'] for t in found])
        found = targets.cli_targets({'cases': [case(32, 0.2, 0.6)]})
        self.assertEqual(['FAIL', 'not run'], [t['result'] for t in found])


def _row(algo, cross, opened, violations=0, placed=True, family='web',
         load=0.5, seed=0, min_link=50, **kw):
    return dict({'algo': algo, 'cross_rack_mbps': cross,
                 'empty_hosts_opened': opened, 'violations': violations,
                 'placed': placed, 'family': family, 'load': load,
                 'seed': seed, 'hosts': 256, 'servers': 12,
                 'min_link_mbps': min_link}, **kw)


class TestTargets(base.TestCase):

    def test_never_worse_is_lexicographic(self):
        rows = [_row('valet', 100, 0, seed=0), _row('greedy', 200, 0, seed=0),
                # More traffic but fewer opened hosts: worse.
                _row('valet', 300, 0, seed=1), _row('greedy', 200, 5, seed=1),
                # Equal traffic, one host more: worse.
                _row('valet', 0, 2, seed=2), _row('greedy', 0, 1, seed=2),
                # The greedy failed: not compared.
                _row('valet', 0, 9, seed=3),
                _row('greedy', 0, 0, seed=3, placed=False),
                # Valet failed where the greedy placed: worse.
                _row('valet', 0, 0, seed=4, placed=False),
                _row('greedy', 0, 0, seed=4)]
        worse, compared = targets.never_worse(rows, 'greedy')
        self.assertEqual(4, compared)
        self.assertEqual([1, 2, 4], [w[0][4] for w in worse])

    def test_quality_targets_name_the_culprits(self):
        rows = [_row('valet', 100, 0, seed=0),
                _row('exact', 100, 0, seed=0, proven=True),
                _row('rack_first', 100, 0, seed=0),
                _row('valet', 150, 0, seed=1),
                _row('exact', 120, 0, seed=1, proven=True),
                _row('valet', 150, 0, seed=2),
                _row('exact', 200, 3, seed=2, proven=False),
                _row('valet', 0, 0, seed=3, violations=2),
                _row('valet', 0, 0, seed=4, placed=False),
                _row('exact', 50, 0, seed=4, proven=False)]
        found = dict((t['name'][:20], t)
                     for t in targets.quality_targets(rows))
        self.assertEqual('FAIL', found['0 rule violations on']['result'])
        self.assertIn('seed 3', found['0 rule violations on'][
            'culprits'][0])
        self.assertEqual(1, len(found['A placement wherever']['culprits']))
        self.assertEqual('PASS', found['Never worse than the']['result'])
        optimum = found['At the proven CP-SAT']
        self.assertEqual(['FAIL'], [optimum['result']])
        self.assertIn('seed 1', optimum['culprits'][0])
        feasible = found['Never worse than a C']
        self.assertEqual('FAIL', feasible['result'])
        self.assertEqual(1, len(feasible['culprits']))

    def test_relative_gap(self):
        self.assertEqual(0.0, targets.relative_gap(_row('valet', 500, 2),
                                                   (500, 2)))
        self.assertEqual(0.25, targets.relative_gap(_row('valet', 500, 0),
                                                    (400, 3)))
        # Optimum 0: the unit is the smallest link (50 Mbps), one host.
        self.assertEqual(2.0, targets.relative_gap(_row('valet', 100, 0),
                                                   (0, 0)))
        self.assertEqual(0.5, targets.relative_gap(_row('valet', 100, 3),
                                                   (100, 2)))
        self.assertEqual(1.0, targets.relative_gap(_row('valet', 100, 1),
                                                   (100, 0)))

    def test_reduction_vs_nova(self):
        rows = [_row('valet', 100, 0, seed=0), _row('nova', 1000, 0, seed=0),
                _row('valet', 200, 0, seed=1), _row('nova', 1000, 0, seed=1),
                # Above the load limit, another family: not counted.
                _row('valet', 900, 0, load=0.95), _row('nova', 0, 0,
                                                       load=0.95),
                _row('valet', 900, 0, family='nfv'),
                _row('nova', 0, 0, family='nfv')]
        value, count = targets.reduction_vs_nova(rows, 'web')
        self.assertEqual(2, count)
        self.assertAlmostEqual(0.85, value)
        self.assertEqual((None, 0), targets.reduction_vs_nova(rows,
                                                              'quorum'))
