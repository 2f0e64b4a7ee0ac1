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

"""``OS::Valet::Group``: a named, long-lived Valet group made by a stack.

It is ``POST /v1/groups`` (and ``PUT .../members``) on create and
``DELETE`` on delete. Servers of any stack join it with
``metadata: {valet: {groups: [NAME]}}``. Its name, type and level never
change (Valet refuses it): changing one replaces the resource. The
description and the member projects are updated in place.
"""

from heat.engine import attributes
from heat.engine import constraints
from heat.engine import properties
from heat.engine import resource

from valet.plugins.heat import client_plugin
from valet.plugins.heat import group_assignment

TYPE_NAME = 'OS::Valet::Group'


class ValetGroup(resource.Resource):
    """A Valet group (affinity, diversity or exclusivity; host or rack)."""

    default_client_name = client_plugin.CLIENT_NAME

    PROPERTIES = (
        NAME, TYPE, LEVEL, DESCRIPTION, MEMBERS,
    ) = (
        'name', 'type', 'level', 'description', 'members',
    )

    ATTRIBUTES = (ID_ATTR, NAME_ATTR) = ('id', 'name')

    properties_schema = {
        NAME: properties.Schema(
            properties.Schema.STRING,
            'Name of the group: 1 to 255 characters among A-Z a-z 0-9 and '
            '- . _ ~.',
            required=True,
            constraints=[
                constraints.Length(min=1, max=255),
                constraints.AllowedPattern(
                    '^[A-Za-z0-9._~-]+$',
                    description='only A-Z a-z 0-9 and - . _ ~')]),
        TYPE: properties.Schema(
            properties.Schema.STRING,
            'The rule: affinity, diversity or exclusivity.',
            required=True,
            constraints=[constraints.AllowedValues(
                group_assignment.GROUP_TYPES)]),
        LEVEL: properties.Schema(
            properties.Schema.STRING,
            'Scope of the rule: host or rack.',
            required=True,
            constraints=[constraints.AllowedValues(
                group_assignment.LEVELS)]),
        DESCRIPTION: properties.Schema(
            properties.Schema.STRING,
            'What the group is for.',
            update_allowed=True),
        MEMBERS: properties.Schema(
            properties.Schema.LIST,
            'Project ids allowed to place servers in the group; empty: '
            'any project.',
            default=[],
            update_allowed=True,
            schema=properties.Schema(properties.Schema.STRING)),
    }

    attributes_schema = {
        ID_ATTR: attributes.Schema(
            'The group id in Valet.', type=attributes.Schema.STRING),
        NAME_ATTR: attributes.Schema(
            'The group name.', type=attributes.Schema.STRING),
    }

    def handle_create(self):
        group = self.client().create_group(
            self.properties[self.NAME], self.properties[self.TYPE],
            self.properties[self.LEVEL],
            description=self.properties[self.DESCRIPTION])
        self.resource_id_set(group['id'])
        wanted = self.properties[self.MEMBERS]
        if wanted:
            self.client().add_members(group['id'], wanted)

    def handle_update(self, json_snippet, tmpl_diff, prop_diff):
        valet = self.client()
        if self.DESCRIPTION in prop_diff:
            valet.update_group(self.resource_id,
                               prop_diff[self.DESCRIPTION] or '')
        if self.MEMBERS in prop_diff:
            wanted = list(prop_diff[self.MEMBERS] or [])
            current = valet.get_group(self.resource_id).get('members', [])
            for project in current:
                if project not in wanted:
                    valet.remove_member(self.resource_id, project)
            added = [p for p in wanted if p not in current]
            if added:
                valet.add_members(self.resource_id, added)

    def handle_delete(self):
        if self.resource_id is None:
            return
        valet = self.client()
        with self.client_plugin().ignore_not_found:
            if valet.get_group(self.resource_id).get('members'):
                # Valet keeps a group while it has member projects.
                valet.remove_all_members(self.resource_id)
            valet.delete_group(self.resource_id)

    def _resolve_attribute(self, name):
        if self.resource_id is None:
            return None
        if name == self.ID_ATTR:
            return self.resource_id
        if name == self.NAME_ATTR:
            return self.properties[self.NAME]

    def get_reference_id(self):
        return self.resource_id


def resource_mapping():
    return {TYPE_NAME: ValetGroup}
