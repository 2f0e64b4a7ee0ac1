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

"""Tests of the nova topology source against a fake Keystone/Nova/Placement.
"""

import os

import fixtures

from valet.optimizer import api
from valet.optimizer.model import datacenter as dc_model
from valet.optimizer import plugins
from valet.tests import base
from valet.tests.fixtures import fake_nova
from valet.tests.unit.optimizer import fakes
from valet.topology import nova

ENABLED = ['compute-a', 'compute-b', 'node1', 'r01-h01', 'r01-h02']
DISABLED = ['r02-h01', 'r02-h02', 'r03-h01']


def populate(cloud):
    """A few racks of hosts, aggregates, flavors and servers."""
    big = {'vcpus': 32, 'ram_mb': 131072, 'disk_gb': 2000}
    cloud.add_host('r01-h01', reserved={'VCPU': 2, 'MEMORY_MB': 4096},
                   **big)
    cloud.add_host('r01-h02', ratios={'VCPU': 4.0, 'MEMORY_MB': 1.0}, **big)
    cloud.add_host('r02-h01', status='disabled', **big)
    cloud.add_host('r02-h02', state='down', **big)
    cloud.add_host('r03-h01', forced_down=True, **big)
    cloud.add_host('compute-a', **big)
    cloud.add_host('compute-b', **big)
    cloud.add_host('node1', **big)
    cloud.add_aggregate('fast', ['r01-h01', 'compute-a'],
                        {'ssd': 'true', 'availability_zone': 'az1'})
    cloud.add_aggregate('rack-a', ['compute-a', 'compute-b'],
                        {'rack': 'rk-a'})
    cloud.add_aggregate('ratios', ['r01-h02'], {'cpu_allocation_ratio': '2'})
    cloud.add_aggregate('infra', ['controller'], {})
    cloud.add_flavor('m1.small', 1, 2048, 20)
    cloud.add_flavor('m1.medium', 2, 4096, 40)
    cloud.add_flavor('ssd.large', 4, 8192, 80, extra_specs={'ssd': 'true'})
    cloud.add_flavor('m1.swap', 1, 1024, 10, ephemeral=5, swap=1536)
    cloud.add_flavor('p1.private', 8, 16384, 100, is_public=False)
    cloud.add_flavor('m1.old', 2, 4096, 40)
    cloud.add_server('r01-h01', 'm1.small')
    cloud.add_server('r01-h01', 'm1.small')
    cloud.add_server('r01-h01', 'm1.medium',
                     project_id=fake_nova.fake_nova_api.ADMIN_PROJECT_ID)
    cloud.add_server('r01-h02', 'm1.old')
    cloud.add_server('compute-a', 'm1.swap')
    cloud.add_server(None, 'm1.small', status='ERROR')
    cloud.delete_flavor('m1.old')


class NovaTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.fake = self.useFixture(fake_nova.FakeNova())
        self.cloud = self.fake.cloud
        self.fake.configure(self.conf)
        self.flags(group='engine', topology_driver='nova')

    def load(self, **kwargs):
        return nova.NovaTopology(self.conf).load(**kwargs)

    def host(self, dc, name):
        return dc.host_index[name]

    def unavailable(self, field, *words):
        exc = self.assertRaises(nova.TopologyUnavailable, self.load)
        self.assertEqual(field, exc.field)
        self.assertIn('nova: %s: ' % field, str(exc))
        for word in words:
            self.assertIn(word, exc.reason)
        return exc


