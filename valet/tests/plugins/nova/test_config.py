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


"""ValetFilter's pieces that need no Valet: options, hints, requests."""

import uuid

from oslo_config import fixture as config_fixture
import testtools

import nova.conf
from nova import objects

from valet.plugins import client as valet_client
from valet.plugins.nova import filter as valet_filter
from valet.tests.plugins.nova import base

CONF = nova.conf.CONF


class TestResourcePath(testtools.TestCase):
    """Heat's heat_path_in_stack and heat_resource_name hints."""

    def test_root_stack_server(self):
        # A one-element hint comes unwrapped from get_scheduler_hint.
        self.assertEqual('web', valet_filter.resource_path('mystack', 'web'))
        self.assertEqual('web',
                         valet_filter.resource_path(['mystack'], 'web'))

    def test_nested_servers(self):
        self.assertEqual('tier/web', valet_filter.resource_path(
            ['mystack', 'tier,mystack-tier-abc'], 'web'))
        self.assertEqual('group/0/web', valet_filter.resource_path(
            ['mystack', 'group,mystack-group-x', '0,mystack-group-x-0-y'],
            'web'))

    def test_resource_name_with_a_comma(self):
        # Stack names have no comma; resource names may.
        self.assertEqual('a,b/web', valet_filter.resource_path(
            ['mystack', 'a,b,mystack-a-x'], 'web'))

    def test_no_path_hint(self):
        self.assertEqual('web', valet_filter.resource_path(None, 'web'))


class TestOptions(testtools.TestCase):
    """The [valet] options live in nova.conf."""

    def setUp(self):
        super().setUp()
        self.useFixture(config_fixture.Config(CONF))
        # The Config fixture's cleanup forgets set_default(): register as
        # importing the filter did.
        valet_client.register_opts(CONF)
        CONF([], project='nova', default_config_files=[])

    def test_registered_on_nova_conf(self):
        self.assertEqual('reject', CONF.valet.failure_mode)
        self.assertEqual('valet', CONF.valet.service_type)
        self.assertEqual(60, CONF.valet.timeout)
        self.assertIsNone(CONF.valet.url)
        for name in ('auth_type', 'connect_retries', 'status_code_retries',
                     'valid_interfaces', 'region_name', 'cafile'):
            self.assertIn(name, CONF.valet)

    def test_failure_mode_choices(self):
        self.assertRaises(ValueError, CONF.set_override, 'failure_mode',
                          'ignore', 'valet')

    def test_url_must_be_http(self):
        self.assertRaises(ValueError, CONF.set_override, 'url',
                          'ftp://valet:8090', 'valet')
        CONF.set_override('url', 'https://valet:8090', 'valet')
        self.assertEqual('https://valet:8090', CONF.valet.url)

    def test_a_client_that_cannot_be_made_is_unavailable(self):
        CONF.set_override('auth_type', 'no-such-plugin', 'valet')
        valet_filter.reset_client()
        self.addCleanup(valet_filter.reset_client)
        e = self.assertRaises(valet_client.ValetUnavailable,
                              valet_filter.get_client)
        self.assertIn('the [valet] section of nova.conf does not make a '
                      'client', str(e))


class TestAdHocResources(testtools.TestCase):
    """The ad hoc plan of a server Heat did not create."""

    def spec(self, **fields):
        values = dict(instance_uuid=str(uuid.uuid4()),
                      flavor=objects.Flavor(name='m1.small'),
                      availability_zone=None, instance_group=None,
                      scheduler_hints={})
        values.update(fields)
        return objects.RequestSpec(**values)

    def test_unknown_instance(self):
        spec = self.spec()
        self.assertEqual(
            {spec.instance_uuid: {
                'name': spec.instance_uuid, 'type': 'OS::Nova::Server',
                'properties': {'flavor': 'm1.small'}}},
            valet_filter.adhoc_resources(spec, None))

    def test_name_zone_metadata_and_group(self):
        group = objects.InstanceGroup(uuid=str(uuid.uuid4()), name='web',
                                      policy='soft-anti-affinity')
        spec = self.spec(availability_zone='az1', instance_group=group)
        instance = objects.Instance(
            uuid=spec.instance_uuid, display_name='web-1',
            metadata={'valet': '{"groups": ["g1"]}', 'other': 'x'})
        self.assertEqual({
            spec.instance_uuid: {
                'name': 'web-1', 'type': 'OS::Nova::Server',
                'properties': {'flavor': 'm1.small',
                               'availability_zone': 'az1',
                               'metadata': {'valet': {'groups': ['g1']}},
                               'scheduler_hints': {'group': group.uuid}}},
            group.uuid: {
                'name': 'web', 'type': 'OS::Nova::ServerGroup',
                'properties': {'policies': ['soft-anti-affinity']}}},
            valet_filter.adhoc_resources(spec, instance))

    def test_group_named_as_the_server_is_named_by_its_uuid(self):
        group = objects.InstanceGroup(uuid=str(uuid.uuid4()), name='web',
                                      policy='affinity')
        spec = self.spec(instance_group=group)
        instance = objects.Instance(display_name='web', metadata={})
        resources = valet_filter.adhoc_resources(spec, instance)
        self.assertEqual(group.uuid, resources[group.uuid]['name'])

    def test_metadata_that_is_not_json_is_passed_for_valet_to_judge(self):
        spec = self.spec()
        instance = objects.Instance(display_name='x',
                                    metadata={'valet': 'db-group'})
        self.assertEqual(
            {'valet': 'db-group'},
            valet_filter.adhoc_resources(spec, instance)[
                spec.instance_uuid]['properties']['metadata'])


class TestHostPasses(base.NovaFilterTestCase):
    """Asked host by host, the filter decides for that host alone."""

    def test_host_passes_one_host(self):
        valet = valet_filter.ValetFilter()
        server = self.nova_instance('vm')
        spec = self.request_spec(server)
        self.assertTrue(valet.host_passes(self.host('r02-h02'), spec))
        self.assertEqual('r02-h02', self.placement(server)['location'])
        # The same server, another host: Valet moves it there.
        self.assertTrue(valet.host_passes(self.host('r02-h03'), spec))

    def test_enabled_last_in_nova(self):
        names = [type(f).__name__ for f in self.host_manager.enabled_filters]
        self.assertEqual(base.ENABLED_FILTERS, names)
        self.assertIsInstance(self.host_manager.enabled_filters[-1],
                              valet_filter.ValetFilter)
