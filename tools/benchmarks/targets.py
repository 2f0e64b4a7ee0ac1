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

"""The targets of the benchmark, each with its figure and its culprits.

Issue #6's targets come first, then those of issue #3 that still say
something (the Valet 1.0-like greedy, the relative gap, Nova). A target is
PASS or FAIL, or ``not run`` when the part that measures it was left out
(``--only``, ``--family``). Each lists the instances that fail it, so
that a FAIL says where to look.

An instance is ``(family, hosts, servers, load, seed)``; a placement is
*valid* when it is placed and the checker finds no violation; objectives
compare lexicographically: cross-rack Mbps, then empty hosts opened.
"""

import collections

import numpy

#: Load up to which the cross-rack target against Nova applies.
LOW_LOAD = 0.85
#: Families the cross-rack target against Nova applies to.
NOVA_FAMILIES = ('web', 'dataparallel')
TOLERANCE = 1e-6


def key(row):
    """The instance of a row."""
    return (row['family'], row.get('hosts'), row.get('servers'),
            row['load'], row['seed'])


def label(instance):
    """A short readable name of an instance."""
    family, hosts, servers, load, seed = instance
    return '%s %sh/%ss load %.2f seed %d' % (family, hosts, servers, load,
                                             seed)


def valid(row):
    """Placed, and no violation found by the checker."""
    return bool(row and row['placed'] and not row['violations'])


def lex(row):
    """The lexicographic objective of a placed row."""
    return (row['cross_rack_mbps'], row['empty_hosts_opened'])


def _le(mine, theirs):
    """``mine`` no worse than ``theirs`` (lexicographic, with tolerance)."""
    for a, b in zip(mine, theirs):
        if a < b - TOLERANCE:
            return True
        if a > b + TOLERANCE:
            return False
    return True


def by_instance(rows):
    """``{instance: {algo: row}}``."""
    found = collections.defaultdict(dict)
    for row in rows:
        found[key(row)][row['algo']] = row
    return found


def _show(row):
    if not valid(row):
        return 'no valid placement'
    return '%g Mbps, %d opened' % lex(row)


def never_worse(rows, other, only=None):
    """Instances where Valet is worse than ``other``'s valid placement.

    Valet without a valid placement there is worse too. ``only(row)``
    selects the instances (by ``other``'s row). Returns ``(culprits,
    compared)``, a culprit being ``(instance, Valet's figure, other's)``.
    """
    worse, compared = [], 0
    for inst, algos in sorted(by_instance(rows).items()):
        theirs, mine = algos.get(other), algos.get('valet')
        if mine is None or not valid(theirs) or (only and not only(theirs)):
            continue
        compared += 1
        if not valid(mine) or not _le(lex(mine), lex(theirs)):
            worse.append((inst, _show(mine), _show(theirs)))
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
    for value, best, unit in zip(lex(row), optimum, units):
        if abs(value - best) > 1e-9:
            return (value - best) / (best if best > 0 else unit)
    return 0.0


def optima(rows):
    """Proven optima ``{instance: (cross Mbps, opened)}``."""
    return dict((key(r), lex(r)) for r in rows
                if r['algo'] == 'exact' and valid(r) and r.get('proven'))


def relative_gaps(rows, proven, algo='valet'):
    """Relative gaps of ``algo`` (None: any) where the optimum is proven."""
    return [relative_gap(row, proven[key(row)]) for row in rows
            if algo in (None, row['algo']) and key(row) in proven and
            valid(row)]


def reduction_vs_nova(rows, family, max_load=LOW_LOAD):
    """1 - Valet's cross-rack Mbps / Nova's, summed over one family.

    Over the instances at load <= ``max_load`` where both placed every
    server (Nova's placement counts as it is: Nova does not know the rack
    rules it may break). Returns ``(reduction or None, instances)``.
    """
    mine = theirs = 0.0
    count = 0
    for inst, algos in by_instance(rows).items():
        valet, nova = algos.get('valet'), algos.get('nova')
        if inst[0] != family or inst[3] > max_load + 1e-9:
            continue
        if valet and nova and valet['placed'] and nova['placed']:
            mine += valet['cross_rack_mbps']
            theirs += nova['cross_rack_mbps']
            count += 1
    if not count or theirs <= 0:
        return None, count
    return 1.0 - mine / theirs, count


