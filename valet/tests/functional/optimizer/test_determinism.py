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

"""``valet-manage plan`` gives the same plan cold, warm and on a busy machine.

engine.md: the search's effort is counted in work, never in wall-clock
time, so the same input and seed give the same plan in a cold CLI process
(interpreter start, imports and plugin loading before the search), in a
warm process that has placed the same stack before, and while other
processes keep every core busy. Each test runs the installed console
script and :func:`valet.cmd.plan.run` on one input and compares their
stdout byte for byte, with one value masked: ``metrics.elapsed_ms``, the
only field that measures time. The tests assert no time. They need no
database or bus.
"""

import io
import os
import re
import subprocess
import sys

import fixtures

from tools.benchmarks import generator
from valet.cmd import manage
from valet.cmd import plan
from valet.tests import base

SAMPLES = os.path.abspath(os.path.join(
    os.path.dirname(__file__), '..', '..', '..', '..', 'etc', 'valet',
    'samples'))
VALET_MANAGE = os.path.join(os.path.dirname(sys.executable), 'valet-manage')
ELAPSED = re.compile(r'"elapsed_ms": -?[0-9][0-9.eE+-]*')
MASK = '"elapsed_ms": "(masked)"'
#: In-process runs of the same arguments, one after the other.
WARM_RUNS = 3
#: Generous bound on one cold run; never asserted as a duration.
RUN_WAIT = 300
BUSY_LOOP = 'while True:\n    pass\n'
SAMPLE_TEMPLATES = ('web-3tier', 'affinity', 'diversity', 'exclusivity',
                    'quorum')


def mask_elapsed(text):
    """``text`` with the value of ``metrics.elapsed_ms`` masked.

    :returns: ``(masked text, number of values masked)``.
    """
    return ELAPSED.subn(MASK, text)


class PlanDeterminismTest(base.TestCase):
    """Cold, warm and loaded runs of one input print the same plan."""

    def setUp(self):
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path
        # An empty configuration file: neither run reads a config file of
        # the machine, so both see the same defaults.
        self.config = os.path.join(self.tmp, 'valet.conf')
        with open(self.config, 'w'):
            pass

    def _argv(self, topology, template, existing=None):
        argv = ['--config-file', self.config, 'plan',
                '--topology', topology, '--template', template]
        if existing:
            argv += ['--existing', existing]
        return argv

    def _cold(self, argv):
        """Run the console script in a new process; return (rc, stdout).

        The child gets a random hash seed of its own (the warm runs use
        this process's), so no result may depend on the order of a set.
        """
        proc = subprocess.run([VALET_MANAGE] + argv, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=RUN_WAIT,
                              env=dict(os.environ, PYTHONHASHSEED='random'))
        return proc.returncode, proc.stdout.decode('utf-8')

    def _warm(self, argv):
        """Run ``plan.run`` in this process; return (rc, stdout)."""
        conf = manage.build_conf(argv)
        out, err = io.StringIO(), io.StringIO()
        code = plan.run(conf, conf.command, stdout=out, stderr=err)
        self.assertEqual('', err.getvalue())
        return code, out.getvalue()

    def _keep_cores_busy(self):
        """Start one busy loop per core; they are killed at cleanup."""
        for _i in range(os.cpu_count() or 1):
            proc = subprocess.Popen([sys.executable, '-c', BUSY_LOOP])
            self.addCleanup(proc.wait)
            self.addCleanup(proc.kill)

    def _quiet(self, argv, label):
        """A cold run, then warm runs: the same masked stdout each time.

        :returns: ``(exit code, masked stdout)`` of the cold run.
        """
        code, cold = self._cold(argv)
        self.assertEqual(0, code, '%s: %s' % (label, cold))
        expected, masked = mask_elapsed(cold)
        # The mask hides the one timed value, nothing else.
        self.assertEqual(1, masked, '%s: %s' % (label, cold))
        for run in range(WARM_RUNS):
            warm_code, warm = self._warm(argv)
            self.assertEqual((code, expected), (warm_code, mask_elapsed(
                warm)[0]), '%s: warm run %d' % (label, run))
        return code, expected

    def _busy(self, runs):
        """Cold runs while every core is busy: the same masked stdout.

        :param runs: ``[(label, argv, (exit code, masked stdout))]``.
        """
        self._keep_cores_busy()
        for label, argv, (code, expected) in runs:
            busy_code, busy = self._cold(argv)
            self.assertEqual((code, expected), (busy_code, mask_elapsed(
                busy)[0]), '%s: cold run with every core busy' % label)

    def _generated(self, n_hosts, family, n_servers, seed, load=0.7):
        topology, existing, template = generator.write(
            os.path.join(self.tmp, '%s-%d' % (family, n_hosts)),
            *generator.make_instance(
                n_hosts, load, family, n_servers, seed))
        return self._argv(topology, template, existing)

    def test_web_stack_on_512_hosts(self):
        # 90 servers: pods with rack affinity, tier diversity, links.
        argv = self._generated(512, 'web', 90, seed=11)
        found = self._quiet(argv, 'web')
        self.assertEqual(90, found[1].count('"host": '))
        self._busy([('web', argv, found)])

    def test_nfv_stacks(self):
        # 60 servers in NFV chains with exclusivity and links: inputs on
        # which a search stopped by the clock gave another plan in a cold
        # process than in a warm one, or changed from one warm run to the
        # next.
        runs = []
        for hosts, seed in ((256, 1), (1024, 2)):
            label = 'nfv on %d hosts' % hosts
            argv = self._generated(hosts, 'nfv', 60, seed)
            found = self._quiet(argv, label)
            self.assertEqual(60, found[1].count('"host": '), label)
            runs.append((label, argv, found))
        self._busy(runs)

    def test_samples(self):
        # The samples' named groups are defined in existing.yaml.
        topology = os.path.join(SAMPLES, 'datacenter.yaml')
        existing = os.path.join(SAMPLES, 'existing.yaml')
        runs = []
        for name in SAMPLE_TEMPLATES:
            argv = self._argv(topology, os.path.join(
                SAMPLES, name + '.yaml'), existing)
            runs.append((name, argv, self._quiet(argv, name)))
        self._busy(runs)
