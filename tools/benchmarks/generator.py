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

"""Seeded synthetic data centers and stacks in Valet's external formats.

Everything is a plain dict in the formats of engine.md: the topology file,
the existing-servers file and a Heat template, so ``valet-manage plan`` can
read what :func:`write` saves. The same arguments and seed always give the
same instance.

Example::

    python -m tools.benchmarks.generator --hosts 256 --load 0.8 \\
        --family web --servers 30 --seed 7 --out /tmp/inst
"""

import argparse
import os
import random

import yaml

SERVER = 'OS::Nova::Server'
GROUP = 'ATT::Valet::GroupAssignment'
PIPE = 'ATT::Valet::Pipe'
FAMILIES = ('web', 'nfv', 'dataparallel', 'quorum')
#: Families of 200-300-server stacks with a data center of their own
#: (see :mod:`tools.benchmarks.enterprise`).
LARGE_FAMILIES = ('enterprise',)
ALL_FAMILIES = FAMILIES + LARGE_FAMILIES
HOST_SIZES = ({'vcpus': 32, 'ram_mb': 131072, 'disk_gb': 1000},
              {'vcpus': 64, 'ram_mb': 262144, 'disk_gb': 2000})
FLAVORS = {
    'm1.small': {'vcpus': 1, 'ram_mb': 2048, 'disk_gb': 20},
    'm1.medium': {'vcpus': 2, 'ram_mb': 4096, 'disk_gb': 40},
    'm1.large': {'vcpus': 4, 'ram_mb': 8192, 'disk_gb': 80},
    'm1.xlarge': {'vcpus': 8, 'ram_mb': 16384, 'disk_gb': 160},
    'ssd.large': {'vcpus': 4, 'ram_mb': 8192, 'disk_gb': 80,
                  'extra_specs': {
                      'aggregate_instance_extra_specs:ssd': 'true'}},
}
BACKGROUND = ('m1.large', 'm1.xlarge')
DEFAULTS = {'cpu_allocation_ratio': 4.0, 'ram_allocation_ratio': 1.0,
            'disk_allocation_ratio': 1.0}
RACK_SIZE = 16
EMPTY_SHARE = 0.08
EXCLUSIVE_GROUP = 'nfv-excl'
#: Web family traffic (Mbps per pipe): web to app inside a pod, app to
#: its pod's database, replication between databases.
WEB_APP_MBPS = 300
WEB_DB_MBPS = 100
WEB_REPLICATION_MBPS = 50


def _fill_host(rng, host, load, known_share, existing, counter):
    """Load a host to ``load`` of its RAM: known servers, then ``used``."""
    target = host['ram_mb'] * load
    known = 0
    while known < target * known_share:
        flavor = rng.choice(BACKGROUND)
        if known + FLAVORS[flavor]['ram_mb'] > target:
            break
        known += FLAVORS[flavor]['ram_mb']
        counter[0] += 1
        existing.append({'id': 'bg-%06d' % counter[0],
                         'host': host['name'], 'flavor': flavor})
    rest = max(0.0, target - known) / host['ram_mb']
    if rest > 0:
        host['used'] = {'vcpus': int(host['vcpus'] * rest),
                        'ram_mb': int(host['ram_mb'] * rest),
                        'disk_gb': int(host['disk_gb'] * rest)}


