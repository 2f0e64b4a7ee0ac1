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

"""The ``enterprise`` family: large stacks on a data center with history.

A data center that has been running for years holds more than load: racks
of different sizes and host generations, two availability zones, SSD hosts
in only some racks (and only some hosts of those racks), a pinned-CPU
aggregate with its own allocation ratio, drained and disabled hosts, a
fresh empty rack now and then, hosts held by a named exclusivity group, and
named groups whose members already run there, at host and at rack level.

The stack (200-300 servers in the benchmark) is a whole application in
zone ``az1``:

* ``lb0`` / ``lb1``: a load balancer and its standby (host-diverse);
  ``lb0`` is linked to every web server;
* pods: a host-diverse web tier and a host-diverse app tier under one
  rack-affinity group, web to app linked all-to-all, each pod's app
  servers linked to one database;
* the databases (SSD flavor) join the running rack-diversity group
  ``db-quorum`` through a GroupAssignment's ``group_name``; replication
  links chain them;
* search pods: SSD indexers, host-diverse inside a rack-affinity group,
  linked all-to-all (the SSD tier a home rack must really hold);
* analytics workers join the running rack-affinity group ``analytics``
  through ``group_name``, its collector through ``metadata.valet.groups``;
* caches join the running host-diversity group ``cache-spread`` through
  ``metadata.valet.groups``, each linked to a pod;
* two agents join the running host-affinity group ``legacy-pair``, one
  through ``group_name``, one through ``metadata.valet.groups``;
* two HSM servers join the exclusivity group ``sec-excl``, which already
  holds hosts;
* batch workers without group rules, in linked clusters of four.
"""

import random

from tools.benchmarks import generator

NAME = 'enterprise'
ZONE = 'az1'
OTHER_ZONE = 'az2'
#: Share of the racks in ``az1`` (the zone of the stack).
ZONE_SHARE = 0.6
RACK_SIZES = (16, 16, 20, 24)
#: Host generations; local disks hold 15 GB per GiB of RAM, so that RAM,
#: not disk, fills first (the flavors ask 10 GB per GiB).
GENERATIONS = ({'vcpus': 32, 'ram_mb': 131072, 'disk_gb': 2000},
               {'vcpus': 48, 'ram_mb': 196608, 'disk_gb': 3000},
               {'vcpus': 64, 'ram_mb': 262144, 'disk_gb': 4000})
FLAVORS = {
    'ssd.xlarge': {'vcpus': 8, 'ram_mb': 16384, 'disk_gb': 160,
                   'extra_specs': {
                       'aggregate_instance_extra_specs:ssd': 'true'}},
}
EXCLUSIVE = 'sec-excl'
ANALYTICS = 'analytics'
DB_QUORUM = 'db-quorum'
CACHE = 'cache-spread'
LEGACY = 'legacy-pair'
#: Traffic (Mbps per pipe).
LB_WEB_MBPS = 50
WEB_APP_MBPS = 300
APP_DB_MBPS = 100
REPLICATION_MBPS = 50
INDEX_MBPS = 200
ANALYTICS_MBPS = 100
CACHE_MBPS = 30
BATCH_MBPS = 100
MIN_SERVERS = 40


def _racks(rng, n_hosts):
    """Rack sizes summing to ``n_hosts`` (the last rack partly filled)."""
    sizes, left = [], n_hosts
    while left > 0:
        size = min(left, rng.choice(RACK_SIZES))
        sizes.append(size)
        left -= size
    return sizes


