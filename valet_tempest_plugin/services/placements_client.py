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

"""Tempest service client of Valet's placements API (/v1/placements)."""

from valet_tempest_plugin.services import base_client


class PlacementsClient(base_client.ValetClient):
    """Client of /v1/placements: search, show, reserve, delete."""

    def list_placements(self, **params):
        """GET /v1/placements?<field or hint>=<value>&...."""
        return self.get_json(self.url('v1/placements', params))

    def show_placement(self, placement):
        """GET /v1/placements/{id or orchestration id}."""
        return self.get_json('v1/placements/%s' % placement)

    def reserve_placement(self, placement, locations, resource_id,
                          action=None):
        """POST /v1/placements/{id}: Nova's filter reserves (or replans)."""
        document = {'locations': locations, 'resource_id': resource_id}
        if action is not None:
            document['action'] = action
        return self.reserve_placement_raw(placement, document)

    def reserve_placement_raw(self, placement, document):
        """POST /v1/placements/{id} with document as it is."""
        return self.send_json('POST', 'v1/placements/%s' % placement,
                              document, 200)

    def delete_placement(self, placement):
        """DELETE /v1/placements/{id}."""
        return self.delete_resource('v1/placements/%s' % placement)
