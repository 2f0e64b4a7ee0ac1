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
HIGH_LOAD = 0.9
COLUMNS = ('family', 'load', 'algo', 'runs', 'p50 ms', 'p99 ms', 'valid',
           'viol.', 'x-rack Mbps', 'opened', 'gap Mbps p50/p95',
           'gap opened p50/p95')


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
            'gap_opened': (_pct(opened, 50), _pct(opened, 95))}


def _paired(rows, algo, other, field):
    """Mean of ``field`` for two algorithms on instances both placed."""
    by = collections.defaultdict(dict)
    for row in rows:
        if row['placed'] and not row['violations']:
            by[(row['family'], row['load'], row['seed'])][row['algo']] = row
    pairs = [(v[algo][field], v[other][field]) for v in by.values()
             if algo in v and other in v]
    if not pairs:
        return None, None
    return _mean([a for a, _b in pairs]), _mean([b for _a, b in pairs])


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
    exact_found = set((r['family'], r['load'], r['seed']) for r in rows
                      if r['algo'] == 'exact' and r['placed'])
    valet_found = set((r['family'], r['load'], r['seed']) for r in rows
                      if r['algo'] == 'valet' and r['placed']
                      and not r['violations'])
    proven_infeasible = set((r['family'], r['load'], r['seed'])
                            for r in rows if r['algo'] == 'exact'
                            and r.get('infeasible'))
    valet_failed = set((r['family'], r['load'], r['seed']) for r in rows
                       if r['algo'] == 'valet' and not r['placed'])
    mid, big, flat = scale['mid'], scale['big'], scale['flat']
    figures = {
        'mid': {'hosts': mid[0], 'servers': mid[1], 'p50_ms':
                _pct(mid[2], 50), 'p99_ms': _pct(mid[2], 99),
                'violations': sum(r['violations'] for r in mid[3]),
                'placed': sum(r['placed'] for r in mid[3]),
                'runs': len(mid[3])},
        'big': {'hosts': big[0], 'servers': big[1], 'p50_ms':
                _pct(big[2], 50), 'p99_ms': _pct(big[2], 99),
                'violations': sum(r['violations'] for r in big[3]),
                'placed': sum(r['placed'] for r in big[3]),
                'runs': len(big[3])},
        'flat': {'hosts': flat[0], 'servers': flat[1],
                 'servers_per_s': flat[1] / (_pct(flat[2], 50) / 1000.0)},
        'rss': scale['rss'],
        'missed_by_valet': sorted(exact_found - valet_found),
        'unproven_failures': len(valet_failed - proven_infeasible),
        'cross_vs_greedy': _paired(rows, 'valet', 'greedy',
                                   'cross_rack_mbps'),
        'opened_vs_greedy': _paired(rows, 'valet', 'greedy',
                                    'empty_hosts_opened'),
        'exact_proven': sum(1 for r in rows if r['algo'] == 'exact'
                            and r.get('proven')),
        'exact_runs': sum(1 for r in rows if r['algo'] == 'exact'),
    }
    return {'table': table, 'overall': overall, 'figures': figures,
            'targets': targets(overall, figures)}


def targets(overall, fig):
    """The checklist: (target, measured, PASS/MISS)."""
    valet = overall.get('valet', {})
    greedy = overall.get('greedy', {})
    out = []

    def add(name, measured, ok):
        out.append((name, measured, 'PASS' if ok else 'MISS'))

    viol = valet.get('violations', 0) + fig['mid']['violations'] + fig[
        'big']['violations']
    add('Valet: 0 hard-rule violations (independent checker)',
        '%d' % viol, viol == 0)
    add('Valet places every instance CP-SAT places',
        '%d missed' % len(fig['missed_by_valet']),
        not fig['missed_by_valet'])
    add('CP-SAT proves infeasible every instance Valet fails',
        '%d unproven' % fig['unproven_failures'],
        not fig['unproven_failures'])
    add('Valet acceptance at load >= 0.9 >= greedy',
        '%s vs %s of %s' % (valet.get('high_placed'),
                            greedy.get('high_placed'),
                            valet.get('high_runs')),
        (valet.get('high_placed') or 0) >= (greedy.get('high_placed') or 0))
    for label, key in (('cross-rack Mbps', 'cross_vs_greedy'),
                       ('empty hosts opened', 'opened_vs_greedy')):
        mine, theirs = fig[key]
        add('Valet mean %s <= greedy (same instances)' % label,
            '%s vs %s' % (_fmt(mine, 1), _fmt(theirs, 1)),
            mine is not None and mine <= theirs + 1e-9)
    gap = valet.get('gap_cross', (None, None))
    add('Gap to optimum, cross-rack Mbps: median 0, p95 <= 500',
        '%s / %s' % (_fmt(gap[0]), _fmt(gap[1])),
        gap[0] is not None and gap[0] <= 0 and gap[1] <= 500)
    gap = valet.get('gap_opened', (None, None))
    add('Gap to optimum, empty hosts opened: median 0, p95 <= 2',
        '%s / %s' % (_fmt(gap[0]), _fmt(gap[1])),
        gap[0] is not None and gap[0] <= 0 and gap[1] <= 2)
    add('Valet p50 latency <= greedy p50 (small data centers)',
        '%s vs %s ms' % (_fmt(valet.get('p50_ms'), 1),
                         _fmt(greedy.get('p50_ms'), 1)),
        (valet.get('p50_ms') or 0) <= (greedy.get('p50_ms') or 0))
    mid, big = fig['mid'], fig['big']
    add('%d servers on %d hosts: p50 <= 200 ms, p99 <= 1000 ms'
        % (mid['servers'], mid['hosts']),
        '%s / %s ms' % (_fmt(mid['p50_ms']), _fmt(mid['p99_ms'])),
        mid['p50_ms'] <= 200 and mid['p99_ms'] <= 1000)
    add('%d servers on %d hosts: p99 <= 3000 ms'
        % (big['servers'], big['hosts']), '%s ms' % _fmt(big['p99_ms']),
        big['p99_ms'] <= 3000)
    add('No group rules, %d hosts: >= 1000 servers/s' % fig['flat'][
        'hosts'], '%s' % _fmt(fig['flat']['servers_per_s']),
        fig['flat']['servers_per_s'] >= 1000)
    rss = fig['rss']
    add('RSS of a %d-host, %d-server model <= 1024 MB'
        % (rss['hosts'], rss['servers']), '%s MB' % _fmt(rss['rss_mb']),
        rss['rss_mb'] <= 1024)
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
            '%s/%s' % tuple(_fmt(v) for v in line['gap_opened'])]


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
