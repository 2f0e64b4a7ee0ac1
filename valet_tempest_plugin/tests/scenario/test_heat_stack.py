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

"""A Heat stack with Valet's group rules, built where Valet planned it.

Valet's lifecycle plugin plans the stack before Heat creates anything;
Nova's ValetFilter then builds each server on its planned host. Deleting
the stack deletes its plan.
"""

from tempest import config
from tempest.lib.common.utils import data_utils
from tempest.lib.common.utils import test_utils
from tempest.lib import decorators
from tempest.lib import exceptions as lib_exc

from valet_tempest_plugin.tests.scenario import base

CONF = config.CONF

TEMPLATE = '''
heat_template_version: 2015-04-30
parameters:
  image: {type: string}
  flavor: {type: string}
resources:
  web1:
    type: OS::Nova::Server
    properties: {image: {get_param: image}, flavor: {get_param: flavor}%s}
  web2:
    type: OS::Nova::Server
    properties: {image: {get_param: image}, flavor: {get_param: flavor}%s}
  web-affinity:
    type: ATT::Valet::GroupAssignment
    properties:
      group_type: affinity
      level: host
      resources: [{get_resource: web1}, {get_resource: web2}]
'''


class HeatStackScenarioTest(base.ValetScenarioTest):
    """A stack's servers, placed by Valet, built by Nova."""

    @classmethod
    def skip_checks(cls):
        """Skip without Heat (said first), or without Nova."""
        if not CONF.service_available.heat:
            raise cls.skipException(
                'Heat is not available ([service_available] heat = false):'
                ' this scenario creates a stack with Valet\'s resource '
                'types and lifecycle plugin')
        super().skip_checks()

    @classmethod
    def setup_clients(cls):
        """The member's Heat client."""
        super().setup_clients()
        cls.stacks_client = cls.os_primary.valet_orchestration.StacksClient()

    def create_stack(self):
        networks = ''
        if CONF.service_available.neutron:
            network = self.get_tenant_network()
            if network:
                networks = ', networks: [{network: %s}]' % network['id']
        name = data_utils.rand_name(prefix='tempest', name='valet-stack')
        stack = self.stacks_client.create_stack(
            name, TEMPLATE % (networks, networks),
            parameters={'image': CONF.compute.image_ref,
                        'flavor': CONF.valet.flavor})['stack']
        self.addCleanup(self.delete_stack, name, stack['id'])
        self.stacks_client.wait_for_stack_status(name, stack['id'],
                                                 'CREATE_COMPLETE')
        return name, stack['id']

    def delete_stack(self, name, stack_id):
        test_utils.call_and_ignore_notfound_exc(
            self.stacks_client.delete_stack, name, stack_id)
        self.stacks_client.wait_for_stack_status(name, stack_id,
                                                 'DELETE_COMPLETE')

    @decorators.attr(type=['slow'])
    @decorators.idempotent_id('8056faa4-2286-428b-9eaf-f0046665522e')
    def test_stack_servers_on_their_planned_hosts(self):
        name, stack_id = self.create_stack()
        plan = self.admin.plans.show_plan(stack_id)['plan']
        self.assertEqual(stack_id, plan['stack_id'])
        planned = {one['name']: one for one in plan['placements'].values()}
        self.assertEqual(['web1', 'web2'], sorted(planned))

        resources = self.stacks_client.list_resources(
            name, stack_id)['resources']
        servers = {one['resource_name']: one['physical_resource_id']
                   for one in resources
                   if one['resource_type'] == 'OS::Nova::Server'}
        self.assertEqual(['web1', 'web2'], sorted(servers))
        hosts = set()
        for server_name, server_id in servers.items():
            host = self.host_of(server_id)
            self.assertEqual(planned[server_name]['location'], host)
            self.assertEqual(host, self.placement_of(server_id)['location'])
            hosts.add(host)
        # The affinity rule: one host.
        self.assertEqual(1, len(hosts), hosts)

        self.delete_stack(name, stack_id)
        self.assertRaises(lib_exc.NotFound, self.admin.plans.show_plan,
                          stack_id)
