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

"""The search's effort: work budgets, and the clock as a safety cap only.

No test here measures time: the clock is either far away or already past.
"""

import time
from unittest import mock

from valet.optimizer import api
from valet.optimizer import plugins
from valet.optimizer.search import effort as effort_mod
from valet.tests import base
from valet.tests.unit.optimizer import fakes


class TestEffort(base.TestCase):

    def test_budget_counts_work(self):
        tally = {}
        effort = effort_mod.Effort(3, float('inf'), tally, 'moves')
        self.assertEqual([True, True, True, False],
                         [effort.spend() for _ in range(4)])
        self.assertTrue(effort.out())
        self.assertEqual({'moves': 3}, tally)

    def test_phases_share_the_tally(self):
        tally = {}
        effort_mod.Effort(5, float('inf'), tally, 'moves').spend(2)
        other = effort_mod.Effort(5, float('inf'), tally, 'moves')
        other.charge(4)
        self.assertEqual({'moves': 6}, tally)
        self.assertFalse(other.out())

    def test_past_the_cap(self):
        tally = {}
        effort = effort_mod.Effort(100, time.monotonic() - 1.0, tally, 'x')
        self.assertFalse(effort.spend())
        self.assertTrue(effort.out())
        self.assertTrue(effort.past_cap())
        self.assertEqual({'x': 0, 'capped': True}, tally)


def _linked_stack():
    # Servers that do not all fit one host, with links: the local search
    # has work to do.
    resources = {'s%d' % i: fakes.server('big') for i in range(4)}
    resources['lb'] = fakes.server('medium')
    for i in range(4):
        resources['p%d' % i] = fakes.pipe('lb', 's%d' % i, 100)
    return resources


class TestDeterministicSearch(base.TestCase):

    def setUp(self):
        super().setUp()
        self.dc = fakes.datacenter(self.conf, fakes.topology(
            racks=3, hosts_per_rack=3, vcpus=16, ram_mb=16384))
        self.stack = fakes.stack(self.dc, _linked_stack())

    def test_the_clock_starts_after_the_plugins_are_loaded(self):
        real = plugins.load_optimizer

        def slow_load(*args, **kwargs):
            # A cold process: loading takes longer than the whole cap.
            clock[0] += 100.0
            return real(*args, **kwargs)

        clock = [1000.0]
        with mock.patch.object(plugins, 'load_optimizer', slow_load), \
                mock.patch.object(api.time, 'monotonic',
                                  lambda: clock[0]), \
                mock.patch.object(effort_mod.time, 'monotonic',
                                  lambda: clock[0]):
            result = api.place_stack(self.conf, self.dc, self.stack,
                                     time_limit=50.0)
        self.assertTrue(result.ok, result.reason)
        self.assertNotIn('capped', result.stats)

    def test_a_generous_cap_changes_nothing(self):
        first = api.place_stack(self.conf, self.dc, self.stack)
        second = api.place_stack(self.conf, self.dc, self.stack,
                                 time_limit=3600.0)
        self.assertEqual(first.placements, second.placements)
        self.assertNotIn('capped', first.stats)
        work = {k: v for k, v in first.stats.items() if k.endswith('_tried')}
        self.assertEqual(work, {k: v for k, v in second.stats.items()
                                if k.endswith('_tried')})

    def test_the_cap_only_cuts_the_improvement(self):
        # Only the phases' clock jumps past the cap.
        late = mock.Mock(monotonic=lambda: float('inf'))
        with mock.patch.object(effort_mod, 'time', late):
            result = api.place_stack(self.conf, self.dc, self.stack)
        self.assertTrue(result.ok, result.reason)
        if not result.stats.get('at_lower_bound'):
            self.assertTrue(result.stats.get('capped'))

    def test_effort_zero_skips_the_improvement(self):
        self.flags(group='engine', search_effort=0.0)
        result = api.place_stack(self.conf, self.dc, self.stack)
        self.assertTrue(result.ok, result.reason)
        self.assertEqual(0, result.stats['moves'])
        self.assertNotIn('moves_tried', result.stats)

    def test_time_limit_zero_only_skips_the_improvement(self):
        result = api.place_stack(self.conf, self.dc, self.stack,
                                 time_limit=0)
        self.assertTrue(result.ok, result.reason)
        self.assertNotIn('capped', result.stats)
        self.assertNotIn('moves_tried', result.stats)
        self.assertEqual(0, result.stats['moves'])
