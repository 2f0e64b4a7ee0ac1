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

"""Every contender on the same instance, judged by the independent checker.

One row per (instance, contender): ``nova``, ``greedy`` (Valet 1.0-like),
``rack_first``, ``exact`` (CP-SAT, when asked) and ``valet``. Each row
names its instance (family, hosts, servers, load, seed) and holds the
checker's verdict: placed or not, violations, cross-rack Mbps, empty hosts
opened; Valet's row also keeps the search's counters (``stats``) and
whether a second call gave the same plan.
"""

import time

from tools.benchmarks import baselines
from tools.benchmarks import engine_driver
from tools.benchmarks import generator
from valet.tests import checker

BASELINES = (('nova', baselines.nova_like), ('greedy', baselines.greedy),
             ('rack_first', baselines.rack_first))


def judge(topology, existing, template, status, placements):
    """Independent verdict: placed?, violations, metrics."""
    res = template['resources']
    if status != 'ok':
        return {'placed': False, 'violations': 0}
    return dict(checker.measure(topology, existing, res, placements),
                placed=True, violations=len(checker.check(
                    topology, existing, res, placements)))


def min_link(resources):
    """Smallest pipe bandwidth of a template (the unit of a 0 optimum)."""
    found = [r['properties']['bandwidth']['min']
             for r in resources.values() if r['type'] == generator.PIPE]
    return min(found) if found else None


def timed(fn, *args, **kw):
    """Return ``(fn(*args, **kw), milliseconds)``."""
    start = time.perf_counter()
    out = fn(*args, **kw)
    return out, (time.perf_counter() - start) * 1000.0


def _numbers(stats):
    """The search's counters: numbers and flags, not the wall time."""
    return dict((k, v) for k, v in (stats or {}).items()
                if isinstance(v, (bool, int, float)) and k != 'elapsed_ms')


def _exact_row(conf, dc, template, limit):
    result, ms = timed(engine_driver.place, conf, dc, template,
                       optimizer='exact', time_limit=limit)
    proven = result.stats.get('proven')
    proven = isinstance(proven, list) and len(proven) >= 2 and all(
        proven[:2])
    # Failing before the deadline is a proof of infeasibility.
    infeasible = not result.ok and 'deadline' not in (result.reason or '')
    if result.ok:
        status = 'optimal' if proven else 'feasible'
    else:
        status = 'infeasible' if infeasible else 'unknown'
    return result, ms, {'proven': proven, 'infeasible': infeasible,
                        'exact_status': status,
                        'optimal': bool(result.stats.get('optimal'))}


def one_instance(conf, family, hosts, load, seed, n_servers,
                 exact_limit=None):
    """All contenders on one seeded instance; return their rows.

    ``exact_limit`` (seconds) runs CP-SAT too; None leaves it out.
    """
    topology, existing, template = generator.make_instance(
        hosts, load, family, n_servers, seed)
    dc = engine_driver.load_datacenter(conf, topology, existing)
    res = template['resources']
    rows = []
    for algo, fn in BASELINES:
        state = baselines.prepare(algo, topology, existing, res)
        out, ms = timed(fn, topology, existing, res, state=state)
        rows.append(dict(judge(topology, existing, template,
                               out['status'], out['placements']),
                         algo=algo, ms=ms))
    result, ms = timed(engine_driver.place, conf, dc, template)
    again = engine_driver.place(conf, dc, template)
    rows.append(dict(judge(topology, existing, template, result.status,
                           result.placements), algo='valet', ms=ms,
                     stats=_numbers(result.stats), reason=result.reason,
                     repeat_identical=(again.status == result.status and
                                       again.placements ==
                                       result.placements)))
    if exact_limit:
        result, ms, extra = _exact_row(conf, dc, template, exact_limit)
        rows.append(dict(judge(topology, existing, template, result.status,
                               result.placements), algo='exact', ms=ms,
                         **extra))
    for row in rows:
        row.update(family=family, hosts=hosts, load=load, seed=seed,
                   servers=n_servers, min_link_mbps=min_link(res))
    return rows


def _log_line(rows):
    first = rows[0]
    return '%s %dh/%ds load=%.2f seed=%d: %s' % (
        first['family'], first['hosts'], first['servers'], first['load'],
        first['seed'], ' '.join(
            '%s=%.0fms%s' % (r['algo'], r['ms'], '' if r['placed'] else '!')
            for r in rows))


def run_small(conf, cfg, families, log):
    """The side-by-side grid of the small families on small data centers."""
    rows = []
    hosts = cfg['quality_hosts']
    for family in families:
        for load in cfg['loads']:
            for seed in range(cfg['seeds']):
                size = cfg['sizes'][seed % len(cfg['sizes'])]
                exact = cfg['exact_limit'] if (
                    size <= cfg['exact_max'][0] and
                    hosts <= cfg['exact_max'][1]) else None
                found = one_instance(conf, family, hosts, load, seed, size,
                                     exact)
                log('quality ' + _log_line(found))
                rows.extend(found)
    return rows


def run_large(conf, cfg, families, log):
    """The large families: each listed instance, CP-SAT on the first few."""
    rows = []
    for family in families:
        for i, (hosts, servers, load, seed) in enumerate(cfg['large']):
            exact = cfg['exact_limit'] if i < cfg['large_exact'] else None
            found = one_instance(conf, family, hosts, load, seed, servers,
                                 exact)
            log('large ' + _log_line(found))
            rows.extend(found)
    return rows