def make_datacenter(n_hosts, load, seed=0, known_share=0.6,
                    exclusive_hosts=None, empty_share=None):
    """Return ``(topology, existing)`` for a seeded data center.

    Racks of 16 hosts alternate between two host sizes; about 8 % of hosts
    are empty, the others carry ``load`` (0.5-0.95 of RAM, +-0.1 per host),
    ``known_share`` of it as known servers. A few hosts are already held by
    the named host-exclusivity group ``nfv-excl`` (only its members run
    there). One rack in eight is SSD-backed (an aggregate). From 98 % load
    up only 2 % of hosts are empty (unless ``empty_share`` says otherwise):
    that is where stacks start to have no placement at all.
    """
    rng = random.Random('dc-%d-%d-%s' % (seed, n_hosts, load))
    hosts, existing, counter = [], [], [0]
    n_racks = max(1, (n_hosts + RACK_SIZE - 1) // RACK_SIZE)
    ssd = []
    if exclusive_hosts is None:
        exclusive_hosts = max(2, n_hosts // 64)
    if empty_share is None:
        empty_share = EMPTY_SHARE if load < 0.98 else EMPTY_SHARE / 4
    for index in range(n_hosts):
        rack = index // RACK_SIZE
        host = dict(HOST_SIZES[rack % 2], name='r%03d-h%02d' % (
            rack, index % RACK_SIZE), rack='r%03d' % rack,
            availability_zone='nova', enabled=True)
        if rack % 8 == min(7, n_racks - 1):
            ssd.append(host['name'])
        hosts.append(host)
    order = list(range(n_hosts))
    rng.shuffle(order)
    held = set(order[:exclusive_hosts])
    for index in order[exclusive_hosts:]:
        if rng.random() < empty_share:
            continue
        share = min(0.98, max(0.05, load + rng.uniform(-0.1, 0.1)))
        _fill_host(rng, hosts[index], share, known_share, existing, counter)
    for index in sorted(held):
        counter[0] += 1
        existing.append({'id': 'excl-%06d' % counter[0],
                         'host': hosts[index]['name'], 'flavor': 'm1.large',
                         'groups': [{'name': EXCLUSIVE_GROUP,
                                     'type': 'exclusivity',
                                     'level': 'host'}]})
    topology = {'name': 'dc-%d' % n_hosts, 'defaults': dict(DEFAULTS),
                'flavors': dict((k, dict(v)) for k, v in FLAVORS.items()),
                'aggregates': {'ssd': {'hosts': ssd,
                                       'metadata': {'ssd': 'true'}}},
                'hosts': hosts}
    return topology, {'servers': existing}


class _Stack(object):
    """A Heat template under construction."""

    def __init__(self):
        self.resources = {}

    def server(self, name, flavor, groups=None):
        props = {'flavor': flavor, 'image': 'cirros',
                 'availability_zone': 'nova'}
        if groups:
            props['metadata'] = {'valet': {'groups': list(groups)}}
        self.resources[name] = {'type': SERVER, 'properties': props}
        return name

    def group(self, name, kind, level, members):
        self.resources[name] = {'type': GROUP, 'properties': {
            'group_name': name, 'group_type': kind, 'level': level,
            'resources': list(members)}}
        return name

    def pipe(self, a, b, mbps):
        name = 'pipe-%s-%s' % (a, b)
        self.resources[name] = {'type': PIPE, 'properties': {
            'resources': [a, b], 'bandwidth': {'min': mbps}}}

    def template(self, description):
        return {'heat_template_version': '2015-04-30',
                'description': description,
                'resources': self.resources}


def _web(rng, n):
    """3-tier web: rack-affine pods of web+app, rack-diverse databases.

    Traffic model: inside a pod every web server talks to every app server
    (heavy, 300 Mbps each way pair); each app server talks to its pod's
    one database, its shard primary (moderate, 100 Mbps); the databases
    replicate in a chain (light, 50 Mbps per pair). The databases are
    rack-diverse, so their replication links always cross racks.
    """
    st = _Stack()
    n_db = max(2, n // 6)
    n_pods = max(1, (n - n_db) // 5)
    # One SSD database: only one rack in eight is SSD-backed.
    dbs = [st.server('db%d' % i, 'ssd.large' if i == 0 else 'm1.xlarge')
           for i in range(n_db)]
    st.group('db-tier', 'diversity', 'rack', dbs)
    for i in range(1, n_db):
        st.pipe(dbs[i - 1], dbs[i], WEB_REPLICATION_MBPS)
    left = n - n_db
    for p in range(n_pods):
        size = left // (n_pods - p)
        left -= size
        n_web = max(1, size // 2)
        webs = [st.server('web%d-%d' % (p, i), 'm1.medium')
                for i in range(n_web)]
        apps = [st.server('app%d-%d' % (p, i), 'm1.large')
                for i in range(size - n_web)]
        members = [st.group('web-tier%d' % p, 'diversity', 'host', webs)]
        if len(apps) > 1:
            members.append(st.group('app-tier%d' % p, 'diversity', 'host',
                                    apps))
        else:
            members.extend(apps)
        st.group('pod%d' % p, 'affinity', 'rack', members)
        for app in apps:
            for web in webs:
                st.pipe(web, app, WEB_APP_MBPS)
            st.pipe(app, dbs[p % n_db], WEB_DB_MBPS)
    return st.template('3-tier web')


def _nfv(rng, n):
    """NFV chains: active/standby pairs, exclusive hosts, chain links."""
    st = _Stack()
    pairs = max(1, n // 2)
    previous = None
    for i in range(pairs):
        dedicated = i % 3 == 0
        groups = [EXCLUSIVE_GROUP] if dedicated else None
        flavor = 'm1.xlarge' if dedicated else 'm1.large'
        pair = [st.server('vnf%d-a' % i, flavor, groups),
                st.server('vnf%d-s' % i, flavor, groups)]
        st.group('vnf%d' % i, 'diversity', 'host', pair)
        if previous:
            st.pipe(previous, pair[0], 1000)
        previous = pair[0]
    if n % 2:
        st.server('vnf-mgmt', 'm1.small')
        st.pipe('vnf-mgmt', 'vnf0-a', 10)
    return st.template('NFV chain')


def _dataparallel(rng, n):
    """Data-parallel pods: no group rules, dense links inside a pod."""
    st = _Stack()
    n_pods = max(1, n // 8)
    left = n
    for p in range(n_pods):
        size = left // (n_pods - p)
        left -= size
        workers = [st.server('w%d-%d' % (p, i),
                             rng.choice(('m1.large', 'm1.xlarge')))
                   for i in range(size)]
        for i in range(size):
            for j in range(i + 1, size):
                st.pipe(workers[i], workers[j], 100)
        if p:
            st.pipe('w%d-0' % (p - 1), workers[0], 50)
    return st.template('data-parallel pods')


def _quorum(rng, n):
    """Quorum sets of host-affinity pairs, the pairs spread over racks."""
    st = _Stack()
    pairs = max(1, n // 2)
    n_sets = max(1, pairs // 3)
    left = pairs
    for q in range(n_sets):
        size = left // (n_sets - q)
        left -= size
        members = []
        for i in range(size):
            pair = [st.server('q%d-%d-%s' % (q, i, role), 'm1.medium')
                    for role in ('a', 'b')]
            members.append(st.group('q%d-pair%d' % (q, i), 'affinity',
                                    'host', pair))
        if len(members) > 1:
            st.group('quorum%d' % q, 'diversity', 'rack', members)
        for i in range(1, len(members)):
            st.pipe(members[i - 1], members[i], 100)
    if n % 2:
        st.server('q-witness', 'm1.small')
    return st.template('quorum sets')


BUILDERS = {'web': _web, 'nfv': _nfv, 'dataparallel': _dataparallel,
            'quorum': _quorum}


def _enterprise():
    # Imported here: the enterprise module builds on this one.
    from tools.benchmarks import enterprise
    return enterprise


def make_stack(family, n_servers, seed=0):
    """Return a Heat template (dict) of one family with ``n_servers``."""
    if family not in ALL_FAMILIES:
        raise ValueError('family must be one of %s, not %r'
                         % (', '.join(ALL_FAMILIES), family))
    if not 1 <= n_servers <= 1000:
        raise ValueError('n_servers must be 1..1000, not %r' % n_servers)
    rng = random.Random('%s-%d-%d' % (family, n_servers, seed))
    if family in LARGE_FAMILIES:
        return _enterprise().make_stack(rng, n_servers)
    return BUILDERS[family](rng, n_servers)


def make_instance(n_hosts, load, family, n_servers, seed=0, **kw):
    """Return ``(topology, existing, template)`` of one benchmark case.

    A family of :data:`LARGE_FAMILIES` comes with its own kind of data
    center (``kw`` is for :func:`make_datacenter` only).
    """
    if family in LARGE_FAMILIES:
        topology, existing = _enterprise().make_datacenter(n_hosts, load,
                                                           seed)
    else:
        topology, existing = make_datacenter(n_hosts, load, seed, **kw)
    return topology, existing, make_stack(family, n_servers, seed)


def write(directory, topology, existing, template):
    """Save the three documents as YAML files; return their paths."""
    os.makedirs(directory, exist_ok=True)
    paths = []
    for name, doc in (('topology', topology), ('existing', existing),
                      ('template', template)):
        path = os.path.join(directory, '%s.yaml' % name)
        with open(path, 'w') as out:
            # libyaml's dumper: a 5,000-host existing file is megabytes.
            yaml.dump(doc, out, Dumper=getattr(yaml, 'CSafeDumper',
                                               yaml.SafeDumper),
                      default_flow_style=None, sort_keys=False)
        paths.append(path)
    return paths


def main(argv=None):
    """Write one generated instance to a directory."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--hosts', type=int, default=256)
    parser.add_argument('--load', type=float, default=0.7)
    parser.add_argument('--family', choices=ALL_FAMILIES, default='web')
    parser.add_argument('--servers', type=int, default=30)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--out', required=True)
    args = parser.parse_args(argv)
    for path in write(args.out, *make_instance(
            args.hosts, args.load, args.family, args.servers, args.seed)):
        print(path)


if __name__ == '__main__':
    main()
