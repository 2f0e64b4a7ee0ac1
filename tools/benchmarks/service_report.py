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

"""The tables of the service part (see :mod:`.service`) for the report."""


def _f(value, digits=0):
    if value is None:
        return '-'
    return '%.*f' % (digits, round(value, digits) + 0.0)


def _overhead(svc):
    o = svc['overhead']
    rows = [
        ['library: stack_from_resources + place_stack, in process',
         _f(o['library_p50'], 1), _f(o['library_p99'], 1),
         'search alone p50 %s, p99 %s' % (_f(o['search_p50'], 1),
                                          _f(o['search_p99'], 1))],
        ['rpcapi create_plan (RabbitMQ, engine, commit; no HTTP)',
         _f(o['rpc_p50'], 1), _f(o['rpc_p99'], 1), ''],
        ['HTTP POST /v1/plans (uwsgi, valet-api, then as above)',
         _f(o['http_p50'], 1), _f(o['http_p99'], 1),
         'same hosts as the library: %d/%d' % (o['same_plan'], o['runs'])],
        ['HTTP DELETE /v1/plans (not in the target)',
         _f(o['delete_p50'], 1), _f(o['delete_p99'], 1), ''],
        ['service - library', _f(o['http_p50'] - o['library_p50'], 1),
         _f(o['http_p99'] - o['library_p99'], 1),
         'of which HTTP + API: p50 %s' % _f(o['http_p50'] - o['rpc_p50'],
                                            1)],
    ]
    title = ('Service overhead: a %d-server %s stack on %d hosts, %d '
             'sequential requests (ms)' % (
                 o['servers'], svc['family'], svc['hosts'], o['runs']))
    return title, ('path', 'p50 ms', 'p99 ms', 'note'), rows


def _hot(svc):
    h = svc['hot']
    rows = []
    for name, key in (('floor: GET /v1 twice', 'floor'),
                      ('GET /v1/placements?hints + POST reserve', 'hot')):
        f = h[key]
        rows.append([name, str(f['done']), _f(f['per_s']),
                     _f(f['p50_ms'], 1), _f(f['p99_ms'], 1),
                     str(f['errors'])])
    c = h['check']
    rows.append(['database after the run', str(c['sent']),
                 '%d reserved with the uuid sent' % c['reserved'],
                 '%d lost' % len(c['lost']),
                 '%d doubled' % len(c['doubled']),
                 '%d stray' % len(c['stray'])])
    title = ('Hot path of the Nova filter: %d placements of %d plans, %d '
             'client threads (keep-alive)' % (
                 h['pairs'], h['plans'], h['threads']))
    return title, ('pair', 'pairs', 'pairs/s', 'p50 ms', 'p99 ms',
                   'errors'), rows


def _engines(svc):
    rows = [[str(r['engines']), str(r['requests']), str(r['placed']),
             str(r['refused']), str(len(r['errors'])),
             _f(r['plans_per_s'], 2), _f(r['p50_ms']), _f(r['p99_ms']),
             str(r.get('retries', '-')), str(r['overcommitted'])]
            for r in svc['engines']]
    one, two = svc['engines'][0], svc['engines'][-1]
    if one['plans_per_s']:
        rows.append(['2 vs 1', '', '', '', '',
                     'x %.2f' % (two['plans_per_s'] / one['plans_per_s']),
                     '', '', '', 'on %d cores' % svc['cores']])
    title = 'Engines on one topic: the same plan requests through valet-api'
    return title, ('engines', 'requests', 'placed', 'refused', 'errors',
                   'plans/s', 'p50 ms', 'p99 ms', 'commit conflicts',
                   'over-committed hosts'), rows


def sections(svc):
    """``[(title, header, lines)]`` of the service part (none if not run)."""
    if not svc:
        return []
    setup = [['valet-api', 'uwsgi %d processes x %d threads, HTTP/1.1 '
              'keep-alive, noauth, MariaDB pool of %d per process' % (
                  svc['uwsgi'][0], svc['uwsgi'][1],
                  max(5, svc['uwsgi'][1]))],
             ['notifications', svc['notifications']],
             ['machine', '%d cores shared by the clients and every '
              'service; load average (1 min) at each part: %s' % (
                  svc['cores'], ', '.join(_f(x, 2)
                                          for x in svc['loadavg']))]]
    return [('Service: set-up', ('what', 'how'), setup), _overhead(svc),
            _hot(svc), _engines(svc)]
