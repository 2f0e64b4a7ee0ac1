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

"""Valet's tempest plugin: its options, service client and tests."""

import os

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
        """Register [service_available] valet and the [valet] group."""
        config.register_opt_group(conf,
                                  valet_config.service_available_group,
                                  valet_config.ServiceAvailableGroup)
        config.register_opt_group(conf, valet_config.valet_group,
                                  valet_config.ValetGroup)

    def get_opt_lists(self):
        """Return the options of the plugin, for the sample file."""
        return [
            (valet_config.valet_group.name, valet_config.ValetGroup),
            ('service_available', valet_config.ServiceAvailableGroup),
        ]

    def get_service_clients(self):
        """Register the Valet service client with tempest's ServiceClients."""
        valet_conf = config.service_client_config('valet')
        return [{
            'name': 'valet',
            'service_version': 'valet.v1',
            'module_path': 'valet_tempest_plugin.services.groups_client',
            'client_names': ['GroupsClient'],
            **valet_conf,
        }]
