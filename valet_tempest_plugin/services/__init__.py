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

"""Valet's tempest service clients, one module for the registry."""

from valet_tempest_plugin.services.groups_client import GroupsClient
from valet_tempest_plugin.services.placements_client import PlacementsClient
from valet_tempest_plugin.services.plans_client import PlansClient
from valet_tempest_plugin.services.status_client import StatusClient

__all__ = ['GroupsClient', 'PlacementsClient', 'PlansClient',
           'StatusClient']
