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

"""Tests of the nova topology source when the cloud fails or answers badly.
"""

import os

import fixtures

from valet.optimizer import exception
from valet.tests.functional.topology import test_nova
from valet.topology import nova


class TestNovaBadAnswers(test_nova.NovaTestCase):

    def test_bad_inventory(self):
        self.cloud.add_host('r01-h01', ratios={'MEMORY_MB': -1.0})
        exc = self.assertRaises(exception.InvalidTopology, self.load)
        self.assertTrue(exc.field.endswith('.MEMORY_MB.allocation_ratio'),
                        exc.field)
        self.assertIn('at least 0', exc.reason)

    def test_bad_rack_mapping_files(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        for text, field, word in (('- a\n- b\n', '(top)', 'mapping'),
                                  ('h1: [r1]\n', 'h1', 'non-empty string'),
                                  ('h1: ""\n', 'h1', 'non-empty string'),
                                  ('h1: true\n', 'h1', 'non-empty string'),
                                  ('h1: [\n', '(file)', 'YAML')):
            path = os.path.join(tmp, 'racks.yaml')
            with open(path, 'w') as stream:
                stream.write(text)
            self.flags(group='nova', rack_mapping_file=path)
            exc = self.assertRaises(exception.InvalidTopology, self.load)
            self.assertEqual((path, field), (exc.source, exc.field), text)
            self.assertIn(word, exc.reason)
        self.flags(group='nova', rack_mapping_file=os.path.join(tmp, 'no'))
        exc = self.assertRaises(exception.InvalidTopology, self.load)
        self.assertIn('No such file', exc.reason)


class TestNovaUnavailable(test_nova.NovaTestCase):

    def setUp(self):
        super().setUp()
        test_nova.populate(self.cloud)

    def test_error_status_of_every_endpoint(self):
        provider = self.cloud.provider('r01-h01')['uuid']
        for service, path in (
                ('compute', '/os-services'),
                ('compute', '/os-hypervisors/detail'),
                ('compute', '/os-aggregates'),
                ('compute', '/flavors/detail'),
                ('compute', '/servers/detail'),
                ('placement', '/resource_providers'),
                ('placement', '/resource_providers/%s/inventories'
                 % provider),
                ('placement', '/resource_providers/%s/usages' % provider)):
            self.cloud.errors.clear()
            self.cloud.fail(service, path, 500)
            exc = self.unavailable('%s GET %s' % (service, path),
                                   'HTTP 500', path)
            self.assertNotIn('Traceback', str(exc))

    def test_error_on_a_later_page(self):
        self.cloud.max_limit = 2
        self.cloud.fail('compute', '/servers/detail', 503, after=1)
        self.unavailable('compute GET /servers/detail', 'HTTP 503',
                         'marker=')

    def test_hanging_endpoint_times_out(self):
        self.flags(group='nova', timeout=0.5)
        self.cloud.hang('placement', '/resource_providers')
        self.unavailable('placement GET /resource_providers', 'timed out')

    def test_connection_refused(self):
        self.fake.configure(self.conf, auth_url='http://127.0.0.1:9/v3')
        self.unavailable('identity (token)', 'Unable to establish '
                                             'connection')

    def test_bad_credentials(self):
        self.fake.configure(self.conf, password='wrong')
        self.unavailable('identity (token)', '401')

    def test_no_credentials(self):
        self.flags(group='nova', auth_type=None)
        exc = self.assertRaises(exception.InvalidTopology, self.load)
        self.assertEqual('[nova] auth_type', exc.field)

    def test_region_without_compute(self):
        self.flags(group='nova', region_name='RegionTwo')
        self.unavailable('compute (version discovery)', 'RegionTwo')

    def test_recovers_after_a_failure(self):
        source = nova.NovaTopology(self.conf)
        self.cloud.fail('compute', '/servers/detail', 502)
        self.assertRaises(nova.TopologyUnavailable, source.load)
        self.cloud.errors.clear()
        self.assertEqual(8, source.load().n_hosts)
