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

"""``valet-manage plan`` as a whole process, beside the machine's floor.

What a user waits for is the whole command: the interpreter, the imports,
reading the three files, placing, printing. Each case writes a seeded
instance as the three YAML files ``valet-manage plan`` reads, then runs,
interleaved, ``runs`` times each:

* the command users run: the installed ``valet-manage`` console script
  next to this interpreter (else ``python -c`` calling its ``main``, which
  the report says);
* the floor of the same machine: ``python -c`` importing numpy and parsing
  the same three files with libyaml (``yaml.CSafeLoader``).

Wall times are taken around the child process (``time.perf_counter``), so
they include starting the interpreter.
"""

import os
import subprocess
import sys
import tempfile
import time

from tools.benchmarks import generator

FLOOR = ('import sys\n'
         'import numpy\n'
         'import yaml\n'
         'for path in sys.argv[1:]:\n'
         '    with open(path) as stream:\n'
         '        yaml.load(stream, Loader=yaml.CSafeLoader)\n')
FALLBACK = ('import sys\n'
            'from valet.cmd import manage\n'
            'sys.exit(manage.main())\n')


def command():
    """Return ``(argv prefix, label)`` of the command users run."""
    script = os.path.join(os.path.dirname(sys.executable), 'valet-manage')
    if os.access(script, os.X_OK):
        return [script], 'valet-manage'
    return [sys.executable, '-c', FALLBACK, 'valet-manage'], \
        'python -c valet.cmd.manage.main (no console script found)'


def _run(argv):
    start = time.perf_counter()
    child = subprocess.run(argv, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - start
    return seconds, child.returncode, child.stderr.strip()[-300:]


def _median(values):
    values = sorted(values)
    mid = len(values) // 2
    if len(values) % 2:
        return values[mid]
    return (values[mid - 1] + values[mid]) / 2.0


def measure_case(paths, runs, prefix, plan_args=()):
    """Run floor and command alternately; return their figures.

    :param paths: ``(topology, existing, template)`` file paths.
    :param prefix: argv prefix of the command (see :func:`command`).
    """
    topology, existing, template = paths
    plan = prefix + ['plan', '--topology', topology, '--template', template,
                     '--existing', existing, '--format', 'json'] + list(
                         plan_args)
    floor = [sys.executable, '-c', FLOOR, topology, template, existing]
    found = {'floor': [], 'plan': []}
    codes, errors = [], []
    for i in range(runs):
        # Alternate which goes first, so that neither always runs on a
        # warmer page cache than the other.
        order = (('floor', floor), ('plan', plan))
        for name, argv in order if i % 2 == 0 else reversed(order):
            seconds, code, err = _run(argv)
            found[name].append(seconds)
            if name == 'plan':
                codes.append(code)
                if code not in (0, 1):
                    errors.append(err)
            elif code != 0:
                errors.append('floor: %s' % err)
    size = sum(os.path.getsize(p) for p in paths)
    return {'runs': runs, 'bytes': size,
            'floor_min': min(found['floor']),
            'floor_median': _median(found['floor']),
            'plan_min': min(found['plan']),
            'plan_median': _median(found['plan']),
            'exit_codes': sorted(set(codes)), 'errors': errors[:3]}


def run_cli(cfg, log, directory=None):
    """Measure each ``cfg['cli']`` case: ``(hosts, family, servers)``."""
    prefix, label = command()
    out = {'command': label, 'cases': []}
    with tempfile.TemporaryDirectory(prefix='valet-bench-',
                                     dir=directory) as tmp:
        for hosts, family, servers in cfg['cli']:
            where = os.path.join(tmp, '%d' % hosts)
            topology, existing, template = generator.write(
                where, *generator.make_instance(hosts, 0.7, family, servers,
                                                0))
            case = measure_case((topology, existing, template),
                                cfg['cli_runs'], prefix)
            case.update(hosts=hosts, family=family, servers=servers)
            out['cases'].append(case)
            log('cli %d hosts %d servers: floor %.2f/%.2f s, plan %.2f/%.2f'
                ' s (min/median), exit %s' % (
                    hosts, servers, case['floor_min'], case['floor_median'],
                    case['plan_min'], case['plan_median'],
                    case['exit_codes']))
    return out
