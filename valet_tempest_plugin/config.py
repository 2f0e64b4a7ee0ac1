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

"""Tempest options of the Valet plugin."""

from oslo_config import cfg

service_available_group = cfg.OptGroup(
    name='service_available',
    title='Available OpenStack Services')

ServiceAvailableGroup = [
    cfg.BoolOpt('valet',
                default=True,
                help='Whether or not Valet is expected to be available.'),
]

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
    cfg.BoolOpt('member_check',
                default=True,
                help='Whether Valet checks the project ids added to a group '
                     'against Keystone (auth_strategy = keystone, or '
                     'noauth_verify_projects).'),
]
