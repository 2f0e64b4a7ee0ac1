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

"""Valet as a service (issue #7): valet-api, valet-engine, MariaDB, RabbitMQ.

The services are started on this machine (:mod:`.services`) on a static
topology written from the generator (70 % load, all of it as ``used``),
and measured side by side in one run:

* overhead: ``POST /v1/plans`` of a web stack, sequentially, each plan
  deleted after it is measured, beside the same request straight through
  rpcapi (no HTTP) and the in-process library call
  (``stack_from_resources`` + ``place_stack``) on the same data center
  built from the same YAML file;
* hot path: the Nova filter's pair ``GET /v1/placements?heat_root_stack_id
  =X&heat_resource_name=Y`` then ``POST /v1/placements/{id}`` (reserve),
  from many client threads (one keep-alive ``requests.Session`` each),
  beside two ``GET /v1`` from as many threads (the floor); then every
  reservation is checked in the database;
* engines: the same plan requests against one valet-engine, then two on
  one topic; plans/s and the over-committed hosts after each run.
"""

import os
import queue
import tempfile
import threading
import time

import requests
import sqlalchemy as sa

from tools.benchmarks import engine_driver
from tools.benchmarks import generator
from tools.benchmarks import service_data as data
from tools.benchmarks import services

PROJECT = 'bench-project'
#: A Heat user places stacks; Nova's filter reserves as the service.
MEMBER = {'X-User-Id': 'bench-user', 'X-Project-Id': PROJECT,
          'X-Roles': 'member'}
SERVICE = {'X-User-Id': 'nova', 'X-Project-Id': 'service',
           'X-Roles': 'service'}
LIVE = ('planned', 'reserved', 'active', 'moved')
LOAD = 0.7
FAMILY = 'web'
#: uwsgi processes x threads of valet-api. Two processes, one per core
#: (the GIL keeps one process's Python on one core at a time); 16 threads
#: each, because a keep-alive connection holds its thread between
#: requests: 32 threads for the 32 clients of the hot path.
UWSGI = (2, 16)
#: What valet-engine logs when a commit met a generation conflict.
REPLANNED = 'planning again'
#: Added to the report beside the figures.
NOTIFICATIONS = ('real notifications: messagingv2 to RabbitMQ for every '
                 'API call')


def _ms(start):
    return (time.perf_counter() - start) * 1000.0


def _expect(response, code, what):
    if response.status_code != code:
        raise RuntimeError('%s: HTTP %d instead of %d: %s' % (
            what, response.status_code, code, response.text[:500]))
    return response


def _post_plan(session, url, stack_id, resources):
    return session.post(url + '/v1/plans', headers=MEMBER, json={
        'plan_name': stack_id, 'stack_id': stack_id,
        'resources': resources}, timeout=300)


def _delete_plans(url, plan_ids):
    with requests.Session() as session:
        for plan_id in plan_ids:
            _expect(session.delete('%s/v1/plans/%s' % (url, plan_id),
                                   headers=MEMBER, timeout=120), 204,
                    'DELETE plan %s' % plan_id)


