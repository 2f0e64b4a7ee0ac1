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

"""Summaries, target checklist and text/RST tables of the benchmark."""

import collections
import os
import platform

import numpy

ALGOS = ('nova', 'greedy', 'exact', 'valet')
HIGH_LOAD = 0.95
#: Load up to which the cross-rack target against Nova applies.
LOW_LOAD = 0.85
#: Families the cross-rack target against Nova applies to.
NOVA_FAMILIES = ('web', 'dataparallel')
COLUMNS = ('family', 'load', 'algo', 'runs', 'p50 ms', 'p99 ms', 'valid',
           'viol.', 'x-rack Mbps', 'opened', 'gap Mbps p50/p95',
           'gap opened p50/p95', 'rel. gap % p50/p95')


def _pct(values, q):
    return float(numpy.percentile(values, q)) if len(values) else None


def _mean(values):
    return float(numpy.mean(values)) if len(values) else None


def _fmt(value, digits=0):
    if value is None:
        return '-'
    # Adding 0.0 turns -0.0 into 0.0.
    return '%.*f' % (digits, round(value, digits) + 0.0)


def _optima(rows):
    """Proven optima (cross Mbps, opened) per instance."""
    found = {}
    for row in rows:
        if row['algo'] == 'exact' and row['placed'] and row.get('proven'):
            key = (row['family'], row['load'], row['seed'])
            found[key] = (row['cross_rack_mbps'], row['empty_hosts_opened'])
    return found


def _gaps(rows, optima):
    cross, opened = [], []
    for row in rows:
        key = (row['family'], row['load'], row['seed'])
        if key in optima and row['placed'] and not row['violations']:
            cross.append(row['cross_rack_mbps'] - optima[key][0])
            opened.append(row['empty_hosts_opened'] - optima[key][1])
    return cross, opened


def _line(rows, optima, family, load, algo):
    valid = [r for r in rows if r['placed'] and not r['violations']]
    placed = [r for r in rows if r['placed']]
    cross, opened = _gaps(rows, optima)
    ms = [r['ms'] for r in rows]
    return {'family': family, 'load': load, 'algo': algo, 'runs': len(rows),
            'p50_ms': _pct(ms, 50), 'p99_ms': _pct(ms, 99),
            'placed': len(placed), 'valid': len(valid),
            'violations': sum(r['violations'] for r in rows),
            'cross': _mean([r['cross_rack_mbps'] for r in valid]),
            'opened': _mean([r['empty_hosts_opened'] for r in valid]),
            'gap_cross': (_pct(cross, 50), _pct(cross, 95)),
            'gap_opened': (_pct(opened, 50), _pct(opened, 95)),
            'gap_rel': tuple(_pct(relative_gaps(rows, optima, None), q)
                             for q in (50, 95))}


def _key(row):
    return (row['family'], row['load'], row['seed'])


def _by_instance(rows):
    by = collections.defaultdict(dict)
    for row in rows:
        by[_key(row)][row['algo']] = row
    return by


def _lex(row):
    """The lexicographic objective of a placed row."""
    return (row['violations'], row['cross_rack_mbps'],
            row['empty_hosts_opened'])


def worse_than_greedy(rows):
    """Instances both place where Valet's objective is worse than greedy's.

    :returns: ``(worse instance keys, instances compared)``.
    """
    worse, compared = [], 0
    for key, algos in sorted(_by_instance(rows).items()):
        valet, greedy = algos.get('valet'), algos.get('greedy')
        if valet and greedy and valet['placed'] and greedy['placed']:
            compared += 1
            if _lex(valet) > _lex(greedy):
                worse.append(key)
    return worse, compared


def relative_gap(row, optimum):
    """Relative gap of a placement to the proven optimum, lexicographic.

    The first component of (cross-rack Mbps, empty hosts opened) in which
    the placement differs from the optimum decides: the gap is the
    difference divided by the optimum's value, or by one unit of that
    component (the smallest link bandwidth of the stack, one host) when
    the optimum's value is 0. Equal pairs have gap 0.
    """
    units = (max(row.get('min_link_mbps') or 1.0, 1e-9), 1.0)
    mine = (row['cross_rack_mbps'], row['empty_hosts_opened'])
    for value, best, unit in zip(mine, optimum, units):
        if abs(value - best) > 1e-9:
            return (value - best) / (best if best > 0 else unit)
    return 0.0


