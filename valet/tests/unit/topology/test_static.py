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

"""Tests of the static topology source and its file formats."""

import os

import fixtures
import yaml

from valet.optimizer import exception
from valet.optimizer import plugins
from valet.tests import base
from valet.tests.unit.optimizer import fakes
from valet.topology import static


class TestStaticTopology(base.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path

    def write(self, name, doc):
        path = os.path.join(self.dir, name)
        with open(path, 'w') as stream:
            if isinstance(doc, str):
                stream.write(doc)
            else:
                yaml.safe_dump(doc, stream)
        return path

    def fails(self, doc, field, *words, existing=None):
        path = self.write('dc.yaml', doc)
        epath = self.write('ex.yaml', existing) if existing else None
        exc = self.assertRaises(exception.InvalidTopology,
                                static.load_datacenter, self.conf, path,
                                epath)
        self.assertEqual(field, exc.field)
        self.assertIn(epath if existing else path, str(exc))
        for word in words:
            self.assertIn(word, str(exc))

    def test_plugin_loads_configured_file(self):
        path = self.write('dc.yaml', fakes.topology(racks=2))
        self.flags(group='engine', topology_file=path)
        source = plugins.load_topology(self.conf)
        self.assertIsInstance(source, static.StaticTopology)
        dc = source.load()
        self.assertEqual(['r0', 'r1'], dc.rack_names)
        self.assertEqual(4, dc.n_hosts)

    def test_existing_file(self):
        path = self.write('dc.yaml', fakes.topology())
        epath = self.write('ex.yaml', {'servers': [
            {'id': 'a', 'host': 'r0-h0', 'flavor': 'big', 'groups': [
                {'name': 'g', 'type': 'affinity', 'level': 'rack'}]}]})
        dc = static.load_datacenter(self.conf, path, epath)
        self.assertEqual(0.0, dc.free[0, 0])
        self.assertEqual([0], list(dc.named_groups['g'].racks))

    def test_rack_from_name_pattern(self):
        doc = fakes.topology(racks=1, hosts_per_rack=1)
        doc['hosts'] = [dict(doc['hosts'][0], name='pdk15r05c001')]
        del doc['hosts'][0]['rack']
        path = self.write('dc.yaml', doc)
        dc = static.load_datacenter(self.conf, path)
        self.assertEqual(['pdk15r05'], dc.rack_names)

    def test_missing_file(self):
        exc = self.assertRaises(exception.InvalidTopology,
                                static.load_datacenter, self.conf,
                                os.path.join(self.dir, 'nope.yaml'))
        self.assertIn('nope.yaml', str(exc))

    def test_bad_yaml(self):
        self.fails('hosts: [\n', '(file)', 'not valid YAML')

    def test_no_hosts(self):
        doc = fakes.topology()
        doc['hosts'] = []
        self.fails(doc, 'hosts', 'non-empty')

    def test_host_missing_vcpus(self):
        doc = fakes.topology()
        del doc['hosts'][2]['vcpus']
        self.fails(doc, 'hosts[2].vcpus', 'required')

    def test_host_bad_number(self):
        doc = fakes.topology()
        doc['hosts'][1]['ram_mb'] = 'lots'
        self.fails(doc, 'hosts[1].ram_mb', 'number')

    def test_host_nan_or_infinite(self):
        # YAML's .nan and .inf parse as floats.
        for value in (float('nan'), float('inf')):
            doc = fakes.topology()
            doc['hosts'][0]['vcpus'] = value
            self.fails(doc, 'hosts[0].vcpus', 'finite number')

    def test_host_negative_used(self):
        doc = fakes.topology()
        doc['hosts'][0]['used'] = {'vcpus': -1}
        self.fails(doc, 'hosts[0].used.vcpus', 'negative')

    def test_host_unknown_field(self):
        doc = fakes.topology()
        doc['hosts'][0]['vcpu'] = 3
        self.fails(doc, 'hosts[0].vcpu', 'unknown field')

    def test_host_bad_enabled(self):
        doc = fakes.topology()
        doc['hosts'][0]['enabled'] = 'yes'
        self.fails(doc, 'hosts[0].enabled', 'true or false')

    def test_duplicate_host(self):
        doc = fakes.topology()
        doc['hosts'][1]['name'] = doc['hosts'][0]['name']
        self.fails(doc, 'hosts[1].name', 'duplicate')

    def test_flavor_field(self):
        doc = fakes.topology()
        doc['flavors']['small'] = {'vcpus': 1, 'disk_gb': 1}
        self.fails(doc, 'flavors.small.ram_mb', 'required')

    def test_aggregate_unknown_host(self):
        doc = fakes.topology(aggregates={'a': {'hosts': ['ghost']}})
        self.fails(doc, 'aggregates.a.hosts', 'ghost')

    def test_aggregate_bad_ratio(self):
        doc = fakes.topology(aggregates={'a': {
            'hosts': ['r0-h0'], 'metadata': {'ram_allocation_ratio': 'x'}}})
        self.fails(doc, 'aggregates.a.metadata.ram_allocation_ratio',
                   'not a number')

    def test_aggregate_ratio_nan_or_negative(self):
        # Metadata are strings, and float() reads "nan" and "inf".
        for value in ('nan', 'inf', '-1'):
            doc = fakes.topology(aggregates={'a': {
                'hosts': ['r0-h0'],
                'metadata': {'cpu_allocation_ratio': value}}})
            self.fails(doc, 'aggregates.a.metadata.cpu_allocation_ratio',
                       'finite, at least 0')

    def test_existing_unknown_host(self):
        self.fails(fakes.topology(), 'servers[0].host', 'ghost',
                   existing={'servers': [{'host': 'ghost',
                                          'flavor': 'small'}]})

    def test_existing_unknown_flavor(self):
        self.fails(fakes.topology(), 'servers[0].flavor', 'huge',
                   existing={'servers': [{'host': 'r0-h0',
                                          'flavor': 'huge'}]})

    def test_existing_bad_group_type(self):
        self.fails(fakes.topology(), 'servers[0].groups[0].type',
                   existing={'servers': [{
                       'host': 'r0-h0', 'flavor': 'small',
                       'groups': [{'name': 'g', 'type': 'near'}]}]})

    def test_existing_bad_group_level(self):
        self.fails(fakes.topology(), 'groups[0].level',
                   existing={'groups': [{'name': 'g', 'type': 'affinity',
                                         'level': 'row'}]})
