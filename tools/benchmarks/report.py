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

"""Summaries and text/RST tables of the benchmark.

:func:`summarize` turns the raw rows (see :mod:`.quality`), the scale
figures, the whole-process figures (see :mod:`.cli`) into tables and the
target checklist (see :mod:`.targets`); :func:`text` and :func:`rst`
print them.
"""

import collections
import os
import platform

import numpy

from tools.benchmarks import service_report
from tools.benchmarks import targets as targets_mod

ALGOS = ('nova', 'greedy', 'rack_first', 'exact', 'valet')
HIGH_LOAD = 0.95
COLUMNS = ('family', 'load', 'algo', 'runs', 'p50 ms', 'p99 ms', 'valid',
           'viol.', 'x-rack Mbps', 'opened', 'gap Mbps p50/p95',
           'gap opened p50/p95', 'rel. gap % p50/p95')
LARGE_COLUMNS = ('instance', 'algo', 'ms', 'valid', 'viol.', 'x-rack Mbps',
                 'opened', 'note')


def _pct(values, q):
    return float(numpy.percentile(values, q)) if len(values) else None


def _mean(values):
    return float(numpy.mean(values)) if len(values) else None


def _fmt(value, digits=0):
    if value is None:
        return '-'
    # Adding 0.0 turns -0.0 into 0.0.
    return '%.*f' % (digits, round(value, digits) + 0.0)


def _line(rows, optima, family, load, algo):
    valid = [r for r in rows if targets_mod.valid(r)]
    cross, opened = [], []
    for row in valid:
        best = optima.get(targets_mod.key(row))
        if best:
            cross.append(row['cross_rack_mbps'] - best[0])
            opened.append(row['empty_hosts_opened'] - best[1])
    ms = [r['ms'] for r in rows]
    gaps = targets_mod.relative_gaps(rows, optima, None)
    return {'family': family, 'load': load, 'algo': algo, 'runs': len(rows),
            'p50_ms': _pct(ms, 50), 'p99_ms': _pct(ms, 99),
            'valid': len(valid),
            'violations': sum(r['violations'] for r in rows),
            'cross': _mean([r['cross_rack_mbps'] for r in valid]),
            'opened': _mean([r['empty_hosts_opened'] for r in valid]),
            'gap_cross': (_pct(cross, 50), _pct(cross, 95)),
            'gap_opened': (_pct(opened, 50), _pct(opened, 95)),
            'gap_rel': tuple(_pct(gaps, q) for q in (50, 95))}


def _small_table(rows):
    optima = targets_mod.optima(rows)
    groups = collections.defaultdict(list)
    for row in rows:
        groups[(row['family'], row['load'], row['algo'])].append(row)
    table = [_line(groups[k], optima, *k) for k in sorted(
        groups, key=lambda k: (k[0], k[1], ALGOS.index(k[2])))]
    overall = {}
    for algo in ALGOS:
        mine = [r for r in rows if r['algo'] == algo]
        if mine:
            overall[algo] = _line(mine, optima, 'all', None, algo)
            high = [r for r in mine if r['load'] >= HIGH_LOAD]
            overall[algo]['high'] = (sum(map(targets_mod.valid, high)),
                                     len(high))
    return table, overall


def _note(row):
    if row['algo'] == 'exact':
        return 'CP-SAT %s' % row.get('exact_status')
    if row['algo'] == 'valet':
        note = [] if row.get('repeat_identical', True) else [
            'second call differs']
        if not row['placed']:
            note.append((row.get('reason') or '')[:60])
        return '; '.join(note)
    return ''


def _large_table(rows):
    lines = []
    for inst, algos in sorted(targets_mod.by_instance(rows).items()):
        for algo in ALGOS:
            row = algos.get(algo)
            if row is None:
                continue
            ok = targets_mod.valid(row)
            lines.append([
                targets_mod.label(inst), algo, _fmt(row['ms']),
                'yes' if ok else 'placed' if row['placed'] else 'no',
                str(row['violations']),
                _fmt(row['cross_rack_mbps']) if ok else '-',
                str(row['empty_hosts_opened']) if ok else '-', _note(row)])
    return lines