class _Builder(object):
    """The data center under construction (see :func:`make_datacenter`)."""

    def __init__(self, n_hosts, load, seed):
        self.rng = random.Random('enterprise-dc-%d-%d-%s' % (
            seed, n_hosts, load))
        self.load = load
        self.hosts, self.existing, self.counter = [], [], [0]
        self.racks = []
        self.aggregates = {'ssd': {'hosts': [], 'metadata': {'ssd': 'true'}},
                           'pinned': {'hosts': [], 'metadata': {
                               'pinned': 'true',
                               'cpu_allocation_ratio': '1.0'}}}
        sizes = _racks(self.rng, n_hosts)
        in_zone = max(1, int(round(len(sizes) * ZONE_SHARE)))
        for r, size in enumerate(sizes):
            self._rack(r, size, ZONE if r < in_zone else OTHER_ZONE)
        self.zone_racks = list(range(in_zone))
        self.reserved = set()
        self.pinned = set(self.aggregates['pinned']['hosts'])

    def _rack(self, r, size, zone):
        rng = self.rng
        spec = rng.choice(GENERATIONS)
        name = 'r%03d' % r
        hosts = []
        for i in range(size):
            host = dict(spec, name='%s-h%02d' % (name, i), rack=name,
                        availability_zone=zone, enabled=True)
            hosts.append(host)
        # SSD hosts in about one rack in three, and only some of its hosts.
        if rng.random() < 0.35:
            count = rng.randint(3, max(3, size // 2))
            self.aggregates['ssd']['hosts'].extend(
                h['name'] for h in hosts[:count])
        elif rng.random() < 0.1:
            self.aggregates['pinned']['hosts'].extend(
                h['name'] for h in hosts)
        self.hosts.extend(hosts)
        self.racks.append(hosts)

    def pick(self, rack=None, zone_only=True):
        """A host not yet given a role (in ``rack`` or the zone)."""
        pool = [h for r in ([rack] if rack is not None else
                            self.zone_racks if zone_only
                            else range(len(self.racks)))
                for h in self.racks[r] if h['name'] not in self.reserved]
        host = self.rng.choice(pool)
        self.reserved.add(host['name'])
        return host

    def member(self, host, flavor, group, kind, level):
        self.counter[0] += 1
        self.existing.append({
            'id': '%s-%04d' % (group, self.counter[0]), 'host': host['name'],
            'flavor': flavor,
            'groups': [{'name': group, 'type': kind, 'level': level}]})

    def fill(self, host, share):
        """Background load: ``share`` of the RAM, or of the CPU if pinned."""
        if host['name'] in self.pinned:
            # One vCPU per 2 GiB of RAM in the background flavors: at a
            # CPU ratio of 1.0 the CPU is full at half the RAM.
            share *= min(1.0, host['vcpus'] * 2048.0 / host['ram_mb'])
        generator._fill_host(self.rng, host, share, 0.6, self.existing,
                             self.counter)


def make_datacenter(n_hosts, load, seed=0):
    """Return ``(topology, existing)`` of an enterprise data center."""
    dc = _Builder(n_hosts, load, seed)
    rng = dc.rng
    # Running named groups, all in the stack's zone.
    analytics_rack = rng.choice([r for r in dc.zone_racks
                                 if len(dc.racks[r]) >= 8] or dc.zone_racks)
    for _i in range(4):
        dc.member(dc.pick(analytics_rack), 'm1.large', ANALYTICS,
                  'affinity', 'rack')
    # Two racks already hold a database (one in a small data center).
    running = 2 if len(dc.zone_racks) >= 10 else 1
    for r in rng.sample(dc.zone_racks, running):
        dc.member(dc.pick(r), 'm1.xlarge', DB_QUORUM, 'diversity', 'rack')
    for _i in range(6):
        dc.member(dc.pick(), 'm1.medium', CACHE, 'diversity', 'host')
    legacy = dc.pick()
    dc.member(legacy, 'm1.small', LEGACY, 'affinity', 'host')
    held = [dc.pick() for _i in range(max(2, n_hosts // 128))]
    for host in held:
        dc.member(host, 'm1.large', EXCLUSIVE, 'exclusivity', 'host')
    held = set(h['name'] for h in held)
    fresh = set()
    if len(dc.racks) >= 20:
        fresh.add(rng.randrange(len(dc.racks)))
    for r, hosts in enumerate(dc.racks):
        rack_load = min(0.97, max(0.1, load + rng.uniform(-0.15, 0.15)))
        for host in hosts:
            if host['name'] in held or r in fresh:
                continue
            if host['name'] in dc.reserved:
                # A running member is there already; on the legacy host,
                # room is left for the new members of its host group.
                dc.fill(host, min(rack_load, 0.6 if host is legacy
                                  else 0.85))
            elif rng.random() >= 0.05:
                dc.fill(host, min(0.98, max(0.05, rack_load + rng.uniform(
                    -0.1, 0.1))))
    _disable(dc, held | set([legacy['name']]))
    topology = {'name': 'enterprise-%d' % n_hosts,
                'defaults': dict(generator.DEFAULTS),
                'flavors': dict((k, dict(v)) for k, v in list(
                    generator.FLAVORS.items()) + list(FLAVORS.items())),
                'aggregates': dc.aggregates, 'hosts': dc.hosts}
    return topology, {'servers': dc.existing}


def _disable(dc, keep):
    """Drained hosts: 2 % scattered, and half of one rack in maintenance."""
    rng = dc.rng
    for host in dc.hosts:
        if host['name'] not in keep and rng.random() < 0.02:
            host['enabled'] = False
    rack = dc.racks[rng.randrange(len(dc.racks))]
    for host in rack[:len(rack) // 2]:
        if host['name'] not in keep:
            host['enabled'] = False


class _Stack(generator._Stack):
    """A template whose servers all ask for the stack's zone."""

    def server(self, name, flavor, groups=None):
        super(_Stack, self).server(name, flavor, groups)
        self.resources[name]['properties']['availability_zone'] = ZONE
        return name

    def named(self, resource, group_name, kind, level, members):
        """A GroupAssignment joining (or making) group ``group_name``."""
        self.resources[resource] = {'type': generator.GROUP, 'properties': {
            'group_name': group_name, 'group_type': kind, 'level': level,
            'resources': list(members)}}
        return resource

    def mesh(self, servers, mbps):
        for i, a in enumerate(servers):
            for b in servers[i + 1:]:
                self.pipe(a, b, mbps)


def _sizes(n):
    """How many servers each part of an ``n``-server stack gets."""
    scale = n / 250.0
    part = {'db': max(2, int(round(5 * scale))),
            'search': (max(1, int(round(2 * scale))), 5),
            'analytics': max(2, int(round(8 * scale))),
            'cache': max(2, int(round(10 * scale))), 'legacy': 2, 'hsm': 2,
            'lb': 2}
    fixed = (part['db'] + part['search'][0] * part['search'][1] +
             part['analytics'] + 1 + part['cache'] + 6)
    part['pods'] = max(1, int((n - fixed) * 0.6) // 9)
    part['batch'] = n - fixed - 9 * part['pods']
    return part


def _pods(st, part, dbs):
    pods, webs = [], []
    for p in range(part['pods']):
        web = [st.server('web%d-%d' % (p, i), 'm1.medium') for i in range(4)]
        app = [st.server('app%d-%d' % (p, i), 'm1.large') for i in range(5)]
        tiers = [st.group('web-tier%d' % p, 'diversity', 'host', web),
                 st.group('app-tier%d' % p, 'diversity', 'host', app)]
        pods.append(st.group('pod%d' % p, 'affinity', 'rack', tiers))
        for a in app:
            for w in web:
                st.pipe(w, a, WEB_APP_MBPS)
            st.pipe(a, dbs[p % len(dbs)], APP_DB_MBPS)
        webs.extend(web)
    return pods, webs


def make_stack(rng, n):
    """Return the enterprise Heat template with ``n`` servers."""
    if n < MIN_SERVERS:
        raise ValueError('the enterprise family needs at least %d servers, '
                         'not %d' % (MIN_SERVERS, n))
    part = _sizes(n)
    st = _Stack()
    lbs = [st.server('lb%d' % i, 'm1.large') for i in range(2)]
    st.group('lb-ha', 'diversity', 'host', lbs)
    st.pipe(lbs[0], lbs[1], 10)
    dbs = [st.server('db%d' % i, 'ssd.xlarge') for i in range(part['db'])]
    st.named('db-tier', DB_QUORUM, 'diversity', 'rack', dbs)
    for i in range(1, len(dbs)):
        st.pipe(dbs[i - 1], dbs[i], REPLICATION_MBPS)
    pods, webs = _pods(st, part, dbs)
    for web in webs:
        st.pipe(lbs[0], web, LB_WEB_MBPS)
    count, size = part['search']
    for k in range(count):
        index = [st.server('idx%d-%d' % (k, i), 'ssd.large')
                 for i in range(size)]
        tier = st.group('idx-tier%d' % k, 'diversity', 'host', index)
        st.group('search%d' % k, 'affinity', 'rack', [tier])
        st.mesh(index, INDEX_MBPS)
    workers = [st.server('an%d' % i, 'm1.large')
               for i in range(part['analytics'])]
    st.named('analytics-job', ANALYTICS, 'affinity', 'rack', workers)
    st.server('an-collector', 'm1.medium', [ANALYTICS])
    st.mesh(workers, ANALYTICS_MBPS)
    st.pipe('an-collector', dbs[0], 20)
    for i in range(part['cache']):
        st.server('cache%d' % i, 'm1.medium', [CACHE])
        st.pipe('cache%d' % i, pods[i % len(pods)], CACHE_MBPS)
    st.server('agent0', 'm1.small')
    st.named('legacy-agents', LEGACY, 'affinity', 'host', ['agent0'])
    st.server('agent1', 'm1.small', [LEGACY])
    for i in range(part['hsm']):
        st.server('hsm%d' % i, 'm1.xlarge', [EXCLUSIVE])
        st.pipe('hsm%d' % i, lbs[0], 10)
    _batch(st, rng, part['batch'])
    return st.template('enterprise application')


def _batch(st, rng, n):
    """Batch workers without group rules, linked in clusters of four."""
    cluster = []
    for i in range(n):
        cluster.append(st.server('batch%d' % i, rng.choice(
            ('m1.small', 'm1.medium', 'm1.large'))))
        if len(cluster) == 4 or i == n - 1:
            st.mesh(cluster, BATCH_MBPS)
            cluster = []