def _target(name, measured, ok, culprits=(), ran=True):
    return {'name': name, 'measured': measured,
            'result': ('PASS' if ok else 'FAIL') if ran else 'not run',
            'culprits': list(culprits)}


def _worse(worse):
    return ['%s: Valet %s, theirs %s' % (label(inst), mine, theirs)
            for inst, mine, theirs in worse]


def quality_targets(rows, scale_results=()):
    """Issue #6's quality targets over every instance of the run.

    A comparison target is ``not run`` only when its contender did not
    run at all; with no instance to compare, it passes (``0 of 0``).
    """
    valet = [r for r in rows if r['algo'] == 'valet']
    ran = set(r['algo'] for r in rows)
    out = []
    bad = [(key(r), r['violations']) for r in valet if r['violations']]
    scale_bad = sum(r['violations'] for r in scale_results)
    out.append(_target(
        '0 rule violations on every instance (independent checker)',
        '%d violations in %d requests' % (
            sum(n for _k, n in bad) + scale_bad,
            len(valet) + len(scale_results)),
        not bad and not scale_bad,
        ['%s: %d violations' % (label(k), n) for k, n in bad],
        ran=bool(valet or scale_results)))
    inst = by_instance(rows)
    found = [k for k, a in sorted(inst.items()) if valid(a.get('exact'))]
    missed = [k for k in found if not valid(inst[k].get('valet'))]
    out.append(_target('A placement wherever CP-SAT finds one',
                       '%d of %d missed' % (len(missed), len(found)),
                       not missed, ['%s: %s' % (label(k), (inst[k].get(
                           'valet') or {}).get('reason') or 'invalid')
                           for k in missed], ran='exact' in ran))
    for name, other, only in (
            ('Never worse than the rack-first greedy (cross-rack Mbps, '
             'then empty hosts opened)', 'rack_first', None),
            ('At the proven CP-SAT optimum where CP-SAT proves one',
             'exact', lambda r: bool(r.get('proven'))),
            ('Never worse than a CP-SAT plan not proven optimal', 'exact',
             lambda r: not r.get('proven'))):
        worse, compared = never_worse(rows, other, only)
        out.append(_target(name, '%d worse of %d' % (len(worse), compared),
                           not worse, _worse(worse), ran=other in ran))
    return out


def cli_targets(cli):
    """Issue #6's whole-process targets (judged on the medians)."""
    cases = dict((c['hosts'], c) for c in (cli or {}).get('cases', ()))
    out = []
    for hosts, name, limit in (
            (32, 'valet-manage plan, 32 hosts: <= floor + 0.3 s',
             lambda f: f + 0.3),
            (5000, 'valet-manage plan, 5,000 hosts: <= 1.5 x floor',
             lambda f: 1.5 * f)):
        case = cases.get(hosts)
        if case is None:
            out.append(_target(name, '-', False, ran=False))
            continue
        ok = case['plan_median'] <= limit(case['floor_median']) and \
            not case['errors']
        out.append(_target(name, 'median %.2f s vs floor %.2f s (limit '
                           '%.2f s); min %.2f vs %.2f s' % (
                               case['plan_median'], case['floor_median'],
                               limit(case['floor_median']),
                               case['plan_min'], case['floor_min']),
                           ok, case['errors']))
    return out