def work_counters(rows):
    """Per family, each counter of Valet's search: p50, max (flags: true)."""
    found = collections.defaultdict(lambda: collections.defaultdict(list))
    for row in rows:
        for name, value in (row.get('stats') or {}).items():
            found[row['family']][name].append(value)
    lines = []
    for family in sorted(found):
        cells = []
        for name in sorted(found[family]):
            values = found[family][name]
            if all(isinstance(v, bool) for v in values):
                cells.append('%s %d/%d' % (name, sum(values), len(values)))
            else:
                cells.append('%s %s/%s' % (name, _fmt(_pct(values, 50)),
                                           _fmt(max(values))))
        lines.append([family, str(len(next(iter(
            found[family].values())))), ', '.join(cells)])
    return lines


def scale_figures(scale):
    """The in-process figures of :func:`run.run_scale`, or None."""
    if not scale:
        return None

    def line(entry):
        hosts, servers, found, results, same = entry
        return {'hosts': hosts, 'servers': servers,
                'p50_ms': _pct(found, 50), 'p99_ms': _pct(found, 99),
                'violations': sum(r['violations'] for r in results),
                'placed': sum(r['placed'] for r in results),
                'runs': len(results), 'identical': same}

    fig = dict((k, line(scale[k])) for k in ('mid', 'big', 'flat'))
    fig['flat']['servers_per_s'] = fig['flat']['servers'] / (
        fig['flat']['p50_ms'] / 1000.0)
    fig['rss'] = scale['rss']
    fig['results'] = [r for k in ('mid', 'big', 'flat')
                      for r in scale[k][3]]
    return fig


def summarize(rows, large_rows, scale, cli, service=None):
    """Tables and targets of one run."""
    table, overall = _small_table(rows)
    fig = scale_figures(scale)
    everything = rows + large_rows
    checklist = (targets_mod.quality_targets(
        everything, fig['results'] if fig else ()) +
        targets_mod.cli_targets(cli) + targets_mod.scale_targets(fig))
    return {'table': table, 'overall': overall,
            'large': _large_table(large_rows), 'scale': fig, 'cli': cli,
            'work': work_counters([r for r in everything
                                   if r['algo'] == 'valet']),
            'targets': checklist, 'service': service,
            'service_targets': targets_mod.service_targets(service),
            'earlier': targets_mod.earlier_targets(everything)}


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


def _scale_lines(results):
    fig = results['scale']
    lines = []
    if fig:
        for name in ('mid', 'big'):
            f = fig[name]
            lines.append(['%d servers / %d hosts' % (f['servers'],
                                                     f['hosts']),
                          'p50 %s ms, p99 %s ms, placed %d/%d, same plan '
                          'on every repeat %d/%d' % (
                              _fmt(f['p50_ms'], 1), _fmt(f['p99_ms'], 1),
                              f['placed'], f['runs'], f['identical'],
                              f['runs'])])
        lines.append(['no group rules, %d hosts' % fig['flat']['hosts'],
                      '%s servers/s' % _fmt(fig['flat']['servers_per_s'])])
        rss = fig['rss']
        lines.append(['model of %d hosts, %d servers' % (rss['hosts'],
                                                         rss['servers']),
                      'RSS %s MB (%s MB before building it)' % (
                          _fmt(rss['rss_mb']), _fmt(rss['rss_before_mb']))])
    overall = results['overall']
    if 'valet' in overall and 'greedy' in overall:
        lines.append(['p50 on the small data centers, Valet vs greedy',
                      '%s vs %s ms' % (_fmt(overall['valet']['p50_ms'], 1),
                                       _fmt(overall['greedy']['p50_ms'], 1))])
        lines.append(['valid placements at load >= %.2f' % HIGH_LOAD,
                      ', '.join('%s %d/%d' % ((algo,) + line['high'])
                                for algo, line in overall.items())])
    return lines