def overhead(dep, rpc, ctx, lib, template, runs, warmup, log):
    """Part 1: one stack at a time, HTTP beside rpcapi and the library.

    :param lib: ``(conf, datacenter)`` of the in-process library call.
    """
    from valet.optimizer import api as optimizer
    conf, dc = lib
    found = {'http': [], 'rpc': [], 'library': [], 'search': [],
             'delete': []}
    same = 0
    with requests.Session() as session:
        for i in range(warmup + runs):
            stack_id = 'overhead-%d' % i
            resources = data.api_resources(template, stack_id)
            start = time.perf_counter()
            result = optimizer.place_stack(conf, dc, optimizer.
                                           stack_from_resources(
                                               resources, dc, {}))
            library = _ms(start)
            start = time.perf_counter()
            answer = _post_plan(session, dep.url, stack_id, resources)
            http = _ms(start)
            plan = _expect(answer, 201, 'POST /v1/plans')
            plan = plan.json()['plan']
            start = time.perf_counter()
            _expect(session.delete('%s/v1/plans/%s' % (dep.url, plan['id']),
                                   headers=MEMBER, timeout=120), 204,
                    'DELETE /v1/plans')
            delete = _ms(start)
            rpc_id = 'overhead-rpc-%d' % i
            start = time.perf_counter()
            rpc_plan = rpc.create_plan(ctx, rpc_id, rpc_id,
                                       data.api_resources(template, rpc_id),
                                       timeout=300)
            by_rpc = _ms(start)
            rpc.release_plan(ctx, rpc_plan['id'], timeout=120)
            if i < warmup:
                continue
            found['http'].append(http)
            found['rpc'].append(by_rpc)
            found['library'].append(library)
            found['search'].append(result.metrics.get('elapsed_ms', 0.0))
            found['delete'].append(delete)
            hosts = dict((p['name'], p['location'])
                         for p in plan['placements'].values())
            same += result.ok and hosts == dict(
                (n, p['host']) for n, p in result.placements.items())
            log('overhead %d: http %.0f ms, rpc %.0f ms, library %.0f ms '
                '(search %.0f ms), delete %.0f ms' % (
                    i - warmup, http, by_rpc, library,
                    found['search'][-1], delete))
    out = dict(('%s_p%d' % (k, q), data.pct(v, q))
               for k, v in found.items() for q in (50, 99))
    out.update(runs=runs, warmup=warmup, same_plan=same,
               servers=sum(1 for r in template['resources'].values()
                           if r['type'] == data.SERVER))
    return out


def burst(url, items, threads, call):
    """Run ``call(session, url, item)`` for every item from many threads.

    Each thread has its own keep-alive session, opened (one ``GET /v1``)
    before the clock starts. Returns ``(latencies ms, results, errors,
    wall seconds)``; ``call`` returns its result or raises.
    """
    work = queue.Queue()
    for item in items:
        work.put(item)
    latencies, results, errors = [], [], []
    lock = threading.Lock()
    ready = threading.Barrier(threads + 1)

    def client():
        with requests.Session() as session:
            session.get(url + '/v1', timeout=60)
            ready.wait()
            while True:
                try:
                    item = work.get_nowait()
                except queue.Empty:
                    return
                start = time.perf_counter()
                try:
                    result = call(session, url, item)
                except Exception as exc:
                    with lock:
                        errors.append('%s: %s' % (item, exc))
                    continue
                took = _ms(start)
                with lock:
                    latencies.append(took)
                    results.append(result)

    pool = [threading.Thread(target=client, daemon=True)
            for _ in range(threads)]
    for thread in pool:
        thread.start()
    ready.wait()
    start = time.perf_counter()
    for thread in pool:
        thread.join()
    return latencies, results, errors, time.perf_counter() - start


def _floor_pair(session, url, item):
    for _ in range(2):
        _expect(session.get(url + '/v1', timeout=60), 200, 'GET /v1')
    return item


def _reserve_pair(session, url, item):
    stack_id, name, location, other = item
    found = _expect(session.get(url + '/v1/placements', headers=SERVICE,
                                params={'heat_root_stack_id': stack_id,
                                        'heat_resource_name': name},
                                timeout=60), 200, 'GET /v1/placements')
    found = found.json()['placements']
    if len(found) != 1 or found[0]['location'] != location:
        raise RuntimeError('%d placements for %s/%s' % (
            len(found), stack_id, name))
    resource_id = 'srv-%s' % found[0]['id']
    answer = _expect(session.post(
        '%s/v1/placements/%s' % (url, found[0]['id']), headers=SERVICE,
        json={'action': 'reserve', 'locations': [location, other],
              'resource_id': resource_id}, timeout=60), 200,
        'POST /v1/placements').json()['placement']
    if not answer['reserved'] or answer['location'] != location:
        raise RuntimeError('placement %s answered %s' % (
            found[0]['id'], answer))
    return found[0]['id'], resource_id


