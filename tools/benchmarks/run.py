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

"""Side-by-side benchmark of Valet's optimizer and its alternatives.

One run, the same seeded instances for everyone: the Nova-like baseline,
the Valet 1.0-like greedy, the rack-first greedy, the CP-SAT optimum
(small instances, and the first few large ones) and Valet's default
optimizer. Every placement is judged by the independent checker
(``valet.tests.checker``), never by the engine itself. The parts:

* ``small``: the four small families on small data centers;
* ``large``: the enterprise family, 200-300-server stacks on 1,024-2,000
  hosts;
* ``scale``: latency at 1,024 and 5,000 hosts, servers per second without
  group rules, the memory of a 5,000-host model with 50,000 servers (in a
  subprocess);
* ``cli``: ``valet-manage plan`` as a whole process beside the floor of
  the machine (see :mod:`tools.benchmarks.cli`);
* ``service``: valet-api under uwsgi, valet-engine, MariaDB and RabbitMQ
  started on this machine: the service's overhead beside the library
  call, the Nova filter's hot path, one engine against two (see
  :mod:`tools.benchmarks.service`).

Usage::

    python -m tools.benchmarks.run [--quick] [--only PART] [--family NAME]
                                   [--rst FILE] [--json FILE]
"""

import argparse
import json
import os
import subprocess
import sys
import time

from tools.benchmarks import cli as cli_mod
from tools.benchmarks import engine_driver
from tools.benchmarks import generator
from tools.benchmarks import quality
from tools.benchmarks import report
from tools.benchmarks import service as service_mod

PARTS = ('small', 'large', 'scale', 'cli', 'service')
#: Large instances: (hosts, servers, load, seed). CP-SAT runs on the first
#: ``large_exact`` of them (a minute each, and about 1 GB of memory).
LARGE = ((1024, 200, 0.5, 0), (1024, 250, 0.7, 1), (1536, 300, 0.9, 2),
         (2000, 250, 0.6, 3), (1024, 300, 0.8, 4), (1536, 200, 0.7, 5),
         (1536, 250, 0.5, 6), (2000, 200, 0.9, 7), (2000, 300, 0.8, 8),
         (1024, 250, 0.9, 9))
FULL = {'quality_hosts': 256, 'loads': (0.5, 0.7, 0.85, 0.95, 0.98),
        'sizes': (12, 30), 'seeds': 4, 'exact_limit': 60.0,
        'exact_max': (30, 256), 'large': LARGE, 'large_exact': 4,
        'mid': (1024, 100), 'big': (5000, 300), 'scale_seeds': 5,
        'repeats': 5, 'rss': (5000, 50000),
        'cli': ((32, 'web', 12), (1024, 'web', 100), (5000, 'web', 300)),
        'cli_runs': 5,
        'service': {'hosts': 1024, 'servers': 100, 'runs': 30, 'warmup': 2,
                    'uwsgi': service_mod.UWSGI, 'hot_plans': 20,
                    'hot_threads': 32, 'multi_stacks': 40,
                    'multi_servers': 20, 'multi_threads': 8}}
QUICK = {'quality_hosts': 64, 'loads': (0.7, 0.95), 'sizes': (8,),
         'seeds': 1, 'exact_limit': 10.0, 'exact_max': (30, 256),
         'large': ((1024, 200, 0.7, 0),), 'large_exact': 0,
         'mid': (256, 30), 'big': (512, 60), 'scale_seeds': 1, 'repeats': 2,
         'rss': (512, 5000), 'cli': ((32, 'web', 12), (1024, 'web', 100),
                                     (5000, 'web', 300)),
         'cli_runs': 1,
         'service': {'hosts': 1024, 'servers': 100, 'runs': 5, 'warmup': 1,
                     'uwsgi': service_mod.UWSGI, 'hot_plans': 4,
                     'hot_threads': 32, 'multi_stacks': 10,
                     'multi_servers': 20, 'multi_threads': 8}}
#: No services in the unit tests' run.
TINY = {'quality_hosts': 32, 'loads': (0.7,), 'sizes': (5,), 'seeds': 1,
        'exact_limit': 5.0, 'exact_max': (30, 256),
        'large': ((128, 40, 0.7, 1),), 'large_exact': 1,
        'mid': (32, 5), 'big': (48, 6), 'scale_seeds': 1, 'repeats': 1,
        'rss': (32, 100), 'cli': ((32, 'web', 5),), 'cli_runs': 1,
        'service': None}


def _latencies(conf, cfg, hosts, servers, families, log):
    """Repeated calls per instance.

    Returns the times, the verdicts, and how many instances got the same
    plan on every repeat.
    """
    found, results, same = [], [], 0
    for family in families:
        for seed in range(cfg['scale_seeds']):
            topology, existing, template = generator.make_instance(
                hosts, 0.7, family, servers, seed)
            dc = engine_driver.load_datacenter(conf, topology, existing)
            plans = []
            for _repeat in range(cfg['repeats']):
                result, ms = quality.timed(engine_driver.place, conf, dc,
                                           template)
                found.append(ms)
                plans.append((result.status, result.placements))
            same += all(plan == plans[0] for plan in plans)
            results.append(quality.judge(topology, existing, template,
                                         result.status, result.placements))
            log('scale %d hosts %d servers %s seed=%d: %.0f ms %s' % (
                hosts, servers, family, seed, ms, result.status))
    return found, results, same


