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

import io
import json
import os
from unittest import mock

import fixtures

from tools.benchmarks import baselines
from tools.benchmarks import generator
from tools.benchmarks import report
from tools.benchmarks import run
from valet.tests import base
from valet.tests import checker


class TestGenerator(base.TestCase):

    def test_seeded_and_well_formed(self):
        for family in generator.FAMILIES:
            first = generator.make_instance(64, 0.8, family, 12, seed=3)
            self.assertEqual(first, generator.make_instance(
                64, 0.8, family, 12, seed=3))
            topology, existing, template = first
            servers = [r for r in template['resources'].values()
                       if r['type'] == generator.SERVER]
            self.assertEqual(12, len(servers))
            self.assertEqual([], checker.validate(template['resources'],
                                                  existing))
            self.assertEqual(64, len(topology['hosts']))

    def test_bad_family(self):
        self.assertRaises(ValueError, generator.make_stack, 'nope', 5)

    def test_write_files(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        paths = generator.write(tmp, *generator.make_instance(
            32, 0.5, 'quorum', 6))
        self.assertEqual(['topology.yaml', 'existing.yaml', 'template.yaml'],
                         [os.path.basename(p) for p in paths])


class TestBaselines(base.TestCase):

    def test_nova_ignores_exclusivity_and_racks(self):
        # Nova spreads onto the emptiest hosts and knows no rack rules:
        # the checker catches it on the rack-diverse quorum sets.
        topology, existing, template = generator.make_instance(
            64, 0.9, 'quorum', 12, seed=0)
        res = template['resources']
        nova = baselines.nova_like(topology, existing, res)
        greedy = baselines.greedy(topology, existing, res)
        self.assertEqual('ok', greedy['status'])
        self.assertEqual([], checker.check(topology, existing, res,
                                           greedy['placements']))
        self.assertEqual(12, len(nova['placements']))
        self.assertIn('diversity', [v.rule for v in checker.check(
            topology, existing, res, nova['placements'])])


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
        for word in ('nova', 'greedy', 'exact', 'valet', 'PASS'):
            self.assertIn(word, text)
        with open(raw) as f:
            rows = json.load(f)['rows']
        self.assertEqual({'nova', 'greedy', 'exact', 'valet'},
                         set(r['algo'] for r in rows))
        self.assertEqual(0, sum(r['violations'] for r in rows
                                if r['algo'] in ('valet', 'exact')))
        with open(rst) as f:
            self.assertIn('=====', f.read())


def _row(algo, cross, opened, violations=0, placed=True, family='web',
         load=0.5, seed=0, min_link=50):
    return {'algo': algo, 'cross_rack_mbps': cross,
            'empty_hosts_opened': opened, 'violations': violations,
            'placed': placed, 'family': family, 'load': load, 'seed': seed,
            'min_link_mbps': min_link}


class TestTargets(base.TestCase):

    def test_worse_than_greedy_is_lexicographic(self):
        rows = [_row('valet', 100, 0, seed=0), _row('greedy', 200, 0, seed=0),
                # More traffic but fewer opened hosts: worse.
                _row('valet', 300, 0, seed=1), _row('greedy', 200, 5, seed=1),
                # Equal traffic, one host more: worse.
                _row('valet', 0, 2, seed=2), _row('greedy', 0, 1, seed=2),
                # The greedy failed: not compared.
                _row('valet', 0, 9, seed=3),
                _row('greedy', 0, 0, seed=3, placed=False)]
        worse, compared = report.worse_than_greedy(rows)
        self.assertEqual(3, compared)
        self.assertEqual([('web', 0.5, 1), ('web', 0.5, 2)], worse)

    def test_relative_gap(self):
        self.assertEqual(0.0, report.relative_gap(_row('valet', 500, 2),
                                                  (500, 2)))
        self.assertEqual(0.25, report.relative_gap(_row('valet', 500, 0),
                                                   (400, 3)))
        # Optimum 0: the unit is the smallest link (50 Mbps), one host.
        self.assertEqual(2.0, report.relative_gap(_row('valet', 100, 0),
                                                  (0, 0)))
        self.assertEqual(0.5, report.relative_gap(_row('valet', 100, 3),
                                                  (100, 2)))
        self.assertEqual(1.0, report.relative_gap(_row('valet', 100, 1),
                                                  (100, 0)))

    def test_relative_gaps_need_a_proven_optimum(self):
        rows = [_row('valet', 120, 0, seed=0), _row('valet', 0, 0, seed=1),
                _row('valet', 50, 0, seed=2, violations=1)]
        optima = {('web', 0.5, 0): (100, 0), ('web', 0.5, 2): (0, 0)}
        self.assertEqual([0.2], report.relative_gaps(rows, optima))

    def test_reduction_vs_nova(self):
        rows = [_row('valet', 100, 0, seed=0), _row('nova', 1000, 0, seed=0),
                _row('valet', 200, 0, seed=1), _row('nova', 1000, 0, seed=1),
                # Above the load limit, another family: not counted.
                _row('valet', 900, 0, load=0.95), _row('nova', 0, 0,
                                                       load=0.95),
                _row('valet', 900, 0, family='nfv'),
                _row('nova', 0, 0, family='nfv')]
        value, count = report.reduction_vs_nova(rows, 'web')
        self.assertEqual(2, count)
        self.assertAlmostEqual(0.85, value)
        self.assertEqual((None, 0), report.reduction_vs_nova(rows,
                                                             'quorum'))