def relative_gaps(rows, optima, algo='valet'):
    """Relative gaps of ``algo`` (None: any) where the optimum is proven."""
    return [relative_gap(row, optima[_key(row)]) for row in rows
            if algo in (None, row['algo']) and _key(row) in optima and
            row['placed'] and not row['violations']]


def reduction_vs_nova(rows, family, max_load=LOW_LOAD):
    """1 - Valet's cross-rack Mbps / Nova's, summed over one family.

    Over the instances at load <= ``max_load`` where both placed every
    server (Nova's placement counts as it is: Nova does not know the rack
    rules it may break). Returns ``(reduction or None, instances)``.
    """
    mine = theirs = 0.0
    count = 0
    for key, algos in _by_instance(rows).items():
        valet, nova = algos.get('valet'), algos.get('nova')
        if key[0] != family or key[1] > max_load + 1e-9:
            continue
        if valet and nova and valet['placed'] and nova['placed']:
            mine += valet['cross_rack_mbps']
            theirs += nova['cross_rack_mbps']
            count += 1
    if not count or theirs <= 0:
        return None, count
    return 1.0 - mine / theirs, count


def _scale_line(entry):
    hosts, servers, found, results = entry
    return {'hosts': hosts, 'servers': servers,
            'p50_ms': _pct(found, 50), 'p99_ms': _pct(found, 99),
            'violations': sum(r['violations'] for r in results),
            'placed': sum(r['placed'] for r in results),
            'runs': len(results)}


def summarize(rows, scale):
    """Aggregate the raw rows and the scale figures; check the targets."""
    optima = _optima(rows)
    groups = collections.defaultdict(list)
    for row in rows:
        groups[(row['family'], row['load'], row['algo'])].append(row)
    table = [_line(groups[key], optima, *key) for key in sorted(
        groups, key=lambda k: (k[0], k[1], ALGOS.index(k[2])))]
    overall = {}
    for algo in ALGOS:
        mine = [r for r in rows if r['algo'] == algo]
        if mine:
            overall[algo] = _line(mine, optima, 'all', None, algo)
            high = [r for r in mine if r['load'] >= HIGH_LOAD]
            overall[algo]['high_placed'] = sum(
                1 for r in high if r['placed'] and not r['violations'])
            overall[algo]['high_runs'] = len(high)
    exact_found = set(_key(r) for r in rows
                      if r['algo'] == 'exact' and r['placed'])
    valet_found = set(_key(r) for r in rows if r['algo'] == 'valet' and
                      r['placed'] and not r['violations'])
    proven_infeasible = set(_key(r) for r in rows if r['algo'] == 'exact'
                            and r.get('infeasible'))
    valet_failed = set(_key(r) for r in rows
                       if r['algo'] == 'valet' and not r['placed'])
    flat = _scale_line(scale['flat'])
    flat['servers_per_s'] = flat['servers'] / (flat['p50_ms'] / 1000.0)
    worse, compared = worse_than_greedy(rows)
    gaps = relative_gaps(rows, optima)
    figures = {
        'mid': _scale_line(scale['mid']),
        'big': _scale_line(scale['big']),
        'flat': flat,
        'rss': scale['rss'],
        'missed_by_valet': sorted(exact_found - valet_found),
        'exact_placed': len(exact_found),
        'unproven_failures': len(valet_failed - proven_infeasible),
        'valet_failures': len(valet_failed),
        'worse_than_greedy': worse,
        'compared_with_greedy': compared,
        'gap_rel': (_pct(gaps, 50), _pct(gaps, 95), len(gaps)),
        'vs_nova': dict((family, reduction_vs_nova(rows, family))
                        for family in NOVA_FAMILIES),
        'exact_proven': sum(1 for r in rows if r['algo'] == 'exact'
                            and r.get('proven')),
        'exact_runs': sum(1 for r in rows if r['algo'] == 'exact'),
    }
    return {'table': table, 'overall': overall, 'figures': figures,
            'targets': targets(overall, figures)}