def rss_child(hosts, servers):
    """Build a data center in this process; print its RSS as JSON."""
    def rss_mb():
        with open('/proc/self/status') as status:
            for line in status:
                if line.startswith('VmRSS:'):
                    return int(line.split()[1]) / 1024.0
        return 0.0

    conf = engine_driver.make_conf()
    topology, existing = generator.make_datacenter(hosts, 0.75, 0,
                                                   known_share=1.0)
    existing['servers'] = existing['servers'][:servers]
    before = rss_mb()
    dc = engine_driver.load_datacenter(conf, topology, existing)
    del topology, existing
    print(json.dumps({'hosts': dc.n_hosts, 'servers': len(dc.server_ids),
                      'rss_mb': rss_mb(), 'rss_before_mb': before}))


def run_scale(conf, cfg, log):
    """Latency, throughput and memory figures of Valet alone."""
    out = {}
    hosts, servers = cfg['mid']
    out['mid'] = (hosts, servers) + _latencies(
        conf, cfg, hosts, servers, generator.FAMILIES, log)
    hosts, servers = cfg['big']
    out['big'] = (hosts, servers) + _latencies(
        conf, cfg, hosts, servers, generator.FAMILIES, log)
    out['flat'] = (hosts, servers) + _latencies(
        conf, cfg, hosts, servers, ('dataparallel',), log)
    hosts, servers = cfg['rss']
    child = subprocess.run(
        [sys.executable, '-m', 'tools.benchmarks.run', '--rss-child',
         str(hosts), str(servers)], capture_output=True, text=True,
        check=True)
    out['rss'] = json.loads(child.stdout.strip().splitlines()[-1])
    log('rss: %s' % out['rss'])
    return out


def _pin():
    """Run on one core so that latencies do not depend on the others.

    Returns (pinned core, cores to restore) or (None, None).
    """
    try:
        cores = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cores[-1]})
        return cores[-1], cores
    except (AttributeError, OSError):
        return None, None


def _parser():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--quick', action='store_true',
                        help='small run for CI smoke tests (< 60 s)')
    parser.add_argument('--tiny', action='store_true',
                        help=argparse.SUPPRESS)
    parser.add_argument('--only', action='append', choices=PARTS,
                        metavar='PART',
                        help='run only this part (repeatable): %s' %
                        ', '.join(PARTS))
    parser.add_argument('--family', action='append',
                        choices=generator.ALL_FAMILIES, metavar='NAME',
                        help='quality parts on this family only '
                             '(repeatable): %s' %
                        ', '.join(generator.ALL_FAMILIES))
    parser.add_argument('--rst', help='also write the report as RST here')
    parser.add_argument('--json', help='also write the raw results here')
    parser.add_argument('--rss-child', nargs=2, type=int,
                        help=argparse.SUPPRESS)
    return parser


def main(argv=None):
    """Run the benchmark and print (and optionally save) the report."""
    args = _parser().parse_args(argv)
    if args.rss_child:
        rss_child(*args.rss_child)
        return 0
    cfg = TINY if args.tiny else QUICK if args.quick else FULL
    core, cores = _pin()
    try:
        return _run(args, cfg, core)
    finally:
        if cores:
            os.sched_setaffinity(0, cores)


def _run(args, cfg, core):

    def log(message):
        print(message, file=sys.stderr, flush=True)

    parts = set(args.only or PARTS)
    families = args.family or generator.ALL_FAMILIES
    conf = engine_driver.make_conf()
    started = time.time()
    rows, large = [], []
    scale = cli = service = None
    if 'small' in parts:
        rows = quality.run_small(conf, cfg, [
            f for f in families if f in generator.FAMILIES], log)
    if 'large' in parts:
        large = quality.run_large(conf, cfg, [
            f for f in families if f in generator.LARGE_FAMILIES], log)
    if 'scale' in parts:
        scale = run_scale(conf, cfg, log)
    if 'cli' in parts:
        cli = cli_mod.run_cli(cfg, log)
    if 'service' in parts:
        service = service_mod.run_service(cfg, log)
    results = report.summarize(rows, large, scale, cli, service)
    results['machine'] = report.machine(core, time.time() - started,
                                        'tiny' if args.tiny else
                                        'quick' if args.quick else 'full')
    print(report.text(results))
    if args.rst:
        with open(args.rst, 'w') as out:
            out.write(report.rst(results))
    if args.json:
        with open(args.json, 'w') as out:
            json.dump({'rows': rows, 'large_rows': large, 'scale': scale,
                       'cli': cli, 'service': service,
                       'results': results}, out, indent=1,
                      default=str)
    return 0


if __name__ == '__main__':
    sys.exit(main())
