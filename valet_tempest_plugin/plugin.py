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

"""Valet's tempest plugin: its options, service clients and tests."""

import os

from oslo_config import cfg
from tempest import config
from tempest.test_discover import plugins

from valet_tempest_plugin import config as valet_config


class ValetTempestPlugin(plugins.TempestPlugin):
    """Tempest plugin of the Valet placement service."""

    def load_tests(self):
        """Return the tests directory and the top level directory."""
        base_path = os.path.split(os.path.dirname(
            os.path.abspath(__file__)))[0]
        test_dir = 'valet_tempest_plugin/tests'
        return os.path.join(base_path, test_dir), base_path

    def register_opts(self, conf):
        """Register [service_available] valet (and heat) and [valet]."""
        config.register_opt_group(conf,
                                  valet_config.service_available_group,
                                  valet_config.ServiceAvailableGroup)
        try:
            conf.register_opt(valet_config.HeatAvailableOpt,
                              group=valet_config.service_available_group)
        except cfg.DuplicateOptError:
            # Another plugin (Heat's own) has registered it.
            pass
        config.register_opt_group(conf, valet_config.valet_group,
                                  valet_config.ValetGroup)

    def get_opt_lists(self):
        """Return the options of the plugin, for the sample file."""
        return [
            (valet_config.valet_group.name, valet_config.ValetGroup),
            ('service_available', valet_config.ServiceAvailableGroup +
             [valet_config.HeatAvailableOpt]),
        ]

    def get_service_clients(self):
        """The Valet clients (and the scenario tests' Heat client).

        Registered with tempest's service client registry: every client
        manager has them, e.g. os_admin.valet.PlansClient().
        """
        valet_conf = config.service_client_config('valet')
        heat_conf = config.service_client_config()
        heat_conf.update({
            'service': config.CONF.valet.orchestration_catalog_type,
            'endpoint_type': config.CONF.valet.orchestration_endpoint_type,
            'region': config.CONF.valet.region or config.CONF.identity.region,
            'build_timeout': config.CONF.valet.stack_build_timeout,
            'build_interval': config.CONF.valet.stack_build_interval,
        })
        return [{
            'name': 'valet',
            'service_version': 'valet.v1',
            'module_path': 'valet_tempest_plugin.services',
            'client_names': ['GroupsClient', 'PlacementsClient',
                             'PlansClient', 'StatusClient'],
            **valet_conf,
        }, {
            'name': 'valet_orchestration',
            'service_version': 'valet_orchestration.v1',
            'module_path': 'valet_tempest_plugin.services.'
                           'orchestration_client',
            'client_names': ['StacksClient'],
            **heat_conf,
        }]