def _pc(value):
    return '-' if value is None else '%.1f %%' % (100.0 * value)


def targets(overall, fig):
    """The checklist of issue #3: (target, measured, PASS/MISS)."""
    valet = overall.get('valet', {})
    greedy = overall.get('greedy', {})
    out = []

    def add(name, measured, ok, verdict=None):
        out.append((name, measured, verdict or ('PASS' if ok else 'MISS')))

    mid, big, flat = fig['mid'], fig['big'], fig['flat']
    viol = valet.get('violations', 0) + mid['violations'] + big[
        'violations'] + flat['violations']
    runs = valet.get('runs', 0) + mid['runs'] + big['runs'] + flat['runs']
    add('0 hard-rule violations on every instance (independent checker)',
        '%d violations in %d requests' % (viol, runs), viol == 0)
    add('A placement on every instance where CP-SAT finds one',
        '%d of %d missed' % (len(fig['missed_by_valet']),
                             fig['exact_placed']),
        not fig['missed_by_valet'])
    add('Objective never worse than the greedy (instances both place)',
        '%d worse of %d' % (len(fig['worse_than_greedy']),
                            fig['compared_with_greedy']),
        not fig['worse_than_greedy'])
    p50, p95, n = fig['gap_rel']
    add('Relative gap to the proven optimum: median <= 2 %',
        '%s (%d instances)' % (_pc(p50), n),
        p50 is not None and p50 <= 0.02 + 1e-12)
    add('Relative gap to the proven optimum: p95 <= 10 %',
        '%s (%d instances)' % (_pc(p95), n),
        p95 is not None and p95 <= 0.10 + 1e-12)
    for family in NOVA_FAMILIES:
        value, count = fig['vs_nova'][family]
        add('%s, load <= %d %%: >= 70 %% less cross-rack Mbps than Nova'
            % (family, round(LOW_LOAD * 100)),
            '%s less (%d instances)' % (_pc(value), count) if value
            is not None else 'no Nova cross-rack traffic to compare',
            value is not None and value >= 0.70 - 1e-12)
    add('%d servers on %d hosts: p50 <= 50 ms, p99 <= 250 ms'
        % (mid['servers'], mid['hosts']),
        '%s / %s ms' % (_fmt(mid['p50_ms'], 1), _fmt(mid['p99_ms'], 1)),
        mid['p50_ms'] <= 50 and mid['p99_ms'] <= 250)
    add('%d servers on %d hosts: p99 <= 2 s'
        % (big['servers'], big['hosts']),
        '%s ms' % _fmt(big['p99_ms'], 1), big['p99_ms'] <= 2000)
    add('No group rules, %d hosts: >= 700 servers/s' % flat['hosts'],
        '%s servers/s' % _fmt(flat['servers_per_s']),
        flat['servers_per_s'] >= 700)
    rss = fig['rss']
    add('Whole process with a %d-host, %d-server model: RSS <= 300 MB'
        % (rss['hosts'], rss['servers']), '%s MB' % _fmt(rss['rss_mb']),
        rss['rss_mb'] <= 300)
    faster = (valet.get('p50_ms') or 0) <= (greedy.get('p50_ms') or 0)
    add('Design goal (engine.md), not an issue target: Valet p50 <= '
        'greedy p50 (small data centers)',
        '%s vs %s ms' % (_fmt(valet.get('p50_ms'), 1),
                         _fmt(greedy.get('p50_ms'), 1)), faster,
        'goal met' if faster else 'goal missed')
    return out


def machine(core, seconds, mode):
    """Where and how the benchmark ran."""
    return {'cpu': platform.processor() or platform.machine(),
            'cores': os.cpu_count(), 'pinned_core': core,
            'python': platform.python_version(), 'mode': mode,
            'seconds': round(seconds, 1)}