class TestNovaTopology(NovaTestCase):

    def setUp(self):
        super().setUp()
        populate(self.cloud)

    def test_plugin(self):
        source = plugins.load_topology(self.conf)
        self.assertIsInstance(source, nova.NovaTopology)
        self.assertEqual(300, source.refresh_interval)
        self.flags(group='engine', topology_refresh_interval=120)
        self.assertEqual(120, source.refresh_interval)
        self.flags(group='nova', refresh_interval=60)
        self.assertEqual(60, source.refresh_interval)
        self.flags(group='nova', refresh_interval=0)
        self.assertEqual(0, source.refresh_interval)
        self.assertIsInstance(source.load(), dc_model.Datacenter)

    def test_hosts_are_the_compute_services(self):
        dc = self.load()
        self.assertEqual(sorted(ENABLED + DISABLED), dc.host_names)
        self.assertNotIn('controller', dc.host_names)
        self.assertEqual(['nova-compute'], self.cloud.requests_of(
            'compute', '/os-services')[0].query['binary'])

    def test_disabled_down_and_forced_down_hosts(self):
        dc = self.load()
        for name in ENABLED:
            self.assertTrue(dc.enabled[self.host(dc, name)], name)
        for name in DISABLED:
            self.assertFalse(dc.enabled[self.host(dc, name)], name)

    def test_capacity_and_ratios_from_placement(self):
        dc = self.load()
        h1, h2 = self.host(dc, 'r01-h01'), self.host(dc, 'r01-h02')
        self.assertEqual([32, 131072, 2000], list(dc.total[h1]))
        self.assertEqual([16.0, 1.5, 1.0], list(dc.ratio[h1]))
        # The inventory's ratio wins over the aggregate's metadata.
        self.assertEqual([4.0, 1.0, 1.0], list(dc.ratio[h2]))
        self.assertEqual([128, 131072, 2000], list(dc.capacity[h2]))

    def test_reserved_is_used_and_servers_are_not_counted_twice(self):
        dc = self.load()
        h1 = self.host(dc, 'r01-h01')
        # The reserve, scaled as Placement scales it.
        self.assertEqual([2 * 16.0, 4096 * 1.5, 0], list(dc.used[h1]))
        self.assertEqual([1 + 1 + 2, 2048 * 2 + 4096, 20 * 2 + 40],
                         list(dc.known[h1]))
        # What Placement would still accept there.
        self.assertEqual([(32 - 2) * 16 - 4, (131072 - 4096) * 1.5 - 8192,
                          2000 - 80], list(dc.free[h1]))
        self.assertTrue(dc.occupied[h1])
        empty = self.host(dc, 'compute-b')
        self.assertEqual([0, 0, 0], list(dc.used[empty]))
        self.assertFalse(dc.occupied[empty])

    def test_usage_of_unlisted_servers_stays_used(self):
        self.cloud.add_usage('compute-b', VCPU=3, MEMORY_MB=1024)
        dc = self.load()
        self.assertEqual([3, 1024, 0],
                         list(dc.used[self.host(dc, 'compute-b')]))

    def test_used_is_never_negative(self):
        # A server Placement holds no allocation for (a boot from volume
        # takes no root disk, for instance).
        self.cloud.add_server('compute-b', 'm1.medium', allocate=False)
        dc = self.load()
        host = self.host(dc, 'compute-b')
        self.assertEqual([0, 0, 0], list(dc.used[host]))
        self.assertEqual([2, 4096, 40], list(dc.known[host]))

    def test_flavors(self):
        dc = self.load()
        self.assertEqual({'ssd': 'true'}, dc.flavors['ssd.large'].extra_specs)
        # Root + ephemeral + swap in GB rounded up.
        self.assertEqual(10 + 5 + 2, dc.flavors['m1.swap'].disk_gb)
        self.assertIn('p1.private', dc.flavors)
        self.assertEqual(['None'], self.cloud.requests_of(
            'compute', '/flavors/detail')[0].query['is_public'])

    def demand(self, dc, server):
        return list(dc.server_demand[dc.server_ids.index(server['id'])])

    def test_server_with_deleted_flavor_counts(self):
        dc = self.load()
        old = next(s for s in self.cloud.servers
                   if s['flavor']['name'] == 'm1.old')
        self.assertEqual([2, 4096, 40], self.demand(dc, old))
        self.assertEqual([2, 4096, 40],
                         list(dc.known[self.host(dc, 'r01-h02')]))
        # Nova refuses to build new servers with it.
        self.assertNotIn('m1.old', dc.flavors)

    def test_flavor_name_reused_with_other_sizes(self):
        first = self.cloud.add_server('compute-b', 'm1.small')
        self.cloud.delete_flavor('m1.small')
        self.cloud.add_flavor('m1.small', 2, 2048, 20)
        second = self.cloud.add_server('compute-b', 'm1.small')
        dc = self.load()
        self.assertEqual(2, dc.flavors['m1.small'].vcpus)
        self.assertEqual([1, 2048, 20], self.demand(dc, first))
        self.assertEqual([2, 2048, 20], self.demand(dc, second))
        self.assertEqual([0, 0, 0], list(dc.used[self.host(dc, 'compute-b')]))

    def test_servers_of_all_projects(self):
        dc = self.load()
        placed = [s['id'] for s in self.cloud.servers if s['host']]
        self.assertEqual(sorted(placed), sorted(dc.server_ids))
        request = self.cloud.requests_of('compute', '/servers/detail')[0]
        self.assertEqual(['True'], request.query['all_tenants'])

    def test_microversions(self):
        self.load()

        def version(path):
            text = self.cloud.requests_of('compute', path)[0].microversion
            return tuple(int(x) for x in text.split('.'))

        # The embedded flavor, and flavors with their extra specs.
        self.assertGreaterEqual(version('/servers/detail'), (2, 47))
        self.assertGreaterEqual(version('/flavors/detail'), (2, 61))

    def test_compute_api_too_old(self):
        self.cloud.compute_max_version = (2, 60)
        self.unavailable('compute (version discovery)', '2.61')

    def test_oldest_compute_api_supported(self):
        # Before 2.75 a flavor without swap shows "" for it.
        self.cloud.compute_max_version = (2, 61)
        dc = self.load()
        self.assertEqual(20, dc.flavors['m1.small'].disk_gb)
        self.assertEqual('2.61', self.cloud.requests_of(
            'compute', '/servers/detail')[0].microversion)

    def test_aggregates_and_zones(self):
        dc = self.load()
        self.assertEqual(['compute-a', 'r01-h01'], sorted(
            dc.host_names[i] for i in dc.aggregates['fast'].hosts))
        self.assertEqual(0, len(dc.aggregates['infra'].hosts))
        zone = dc.az_names.__getitem__
        self.assertEqual('az1', zone(dc.host_az[self.host(dc, 'r01-h01')]))
        self.assertEqual('nova', zone(dc.host_az[self.host(dc, 'r01-h02')]))

    def test_racks_from_aggregate_pattern_and_host(self):
        dc = self.load()

        def rack(name):
            return dc.rack_names[dc.host_rack[self.host(dc, name)]]

        self.assertEqual('rk-a', rack('compute-a'))
        self.assertEqual('rk-a', rack('compute-b'))
        self.assertEqual('r01', rack('r01-h02'))
        self.assertEqual('node1', rack('node1'))

    def test_racks_from_mapping_file(self):
        path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                            'racks.yaml')
        with open(path, 'w') as stream:
            stream.write('compute-b: rk-b\nr01-h01: 7\nunknown-host: r9\n')
        self.flags(group='nova', rack_mapping_file=path)
        dc = self.load()

        def rack(name):
            return dc.rack_names[dc.host_rack[self.host(dc, name)]]

        # The file wins over the aggregate and the pattern.
        self.assertEqual('rk-b', rack('compute-b'))
        self.assertEqual('7', rack('r01-h01'))
        self.assertEqual('rk-a', rack('compute-a'))
        self.assertEqual('r01', rack('r01-h02'))

    def test_pagination(self):
        self.cloud.max_limit = 2
        dc = self.load()
        self.assertEqual(8, dc.n_hosts)
        self.assertEqual(5, len(dc.server_ids))
        self.assertIn('p1.private', dc.flavors)
        for path in ('/servers/detail', '/flavors/detail',
                     '/os-hypervisors/detail'):
            requests = self.cloud.requests_of('compute', path)
            self.assertGreater(len(requests), 2, path)
            self.assertNotIn('marker', requests[0].query)
            self.assertIn('marker', requests[1].query)

    def test_existing_servers_bring_their_groups(self):
        running = next(s for s in self.cloud.servers
                       if s['host'] == 'compute-a')
        unscheduled = next(s for s in self.cloud.servers if not s['host'])
        group = ('g1', 'affinity', 'rack')
        dc = self.load(existing=[
            dc_model.ExistingServer(running['id'], 'elsewhere', 'any',
                                    [group]),
            dc_model.ExistingServer(unscheduled['id'], 'compute-b',
                                    'm1.small', [group])], group_defs={
            'g2': ('diversity', 'host')})
        # Nova's host and flavor, Valet's groups.
        index = dc.server_ids.index(running['id'])
        self.assertEqual('compute-a', dc.host_names[dc.server_host[index]])
        self.assertEqual([1, 1024, 17], list(dc.server_demand[index]))
        # Nova shows no host yet: what Valet planned holds.
        self.assertIn(unscheduled['id'], dc.server_ids)
        members = dc.named_groups['g1']
        self.assertEqual(['compute-a', 'compute-b'], sorted(
            dc.host_names[i] for i in members.hosts))
        self.assertIn('g2', dc.named_groups)

    def test_place_stack_on_the_loaded_data_center(self):
        dc = self.load()
        resources = {'db%d' % i: fakes.server('ssd.large') for i in range(2)}
        resources.update({'web%d' % i: fakes.server('m1.small')
                          for i in range(5)})
        resources['db'] = fakes.group('diversity', 'host', ['db0', 'db1'])
        resources['web'] = fakes.group('diversity', 'host',
                                       ['web%d' % i for i in range(5)])
        result = api.place_stack(self.conf, dc, fakes.stack(dc, resources))
        self.assertTrue(result.ok, result.reason)
        hosts = {name: p['host'] for name, p in result.placements.items()}
        # The ssd servers on the hosts of the ssd aggregate; nothing on
        # the disabled, down or forced down hosts.
        self.assertEqual({'compute-a', 'r01-h01'},
                         {hosts['db0'], hosts['db1']})
        self.assertEqual(sorted(ENABLED), sorted(
            hosts['web%d' % i] for i in range(5)))

    def test_interfaces_and_endpoint_override(self):
        self.load()
        served = {(r.service, r.interface) for r in self.cloud.requests
                  if r.service != 'identity'}
        self.assertEqual({('compute', 'internal'),
                          ('placement', 'internal')}, served)
        self.cloud.requests[:] = []
        self.flags(group='nova',
                   endpoint_override=self.fake.url + '/compute/v2.1')
        self.load()
        served = {(r.service, r.interface) for r in self.cloud.requests
                  if r.service != 'identity'}
        self.assertEqual({('compute', 'public'),
                          ('placement', 'internal')}, served)

    def test_public_interface(self):
        self.flags(group='nova', valid_interfaces=['public'])
        self.load()
        self.assertEqual({'public'}, {r.interface
                                      for r in self.cloud.requests})


