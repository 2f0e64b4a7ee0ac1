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

"""``ATT::Valet::GroupAssignment``: a placement rule over servers.

It creates nothing in the cloud: the lifecycle plugin sends it to Valet
with the rest of the stack before any server is built. Heat validates it
as it validates every resource, so that a broken rule fails
``openstack stack create`` (or ``template validate``) with Heat's own
message and property path, before Valet is asked anything.
"""

from heat.engine import constraints
from heat.engine import properties
from heat.engine import resource

from valet.plugins.heat import members

GROUP_TYPES = ('affinity', 'diversity', 'exclusivity')
#: Levels, smallest first: a nested group's level is never higher.
LEVELS = ('host', 'rack')
#: Rules that split their members into units: one inside another is
#: refused (engine.md, "Nesting").
SPLITTING = ('diversity', 'exclusivity')


class GroupAssignment(resource.Resource):
    """Affinity, diversity or exclusivity of servers at host or rack level.

    ``resources`` names servers, other assignments (a nested rule) and
    nested stacks of servers (template resources, resource groups), whose
    servers are all members.
    """

    PROPERTIES = (
        GROUP_NAME, GROUP_TYPE, LEVEL, RESOURCES,
    ) = (
        'group_name', 'group_type', 'level', 'resources',
    )

    properties_schema = {
        GROUP_NAME: properties.Schema(
            properties.Schema.STRING,
            'Name of the group. A group Valet knows (created through its '
            'API) is joined; otherwise the group is local to the stack. '
            'Required for exclusivity, which is always a named group.',
            constraints=[constraints.Length(min=1, max=255)]),
        GROUP_TYPE: properties.Schema(
            properties.Schema.STRING,
            'The rule: affinity, diversity or exclusivity.',
            required=True,
            constraints=[constraints.AllowedValues(GROUP_TYPES)]),
        LEVEL: properties.Schema(
            properties.Schema.STRING,
            'Scope of the rule: host or rack.',
            required=True,
            constraints=[constraints.AllowedValues(LEVELS)]),
        RESOURCES: properties.Schema(
            properties.Schema.LIST,
            'The members: servers, group assignments, or nested stacks of '
            'servers, by resource name or get_resource.',
            required=True,
            constraints=[constraints.Length(min=1)],
            schema=properties.Schema(properties.Schema.STRING)),
    }

    def validate(self):
        """Check the group name rule, the members and the nesting."""
        super().validate()
        gtype = self.properties[self.GROUP_TYPE]
        level = self.properties[self.LEVEL]
        if gtype == 'exclusivity' and not self.properties[self.GROUP_NAME]:
            raise members.property_error(
                self, self.GROUP_NAME, 'is required when group_type is '
                'exclusivity (exclusivity groups are named and span stacks)')
        for value in self.properties[self.RESOURCES] or ():
            member = members.lookup(self, self.RESOURCES, value)
            if members.is_assignment(member):
                self._check_nesting(gtype, level, member)

    def _check_nesting(self, gtype, level, member):
        inner_type = member.properties[self.GROUP_TYPE]
        inner_level = member.properties[self.LEVEL]
        if inner_level in LEVELS and level in LEVELS and \
                LEVELS.index(inner_level) > LEVELS.index(level):
            raise members.property_error(
                self, self.RESOURCES, 'member %r is a %s-level group inside '
                'this %s-level group: a nested group\'s level must not be '
                'higher than its parent\'s' % (
                    member.name, inner_level, level))
        if gtype in SPLITTING and inner_type in SPLITTING:
            raise members.property_error(
                self, self.RESOURCES, 'member %r is a %s group inside this '
                '%s group: %s inside diversity or exclusivity is refused' % (
                    member.name, inner_type, gtype, inner_type))

    def handle_create(self):
        # Nothing to build: the rule lives in Valet's plan.
        self.resource_id_set(self.physical_resource_name())

    def handle_delete(self):
        return None


def resource_mapping():
    return {members.ASSIGNMENT: GroupAssignment}
