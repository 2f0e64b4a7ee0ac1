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

"""Tests of the data center model (ratios, reserve, racks, existing)."""

import numpy as np

from valet.optimizer import exception
from valet.optimizer.model import datacenter as dc_model
from valet.tests import base
from valet.tests.unit.optimizer import fakes


class TestDatacenter(base.TestCase):

    def _doc(self, **host_extra):
        doc = fakes.topology(racks=1, hosts_per_rack=2)
        doc['hosts'][0].update(host_extra)
        return doc

    def test_ratio_host_then_lowest_aggregate_then_default(self):
        doc = fakes.topology(racks=1, hosts_per_rack=3)
        del doc['defaults']
        doc['hosts'][0]['cpu_allocation_ratio'] = 3.0
        doc['aggregates'] = {
            'a': {'hosts': ['r0-h0', 'r0-h1'],
                  'metadata': {'cpu_allocation_ratio': '4.0'}},
            'b': {'hosts': ['r0-h1'],
                  'metadata': {'cpu_allocation_ratio': '2.0'}}}
        self.flags(group='engine', cpu_allocation_ratio=5.0)
        dc = fakes.datacenter(self.conf, doc)
        self.assertEqual([3.0, 2.0, 5.0], list(dc.ratio[:, 0]))
        self.assertEqual([24.0, 16.0, 40.0], list(dc.capacity[:, 0]))

    def test_file_defaults_override_config(self):
        dc = fakes.datacenter(self.conf, fakes.topology(racks=1))
        self.assertEqual(1.0, dc.ratio[0, 1])

    def test_reserve_is_held_back(self):
        self.flags(group='engine', reserved_vcpus_percent=25.0,
                   reserved_ram_percent=50.0)
        dc = fakes.datacenter(self.conf, self._doc())
        self.assertEqual([6.0, 4096.0, 100.0], list(dc.capacity[0]))

    def test_free_subtracts_used_and_known_servers(self):
        existing = {'servers': [{'id': 'a', 'host': 'r0-h0',
                                 'flavor': 'medium'},
                                {'id': 'b', 'host': 'r0-h0',
                                 'flavor': 'small'}]}
        dc = fakes.datacenter(self.conf, self._doc(used={'vcpus': 1}),
                              existing)
        self.assertEqual([4.0, 8192 - 3072.0, 70.0], list(dc.free[0]))
        self.assertEqual([True, False], list(dc.occupied))
        self.assertEqual([2, 0], list(dc.server_count))

    def test_used_alone_marks_host_occupied(self):
        dc = fakes.datacenter(self.conf, self._doc(used={'disk_gb': 1}))
        self.assertTrue(dc.occupied[0])

    def test_rack_sources(self):
        doc = fakes.topology(racks=1, hosts_per_rack=1)
        doc['hosts'] = [
            dict(doc['hosts'][0], name='explicit', rack='rx'),
            dict(doc['hosts'][0], name='pdk15r05c001', rack=None),
            dict(doc['hosts'][0], name='agg-host', rack=None),
            dict(doc['hosts'][0], name='loner', rack=None)]
        for h in doc['hosts']:
            if h['rack'] is None:
                del h['rack']
        doc['aggregates'] = {'ra': {'hosts': ['agg-host'],
                                    'metadata': {'rack': 'r-agg'}}}
        self.flags(group='engine', rack_name_pattern=r'^(?P<rack>.+r\d+)c')
        dc = fakes.datacenter(self.conf, doc)
        racks = [dc.rack_names[r] for r in dc.host_rack]
        self.assertEqual(['rx', 'pdk15r05', 'r-agg', 'loner'], racks)

    def test_existing_groups_occupancy(self):
        doc = fakes.topology(racks=2, hosts_per_rack=2)
        excl = {'name': 'ex', 'type': 'exclusivity', 'level': 'host'}
        existing = {'servers': [
            {'id': 'a', 'host': 'r1-h1', 'flavor': 'small',
             'groups': [excl]},
            {'id': 'b', 'host': 'r1-h0', 'flavor': 'small',
             'groups': [excl]}],
            'groups': [{'name': 'later', 'type': 'diversity',
                        'level': 'rack'}]}
        dc = fakes.datacenter(self.conf, doc, existing)
        group = dc.named_groups['ex']
        self.assertEqual([2, 3], list(group.hosts))
        self.assertEqual([1], list(group.racks))
        self.assertEqual(0, len(dc.named_groups['later'].hosts))

    def test_group_kind_mismatch_names_field(self):
        existing = {'servers': [
            {'id': 'a', 'host': 'r0-h0', 'flavor': 'small',
             'groups': [{'name': 'g', 'type': 'affinity', 'level': 'host'}]},
            {'id': 'b', 'host': 'r0-h0', 'flavor': 'small',
             'groups': [{'name': 'g', 'type': 'diversity',
                         'level': 'host'}]}]}
        exc = self.assertRaises(exception.InvalidTopology,
                                fakes.datacenter, self.conf, self._doc(),
                                existing)
        self.assertEqual('servers[1].groups', exc.field)

    def test_zone_from_host_then_aggregate_then_default(self):
        doc = fakes.topology(racks=1, hosts_per_rack=3)
        for host in doc['hosts']:
            del host['availability_zone']
        doc['hosts'][0]['availability_zone'] = 'az1'
        doc['aggregates'] = {'z': {'hosts': ['r0-h0', 'r0-h1'],
                                   'metadata': {'availability_zone': 'az2'}}}
        self.flags(group='engine', default_availability_zone='dflt')
        dc = fakes.datacenter(self.conf, doc)
        self.assertEqual(['az1', 'az2', 'dflt'],
                         [dc.az_names[z] for z in dc.host_az])
        self.assertEqual([False, False, True], list(dc.az_mask('dflt')))

    def test_swap_rounds_up_to_gb(self):
        flavor = dc_model.Flavor.from_parts('f', 1, 512, root_gb=10,
                                            ephemeral_gb=5, swap_mb=1025)
        self.assertEqual(17, flavor.disk_gb)

    def test_spec_mask_is_cached_and_read_only(self):
        dc = fakes.datacenter(self.conf, self._doc())
        calls = []

        def matcher(specs, datacenter):
            calls.append(specs)
            return np.ones(datacenter.n_hosts, dtype=bool)

        first = dc.spec_mask({'a': '1'}, matcher)
        dc.spec_mask({'a': '1'}, matcher)
        self.assertEqual(1, len(calls))
        self.assertFalse(first.flags.writeable)

    def test_many_existing_servers_are_arrays(self):
        doc = fakes.topology(racks=4, hosts_per_rack=25)
        existing = {'servers': [
            {'id': str(i), 'host': 'r%d-h%d' % (i % 4, i % 25),
             'flavor': 'small'} for i in range(2000)]}
        dc = fakes.datacenter(self.conf, doc, existing)
        self.assertEqual(np.int32, dc.server_host.dtype)
        self.assertEqual(2000, int(dc.server_count.sum()))
