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
