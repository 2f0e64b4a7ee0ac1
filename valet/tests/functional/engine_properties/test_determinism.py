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

"""The search's effort is counted in work: time never changes a plan.

engine.md: ``[engine] time_limit`` is only a safety cap that a healthy run
never reaches. These tests place generated stacks (with links, groups and
exclusivity) and compare whole results -- placements, metrics and the
search's work counters -- with ``metrics.elapsed_ms``, the one value that
measures time, left out. They assert no time. The whole-process variants
(cold CLI, warm process, busy machine) are in
``valet/tests/functional/engine/test_determinism.py``.
"""

import itertools
import time
from unittest import mock

from tools.benchmarks import engine_driver
from tools.benchmarks import generator
from valet.tests import base

#: (hosts, family, servers, seed): NFV chains, on which a search stopped
#: by the clock used to give plans that changed from run to run, and a
#: 3-tier web stack.
INSTANCES = ((256, 'nfv', 60, 1), (256, 'web', 60, 2))


def _outcome(result):
    """Everything a result says except how long it took."""
    metrics = dict(result.metrics)
    metrics.pop('elapsed_ms', None)
    stats = dict(result.stats)
    stats.pop('elapsed_ms', None)
    return {'status': result.status, 'placements': result.placements,
            'metrics': metrics, 'stats': stats, 'reason': result.reason}


class TestTimeNeverDecides(base.TestCase):

    def _place_all(self):
        """Place every instance with ``self.conf``; return the outcomes."""
        found = []
        for hosts, family, servers, seed in INSTANCES:
            topology, existing, template = generator.make_instance(
                hosts, 0.7, family, servers, seed)
            dc = engine_driver.load_datacenter(self.conf, topology, existing)
            result = engine_driver.place(self.conf, dc, template)
            self.assertTrue(result.ok, result.reason)
            # A healthy run: the safety cap played no part.
            self.assertFalse(result.stats.get('capped'), result.stats)
            found.append(_outcome(result))
        return found

    def test_time_limit_does_not_change_a_healthy_run(self):
        default = self._place_all()
        self.flags(time_limit=30.0, group='engine')
        self.assertEqual(default, self._place_all())

    def test_repeated_runs_in_one_process(self):
        first = self._place_all()
        for _run in range(2):
            self.assertEqual(first, self._place_all())

    def _with_clock(self, tick):
        """Place everything under a clock that moves ``tick`` s per reading.
        """
        start = time.monotonic()
        ticks = itertools.count(1)

        def clock():
            return start + next(ticks) * tick

        with mock.patch('time.monotonic', clock):
            return self._place_all()

    def test_the_clock_never_decides(self):
        # Under a clock that hardly moves, a search that measured its
        # effort in time would run on; under one that moves 20 ms per
        # reading, as on a machine far slower or busier than this one, it
        # would stop early. A healthy search reads the clock too seldom to
        # reach the 10 s safety cap even then.
        real = self._place_all()
        self.assertEqual(real, self._with_clock(1e-6))
        self.assertEqual(real, self._with_clock(0.02))