def hot_path(dep, template, plans, threads, host_names, log):
    """Part 2: plans first, then the Nova filter's pairs, then the check."""
    items, plan_ids = [], []
    with requests.Session() as session:
        for i in range(plans):
            stack_id = 'hot-%d' % i
            plan = _expect(_post_plan(session, dep.url, stack_id,
                                      data.api_resources(template,
                                                         stack_id)),
                           201, 'POST /v1/plans').json()['plan']
            plan_ids.append(plan['id'])
            for one in plan['placements'].values():
                other = host_names[(host_names.index(one['location']) + 1) %
                                   len(host_names)]
                items.append((stack_id, one['name'], one['location'], other))
    log('hot path: %d plans, %d placements' % (plans, len(items)))
    floor = burst(dep.url, items, threads, _floor_pair)
    log('floor: %d pairs of GET /v1 in %.1f s' % (len(floor[0]), floor[3]))
    hot = burst(dep.url, items, threads, _reserve_pair)
    log('hot path: %d pairs in %.1f s, %d errors' % (len(hot[0]), hot[3],
                                                     len(hot[2])))
    sent = dict(hot[1])
    engine = sa.create_engine(dep.db_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text(
                'SELECT id, reserved, resource_id FROM placements')).all()
    finally:
        engine.dispose()
    check = data.reservation_check(sent, [tuple(r) for r in rows])
    # A pair that failed on the client side reserved nothing it knows of:
    # it counts as lost.
    check['lost'] = check['lost'] + hot[2]
    out = {'threads': threads, 'pairs': len(items), 'plans': plans,
           'check': check, 'errors': hot[2][:5]}
    for name, (lat, _res, errors, wall) in (('floor', floor), ('hot', hot)):
        out[name] = {'done': len(lat), 'errors': len(errors), 'wall_s': wall,
                     'per_s': len(lat) / wall if wall else None,
                     'p50_ms': data.pct(lat, 50),
                     'p99_ms': data.pct(lat, 99)}
    _delete_plans(dep.url, plan_ids)
    return out


def _plan_call(session, url, stack_id_and_resources):
    stack_id, resources = stack_id_and_resources
    answer = _post_plan(session, url, stack_id, resources)
    if answer.status_code == 201:
        return 'placed', answer.json()['plan']['id']
    if answer.status_code in (409, 503):
        return 'refused %d' % answer.status_code, answer.text[:200]
    raise RuntimeError('HTTP %d: %s' % (answer.status_code,
                                        answer.text[:300]))


def _live_sums(db_url):
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text(
                'SELECT location, SUM(vcpus), SUM(ram_mb), SUM(disk_gb) '
                'FROM placements WHERE state IN :live GROUP BY location'
            ).bindparams(sa.bindparam('live', expanding=True)),
                {'live': list(LIVE)}).all()
    finally:
        engine.dispose()
    return dict((r[0], tuple(float(x) for x in r[1:])) for r in rows)


def engines_run(dep, template, stacks, threads, usable, tag, log):
    """Part 3, one run: the same requests from many clients at once."""
    items = [('%s-%d' % (tag, i), data.api_resources(template,
                                                     '%s-%d' % (tag, i)))
             for i in range(stacks)]
    retries = dep.count_in_logs(REPLANNED)
    lat, results, errors, wall = burst(dep.url, items, threads, _plan_call)
    retries = dep.count_in_logs(REPLANNED) - retries
    placed = [r[1] for r in results if r[0] == 'placed']
    refused = [r[0] for r in results if r[0] != 'placed']
    bad = data.overcommitted(usable, _live_sums(dep.db_url))
    _delete_plans(dep.url, placed)
    out = {'engines': len(dep.engines), 'requests': stacks,
           'placed': len(placed), 'refused': len(refused),
           'refused_codes': sorted(set(refused)), 'errors': errors[:5],
           'wall_s': wall, 'plans_per_s': len(placed) / wall,
           'p50_ms': data.pct(lat, 50), 'p99_ms': data.pct(lat, 99),
           'overcommitted': len(bad), 'overcommitted_hosts': bad[:5],
           'retries': retries}
    log('%d engine(s): %d placed, %d refused, %d errors in %.1f s (%.2f '
        'plans/s), %d commit conflicts, %d over-committed hosts' % (
            out['engines'], len(placed), len(refused), len(errors), wall,
            out['plans_per_s'], retries, len(bad)))
    return out