class TestNovaOddTopologies(NovaTestCase):

    def test_compute_nodes_of_one_host_add_up(self):
        self.cloud.add_host('cluster-1', vcpus=8, ram_mb=1000, disk_gb=10,
                            nodes=['node-a', 'node-b'])
        self.cloud.provider('node-b')['inventories']['VCPU'][
            'allocation_ratio'] = 2.0
        dc = self.load()
        self.assertEqual(['cluster-1'], dc.host_names)
        # Different ratios: the summed capacity, with ratio 1.
        self.assertEqual([8 * 16 + 8 * 2, 2000, 20], list(dc.total[0]))
        self.assertEqual([1.0, 1.5, 1.0], list(dc.ratio[0]))

    def test_node_without_provider_has_no_capacity(self):
        self.cloud.add_host('r01-h01', provider=False)
        self.cloud.add_host('r01-h02')
        dc = self.load()
        self.assertEqual(['r01-h01', 'r01-h02'], dc.host_names)
        self.assertEqual([0, 0, 0], list(dc.capacity[0]))
        self.assertEqual([], [r.path for r in self.cloud.requests_of(
            'placement') if self.cloud.hypervisors[0]['id'] in r.path])

    def test_service_without_node_and_node_without_service(self):
        self.cloud.add_host('r01-h01', nodes=())
        gone = self.cloud.add_host('r01-h02')
        self.cloud.add_host('r01-h03')
        self.cloud.add_flavor('m1.small', 1, 2048, 20)
        server = self.cloud.add_server('r01-h02', 'm1.small')
        self.cloud.services.remove(gone)
        dc = self.load(existing=[dc_model.ExistingServer(
            server['id'], 'r01-h03', 'm1.small', [])])
        self.assertEqual(['r01-h03'], dc.host_names)
        # Nova says it runs where Valet has no host: not counted at all.
        self.assertEqual([], dc.server_ids)

    def test_other_providers_are_not_read(self):
        self.cloud.add_host('r01-h01')
        self.cloud.add_provider('shared-storage',
                                {'DISK_GB': {'total': 100000}})
        dc = self.load()
        self.assertEqual(1, dc.n_hosts)
        provider = self.cloud.provider('shared-storage')['uuid']
        self.assertFalse([r for r in self.cloud.requests_of('placement')
                          if provider in r.path])

    def test_empty_cloud(self):
        dc = self.load()
        self.assertEqual(0, dc.n_hosts)
