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
the Valet 1.0-like greedy, the CP-SAT optimum (small instances only) and
Valet's default optimizer. Every placement is judged by the independent
checker (``valet.tests.checker``), never by the engine itself. Then the
scale figures: latency at 1,024 and 5,000 hosts, servers per second
without group rules, and the memory of a 5,000-host model with 50,000
servers (in a subprocess).

Usage::

    python -m tools.benchmarks.run [--quick] [--rst FILE] [--json FILE]
"""

import argparse
import json
import os
import subprocess
import sys
import time

from tools.benchmarks import baselines
from tools.benchmarks import engine_driver
from tools.benchmarks import generator
from tools.benchmarks import report
from valet.tests import checker

FULL = {'quality_hosts': 256, 'loads': (0.5, 0.7, 0.85, 0.95, 0.98),
        'sizes': (12, 30), 'seeds': 4, 'exact_limit': 60.0,
        'mid': (1024, 100), 'big': (5000, 300), 'scale_seeds': 5,
        'repeats': 5, 'rss': (5000, 50000)}
QUICK = {'quality_hosts': 64, 'loads': (0.7, 0.95), 'sizes': (8,),
         'seeds': 1, 'exact_limit': 10.0, 'mid': (256, 30),
         'big': (512, 60), 'scale_seeds': 1, 'repeats': 2,
         'rss': (512, 5000)}
TINY = {'quality_hosts': 32, 'loads': (0.7,), 'sizes': (5,), 'seeds': 1,
        'exact_limit': 5.0, 'mid': (32, 5), 'big': (48, 6),
        'scale_seeds': 1, 'repeats': 1, 'rss': (32, 100)}
EXACT_MAX = (30, 256)


def _judge(topology, existing, template, status, placements):
    """Independent verdict: placed?, violations, metrics."""
    res = template['resources']
    if status != 'ok':
        return {'placed': False, 'violations': 0}
    return dict(checker.measure(topology, existing, res, placements),
                placed=True, violations=len(checker.check(
                    topology, existing, res, placements)))


def _min_link(resources):
    """Smallest pipe bandwidth of a template (the unit of a 0 optimum)."""
    found = [r['properties']['bandwidth']['min']
             for r in resources.values() if r['type'] == generator.PIPE]
    return min(found) if found else None


def _timed(fn, *args, **kw):
    start = time.perf_counter()
    out = fn(*args, **kw)
    return out, (time.perf_counter() - start) * 1000.0


def _one_instance(conf, cfg, family, load, seed, n_servers):
    hosts = cfg['quality_hosts']
    topology, existing, template = generator.make_instance(
        hosts, load, family, n_servers, seed)
    dc = engine_driver.load_datacenter(conf, topology, existing)
    res = template['resources']
    rows = []
    for algo, fn in (('nova', baselines.nova_like),
                     ('greedy', baselines.greedy)):
        state = baselines.prepare(algo, topology, existing, res)
        out, ms = _timed(fn, topology, existing, res, state=state)
        rows.append(dict(_judge(topology, existing, template,
                                out['status'], out['placements']),
                         algo=algo, ms=ms))
    result, ms = _timed(engine_driver.place, conf, dc, template)
    rows.append(dict(_judge(topology, existing, template, result.status,
                            result.placements), algo='valet', ms=ms))
    if n_servers <= EXACT_MAX[0] and hosts <= EXACT_MAX[1]:
        result, ms = _timed(engine_driver.place, conf, dc, template,
                            optimizer='exact',
                            time_limit=cfg['exact_limit'])
        proven = result.stats.get('proven') or []
        rows.append(dict(_judge(topology, existing, template, result.status,
                                result.placements), algo='exact', ms=ms,
                         optimal=bool(result.stats.get('optimal')),
                         proven=len(proven) >= 2 and all(proven[:2]),
                         # Failing before the deadline is a proof.
                         infeasible=not result.ok and 'deadline' not in (
                             result.reason or '')))
    for row in rows:
        row.update(family=family, load=load, seed=seed, servers=n_servers,
                   min_link_mbps=_min_link(res))
    return rows


def run_quality(conf, cfg, log):
    """The side-by-side grid on small data centers."""
    rows = []
    for family in generator.FAMILIES:
        for load in cfg['loads']:
            for seed in range(cfg['seeds']):
                size = cfg['sizes'][seed % len(cfg['sizes'])]
                rows.extend(_one_instance(conf, cfg, family, load, seed,
                                          size))
                log('quality %s load=%.2f seed=%d: %s' % (
                    family, load, seed, ' '.join(
                        '%s=%.0fms' % (r['algo'], r['ms'])
                        for r in rows[-4:] if r['seed'] == seed)))
    return rows


def _latencies(conf, cfg, hosts, servers, families, log):
    found, results = [], []
    for family in families:
        for seed in range(cfg['scale_seeds']):
            topology, existing, template = generator.make_instance(
                hosts, 0.7, family, servers, seed)
            dc = engine_driver.load_datacenter(conf, topology, existing)
            for _repeat in range(cfg['repeats']):
                result, ms = _timed(engine_driver.place, conf, dc, template)
                found.append(ms)
            results.append(_judge(topology, existing, template,
                                  result.status, result.placements))
            log('scale %d hosts %d servers %s seed=%d: %.0f ms %s' % (
                hosts, servers, family, seed, ms, result.status))
    return found, results


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


def main(argv=None):
    """Run the benchmark and print (and optionally save) the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--quick', action='store_true',
                        help='small run for CI smoke tests (< 60 s)')
    parser.add_argument('--tiny', action='store_true',
                        help=argparse.SUPPRESS)
    parser.add_argument('--rst', help='also write the report as RST here')
    parser.add_argument('--json', help='also write the raw results here')
    parser.add_argument('--rss-child', nargs=2, type=int,
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
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

    conf = engine_driver.make_conf()
    started = time.time()
    rows = run_quality(conf, cfg, log)
    scale = run_scale(conf, cfg, log)
    results = report.summarize(rows, scale)
    results['machine'] = report.machine(core, time.time() - started,
                                        'tiny' if args.tiny else
                                        'quick' if args.quick else 'full')
    print(report.text(results))
    if args.rst:
        with open(args.rst, 'w') as out:
            out.write(report.rst(results))
    if args.json:
        with open(args.json, 'w') as out:
            json.dump({'rows': rows, 'results': results}, out, indent=1,
                      default=str)
    return 0


if __name__ == '__main__':
    sys.exit(main())