def _cells(line):
    return [line['family'], _fmt(line['load'], 2) if line['load'] else '',
            line['algo'], str(line['runs']), _fmt(line['p50_ms'], 1),
            _fmt(line['p99_ms'], 1),
            '%d/%d' % (line['valid'], line['runs']),
            str(line['violations']), _fmt(line['cross']),
            _fmt(line['opened'], 1),
            '%s/%s' % tuple(_fmt(v) for v in line['gap_cross']),
            '%s/%s' % tuple(_fmt(v) for v in line['gap_opened']),
            '%s/%s' % tuple(_fmt(None if v is None else 100 * v, 1)
                            for v in line['gap_rel'])]


def _grid(header, lines):
    widths = [max(len(str(c)) for c in col) for col in zip(header, *lines)]
    fmt = '  '.join('%%-%ds' % w for w in widths)
    rule = '  '.join('-' * w for w in widths)
    return [(fmt % tuple(header)).rstrip(), rule] + [
        (fmt % tuple(c)).rstrip() for c in lines]


def _sections(results):
    quality = [_cells(line) for line in results['table']]
    quality += [_cells(line) for line in results['overall'].values()]
    fig = results['figures']
    scale = [
        ['%d servers / %d hosts' % (fig['mid']['servers'],
                                    fig['mid']['hosts']),
         'p50 %s ms, p99 %s ms, placed %d/%d' % (
             _fmt(fig['mid']['p50_ms'], 1), _fmt(fig['mid']['p99_ms'], 1),
             fig['mid']['placed'], fig['mid']['runs'])],
        ['%d servers / %d hosts' % (fig['big']['servers'],
                                    fig['big']['hosts']),
         'p50 %s ms, p99 %s ms, placed %d/%d' % (
             _fmt(fig['big']['p50_ms'], 1), _fmt(fig['big']['p99_ms'], 1),
             fig['big']['placed'], fig['big']['runs'])],
        ['no group rules, %d hosts' % fig['flat']['hosts'],
         '%s servers/s' % _fmt(fig['flat']['servers_per_s'])],
        ['model of %d hosts, %d servers' % (fig['rss']['hosts'],
                                            fig['rss']['servers']),
         'RSS %s MB (%s MB before building it)' % (
             _fmt(fig['rss']['rss_mb']), _fmt(fig['rss']['rss_before_mb']))],
        ['CP-SAT optimum proven (cross-rack, opened)', '%d of %d runs' % (
            fig['exact_proven'], fig['exact_runs'])],
        ['Valet failures CP-SAT did not prove infeasible', '%d of %d' % (
            fig['unproven_failures'], fig['valet_failures'])],
        ['Valet worse than greedy on', ', '.join(
            '%s %.2f seed %d' % key for key in fig['worse_than_greedy'])
         or 'no instance'],
        ['valid placements at load >= %.2f' % HIGH_LOAD, ', '.join(
            '%s %d/%d' % (algo, line['high_placed'], line['high_runs'])
            for algo, line in results['overall'].items())]]
    checks = [list(t) for t in results['targets']]
    return quality, scale, checks


def text(results):
    """The plain-text report."""
    quality, scale, checks = _sections(results)
    out = ['Machine: %s' % results.get('machine', {}), '']
    out += _grid(COLUMNS, quality) + ['']
    out += _grid(('scale', 'measured'), scale) + ['']
    out += _grid(('target', 'measured', 'result'), checks)
    return '\n'.join(out) + '\n'


def _rst_table(header, lines):
    widths = [max(len(str(c)) for c in col) for col in zip(header, *lines)]
    rule = ' '.join('=' * w for w in widths)
    fmt = ' '.join('%%-%ds' % w for w in widths)
    rows = [(fmt % tuple(c)).rstrip() for c in lines]
    return [rule, (fmt % tuple(header)).rstrip(), rule] + rows + [rule, '']


def rst(results):
    """The report as RST tables (for doc/source/admin/performance.rst)."""
    quality, scale, checks = _sections(results)
    out = ['.. Generated by python -m tools.benchmarks.run --rst', '']
    out += _rst_table(COLUMNS, quality)
    out += _rst_table(('scale', 'measured'), scale)
    out += _rst_table(('target', 'measured', 'result'), checks)
    return '\n'.join(out)