def _loadavg():
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def run_service(cfg, log, directory=None):
    """Start the services, measure the three parts, stop everything.

    The benchmark runs on every core meanwhile: its client threads share
    the machine with the services, as they would on one host.
    """
    opts = cfg.get('service')
    if not opts:
        return None
    try:
        pinned = os.sched_getaffinity(0)
        os.sched_setaffinity(0, range(os.cpu_count() or 1))
    except (AttributeError, OSError):
        pinned = None
    try:
        return _run_service(opts, log, directory)
    finally:
        if pinned:
            os.sched_setaffinity(0, pinned)


def _run_service(opts, log, directory):
    from valet import context
    from valet.engine import rpcapi
    from valet.optimizer import api as optimizer
    from valet.topology import static
    from valet import wsgi
    with tempfile.TemporaryDirectory(prefix='valet-bench-service-',
                                     dir=directory) as tmp:
        topology, _existing = generator.make_datacenter(
            opts['hosts'], LOAD, 0, known_share=0.0)
        path = generator.write(tmp, topology, {'servers': []},
                               {'resources': {}})[0]
        template = generator.make_stack(FAMILY, opts['servers'], 0)
        lib_conf = engine_driver.make_conf()
        lib = (lib_conf, static.load_datacenter(lib_conf, path))
        optimizer.place_stack(lib_conf, lib[1], optimizer.stack_from_resources(
            data.api_resources(template, 'warm'), lib[1], {}))
        out = {'hosts': opts['hosts'], 'load': LOAD, 'family': FAMILY,
               'uwsgi': opts['uwsgi'], 'notifications': NOTIFICATIONS,
               'cores': os.cpu_count(), 'loadavg': [_loadavg()]}
        with services.Deployment(tmp, path, opts['uwsgi'], log) as dep:
            dep.start()
            conf = wsgi.build_conf(['--config-file', dep.conf_file])
            rpc = rpcapi.EngineAPI(conf)
            ctx = context.RequestContext(user_id='bench-user',
                                         project_id=PROJECT)
            try:
                dep.wait_for_engines(rpc, ctx, opts['hosts'])
                out['overhead'] = overhead(dep, rpc, ctx, lib, template,
                                           opts['runs'], opts['warmup'], log)
                out['loadavg'].append(_loadavg())
                small = generator.make_stack(FAMILY, opts['multi_servers'],
                                             0)
                usable = data.usable_capacity(topology)
                runs = [engines_run(dep, small, opts['multi_stacks'],
                                    opts['multi_threads'], usable, 'one',
                                    log)]
                dep.start_engine('engine-2')
                dep.wait_for_engines(rpc, ctx, opts['hosts'])
                runs.append(engines_run(dep, small, opts['multi_stacks'],
                                        opts['multi_threads'], usable, 'two',
                                        log))
                dep.stop_engine('engine-2')
                out['engines'] = runs
                out['loadavg'].append(_loadavg())
                out['hot'] = hot_path(dep, template, opts['hot_plans'],
                                      opts['hot_threads'],
                                      [h['name'] for h in topology['hosts']],
                                      log)
                out['loadavg'].append(_loadavg())
            finally:
                from valet.common import messaging
                messaging.cleanup_shared_rpc_transport(conf)
    return out
