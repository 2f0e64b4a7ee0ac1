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

"""Tempest options of the Valet plugin.

``[service_available] valet`` says whether Valet is deployed; the
``[valet]`` group says where its API is, which microversions the
deployment serves, and what its data center holds (the defaults are
those of the sample data center, ``etc/valet/samples/datacenter.yaml``,
that the end-to-end suite's valet-engine plans on). ``[service_available]
heat`` is registered here too: tempest itself no longer knows Heat, and
the scenario tests skip without it.
"""

from oslo_config import cfg

service_available_group = cfg.OptGroup(
    name='service_available',
    title='Available OpenStack Services')

ServiceAvailableGroup = [
    cfg.BoolOpt('valet',
                default=True,
                help='Whether or not Valet is expected to be available.'),
]

# Registered only when no other plugin (heat-tempest-plugin...) did.
HeatAvailableOpt = cfg.BoolOpt(
    'heat',
    default=False,
    help='Whether or not Heat is expected to be available (Valet\'s '
         'scenario tests create stacks with it).')

# The enabled hosts of the sample data center.
SAMPLE_HOSTS = ['r01-h01', 'r01-h02', 'r01-h03', 'r01-h04',
                'r02-h01', 'r02-h02', 'r02-h03', 'r02-h04',
                'r03-h01', 'r03-h02', 'r03-h03',
                'r04-h01', 'r04-h02', 'r04-h03', 'r04-h04']

valet_group = cfg.OptGroup(
    name='valet',
    title='Valet placement service options')

ValetGroup = [
    cfg.StrOpt('catalog_type',
               default='valet',
               help='Catalog type of the Valet service.'),
    cfg.StrOpt('endpoint_type',
               default='public',
               choices=['public', 'admin', 'internal',
                        'publicURL', 'adminURL', 'internalURL'],
               help='The endpoint type to use for the Valet service.'),
    cfg.StrOpt('region',
               default='',
               help='The Valet region name to use. If empty, the value of '
                    'identity.region is used instead.'),
    cfg.StrOpt('min_microversion',
               default=None,
               help='The lowest Valet API microversion the tests send: '
                    'each test sends the higher of this one and its own '
                    'lowest (the base version, 1.0, for most). Empty: '
                    'the tests\' own.'),
    cfg.StrOpt('max_microversion',
               default='latest',
               help='The highest Valet API microversion the deployment '
                    'serves ("latest": whatever the server has). Tests '
                    'that need a higher one are skipped.'),
    cfg.BoolOpt('member_check',
                default=True,
                help='Whether Valet checks the project ids added to a group '
                     'against Keystone (auth_strategy = keystone, or '
                     'noauth_verify_projects).'),
    cfg.StrOpt('flavor',
               default='m1.small',
               help='A flavor of the data center Valet plans on (by name, '
                    'as Heat templates give it), small enough that every '
                    'host of "hosts" takes a few servers of it.'),
    cfg.ListOpt('hosts',
                default=SAMPLE_HOSTS,
                help='Every enabled compute host of the data center Valet '
                     'plans on (at least two, on at least two racks). The '
                     'tests restrict plans to them, and exclude them all '
                     'to see a migration refused.'),
    cfg.StrOpt('orchestration_catalog_type',
               default='orchestration',
               help='Catalog type of Heat, for the scenario tests.'),
    cfg.StrOpt('orchestration_endpoint_type',
               default='public',
               choices=['public', 'admin', 'internal',
                        'publicURL', 'adminURL', 'internalURL'],
               help='The endpoint type of Heat, for the scenario tests.'),
    cfg.IntOpt('stack_build_timeout',
               default=600,
               help='Seconds a scenario test waits for a Heat stack to '
                    'be created or deleted.'),
    cfg.IntOpt('stack_build_interval',
               default=2,
               help='Seconds between two looks at a Heat stack\'s '
                    'status.'),
]
