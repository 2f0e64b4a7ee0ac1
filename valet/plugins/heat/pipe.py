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

"""``ATT::Valet::Pipe``: the traffic between two servers or groups.

Like the group assignment it creates nothing: Valet reads it to keep the
two ends in one rack when the rules allow, so that little bandwidth
crosses racks.
"""

from heat.engine import constraints
from heat.engine import properties
from heat.engine import resource

from valet.plugins.heat import members


class Pipe(resource.Resource):
    """Bandwidth (Mbps) between exactly two servers, groups or stacks."""

    PROPERTIES = (RESOURCES, BANDWIDTH) = ('resources', 'bandwidth')
    _BANDWIDTH_KEYS = (MIN,) = ('min',)

    properties_schema = {
        RESOURCES: properties.Schema(
            properties.Schema.LIST,
            'The two ends: servers, group assignments, or nested stacks '
            'of servers, by resource name or get_resource.',
            required=True,
            constraints=[constraints.Length(
                min=2, max=2, description='A pipe has exactly two ends.')],
            schema=properties.Schema(properties.Schema.STRING)),
        BANDWIDTH: properties.Schema(
            properties.Schema.MAP,
            'The traffic between the two ends.',
            required=True,
            schema={
                MIN: properties.Schema(
                    properties.Schema.INTEGER,
                    'Bandwidth in Mbps.',
                    required=True,
                    constraints=[constraints.Range(min=0)]),
            }),
    }

    def validate(self):
        """Check that both ends are members Valet can place."""
        super().validate()
        for value in self.properties[self.RESOURCES] or ():
            members.lookup(self, self.RESOURCES, value)

    def handle_create(self):
        self.resource_id_set(self.physical_resource_name())

    def handle_delete(self):
        return None


def resource_mapping():
    return {members.PIPE: Pipe}