def _cli_lines(cli):
    return [['%d hosts, %d servers (%s KB)' % (
        c['hosts'], c['servers'], _fmt(c['bytes'] / 1024.0)),
        str(c['runs']), '%.2f / %.2f' % (c['floor_min'], c['floor_median']),
        '%.2f / %.2f' % (c['plan_min'], c['plan_median']),
        '%.2f' % (c['plan_median'] - c['floor_median']),
        '%.2f' % (c['plan_median'] / c['floor_median']),
        ','.join(map(str, c['exit_codes']))]
        for c in (cli or {}).get('cases', ())]


def _sections(results):
    """(title, header, lines) of every table, then the culprit notes."""
    quality = [_cells(line) for line in results['table']]
    quality += [_cells(line) for line in results['overall'].values()]
    out = []
    if quality:
        out.append(('Small data centers', COLUMNS, quality))
    if results['large']:
        out.append(('Large stacks, per instance', LARGE_COLUMNS,
                    results['large']))
    lines = _scale_lines(results)
    if lines:
        out.append(('Scale (Valet alone, in process)', ('scale', 'measured'),
                    lines))
    lines = _cli_lines(results['cli'])
    if lines:
        out.append(('Whole process: %s plan vs floor (seconds)' %
                    results['cli']['command'],
                    ('case', 'runs', 'floor min/median', 'plan min/median',
                     'median - floor', 'median / floor', 'exit'), lines))
    out.extend(service_report.sections(results.get('service')))
    if results['work']:
        out.append(("Valet's search counters (p50/max; flags: true/runs)",
                    ('family', 'runs', 'counters'), results['work']))
    service_targets = results.get('service_targets', [])
    for title, found in (('Targets (issue #6)', results['targets']),
                         ('Service targets (issue #7)', service_targets),
                         ('Earlier targets (issue #3)', results['earlier'])):
        out.append((title, ('target', 'measured', 'result'),
                    [[t['name'], t['measured'], t['result']]
                     for t in found]))
    notes = ['%s [%s]: %s' % (t['result'], t['name'], culprit)
             for t in results['targets'] + service_targets +
             results['earlier'] for culprit in t['culprits']]
    return out, notes


def _grid(header, lines):
    widths = [max(len(str(c)) for c in col) for col in zip(header, *lines)]
    fmt = '  '.join('%%-%ds' % w for w in widths)
    rule = '  '.join('-' * w for w in widths)
    return [(fmt % tuple(header)).rstrip(), rule] + [
        (fmt % tuple(c)).rstrip() for c in lines]


def text(results):
    """The plain-text report."""
    sections, notes = _sections(results)
    out = ['Machine: %s' % results.get('machine', {}), '']
    for title, header, lines in sections:
        out += [title, ''] + _grid(header, lines) + ['']
    if notes:
        out += ['Instances behind each FAIL:', ''] + [
            '  ' + n for n in notes]
    return '\n'.join(out) + '\n'


def _rst_table(header, lines):
    widths = [max(len(str(c)) for c in col) for col in zip(header, *lines)]
    rule = ' '.join('=' * w for w in widths)
    fmt = ' '.join('%%-%ds' % w for w in widths)
    rows = [(fmt % tuple(c)).rstrip() for c in lines]
    return [rule, (fmt % tuple(header)).rstrip(), rule] + rows + [rule, '']


def rst(results):
    """The report as RST tables (for doc/source/admin/performance.rst)."""
    sections, notes = _sections(results)
    out = ['.. Generated by python -m tools.benchmarks.run --rst', '']
    for title, header, lines in sections:
        out += [title, '-' * len(title), ''] + _rst_table(header, lines)
    if notes:
        out += ['Instances behind each FAIL:', ''] + [
            '* ' + n for n in notes] + ['']
    return '\n'.join(out)