def scale_targets(fig):
    """The in-process targets (issue #3, kept by issue #6)."""
    if not fig:
        return [_target(name, '-', False, ran=False) for name in (
            'p99 at the mid scale <= 250 ms', 'p99 at the big scale <= 2 s',
            'No group rules: >= 700 servers/s', 'RSS <= 300 MB')]
    mid, big, flat, rss = fig['mid'], fig['big'], fig['flat'], fig['rss']
    return [
        _target('%d servers on %d hosts: p99 <= 250 ms' % (
            mid['servers'], mid['hosts']), 'p99 %.1f ms (p50 %.1f ms)' % (
                mid['p99_ms'], mid['p50_ms']), mid['p99_ms'] <= 250),
        _target('%d servers on %d hosts: p99 <= 2 s' % (
            big['servers'], big['hosts']), 'p99 %.1f ms (p50 %.1f ms)' % (
                big['p99_ms'], big['p50_ms']), big['p99_ms'] <= 2000),
        _target('No group rules, %d hosts: >= 700 servers/s' % flat['hosts'],
                '%.0f servers/s' % flat['servers_per_s'],
                flat['servers_per_s'] >= 700),
        _target('Whole process with a %d-host, %d-server model: RSS <= '
                '300 MB' % (rss['hosts'], rss['servers']),
                '%.0f MB' % rss['rss_mb'], rss['rss_mb'] <= 300)]


def _pc(value):
    return '-' if value is None else '%.1f %%' % (100.0 * value)


def earlier_targets(rows):
    """Issue #3's quality targets that issue #6 did not restate."""
    ran = set(r['algo'] for r in rows)
    worse, compared = never_worse(rows, 'greedy')
    out = [_target('Never worse than the Valet 1.0-like greedy',
                   '%d worse of %d' % (len(worse), compared), not worse,
                   _worse(worse), ran='greedy' in ran)]
    gaps = relative_gaps(rows, optima(rows))
    for q, limit in ((50, 0.02), (95, 0.10)):
        value = float(numpy.percentile(gaps, q)) if gaps else None
        out.append(_target(
            'Relative gap to the proven optimum: p%d <= %d %%' % (
                q, round(limit * 100)), '%s (%d instances)' % (
                    _pc(value), len(gaps)),
            value is not None and value <= limit + 1e-12, ran=bool(gaps)))
    for family in NOVA_FAMILIES:
        value, count = reduction_vs_nova(rows, family)
        out.append(_target(
            '%s, load <= %d %%: >= 70 %% less cross-rack Mbps than Nova' % (
                family, round(LOW_LOAD * 100)),
            '%s less (%d instances)' % (_pc(value), count),
            value is not None and value >= 0.70 - 1e-12, ran=bool(count)))
    return out


def service_targets(svc):
    """Issue #7's targets: Valet as a service (see :mod:`.service`)."""
    names = ('Service overhead: p99 HTTP - p99 library <= 100 ms',
             'Hot path: >= 300 reserves/s', 'Hot path: p99 <= 100 ms',
             'No reservation lost or doubled', '0 over-committed hosts')
    if not svc:
        return [_target(name, '-', False, ran=False) for name in names]
    over, hot = svc['overhead'], svc['hot']
    extra = over['http_p99'] - over['library_p99']
    check = hot['check']
    bad = [(r['engines'], r['overcommitted']) for r in svc['engines']]
    return [
        _target(names[0], '%.0f ms (HTTP %.0f, library %.0f; %d servers on '
                '%d hosts)' % (extra, over['http_p99'], over['library_p99'],
                               over['servers'], svc['hosts']),
                extra <= 100),
        _target(names[1], '%.0f reserves/s (%d clients, %d cores)' % (
            hot['hot']['per_s'], hot['threads'], svc['cores']),
            hot['hot']['per_s'] >= 300),
        _target(names[2], 'p99 %.0f ms (p50 %.0f ms) of GET + POST' % (
            hot['hot']['p99_ms'], hot['hot']['p50_ms']),
            hot['hot']['p99_ms'] <= 100),
        _target(names[3], '%d sent, %d lost, %d doubled, %d stray' % (
            check['sent'], len(check['lost']), len(check['doubled']),
            len(check['stray'])),
            not (check['lost'] or check['doubled'] or check['stray']),
            ['lost: %s' % x for x in check['lost'][:3]] +
            ['doubled: %s' % x for x in check['doubled'][:3]]),
        _target(names[4], ', '.join('%d with %d engine(s)' % (n, e)
                                    for e, n in bad),
                not any(n for _e, n in bad),
                ['%d engine(s): %s' % (r['engines'], h) for r in
                 svc['engines'] for h in r['overcommitted_hosts']])]
