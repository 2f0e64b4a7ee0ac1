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

"""Tempest service client of Valet's plans API (/v1/plans)."""

from valet_tempest_plugin.services import base_client


class PlansClient(base_client.ValetClient):
    """Client of /v1/plans: place, list, show, update, migrate, delete."""

    def create_plan(self, plan_name, stack_id, resources, locations=None):
        """POST /v1/plans: place every server of a stack."""
        document = {'plan_name': plan_name, 'stack_id': stack_id,
                    'resources': resources}
        if locations is not None:
            document['locations'] = locations
        return self.create_plan_raw(document)

    def create_plan_raw(self, document):
        """POST /v1/plans with document as it is (a dict or a string)."""
        return self.send_json('POST', 'v1/plans', document, 201)

    def list_plans(self, **params):
        """GET /v1/plans, filtered by name or stack_id."""
        return self.get_json(self.url('v1/plans', params))

    def show_plan(self, plan):
        """GET /v1/plans/{plan id or stack id}."""
        return self.get_json('v1/plans/%s' % plan)

    def update_plan(self, plan, resources, original_resources=None):
        """PUT /v1/plans/{plan}: a stack update with the new resources."""
        document = {'action': 'update', 'resources': resources}
        if original_resources is not None:
            document['original_resources'] = original_resources
        return self.update_plan_raw(plan, document)

    def migrate_server(self, plan, server, excluded_hosts=None):
        """PUT /v1/plans/{plan}: a new host for server (migrate)."""
        document = {'action': 'migrate', 'resources': [server]}
        if excluded_hosts is not None:
            document['excluded_hosts'] = excluded_hosts
        return self.update_plan_raw(plan, document)

    def update_plan_raw(self, plan, document):
        """PUT /v1/plans/{plan} with document as it is."""
        return self.send_json('PUT', 'v1/plans/%s' % plan, document, 200)

    def delete_plan(self, plan):
        """DELETE /v1/plans/{plan id or stack id}."""
        return self.delete_resource('v1/plans/%s' % plan)
