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

"""Availability zone: servers asking for a zone go to hosts in it.

As in Nova, ``zone:host`` asks for one host of the zone.
"""

from valet.optimizer.constraints import base


class AvailabilityZoneConstraint(base.ServerConstraint):
    """Hosts in the availability zone each member asks for."""

    name = 'availability_zone'

    def server_allowed(self, datacenter, server):
        """Hosts in the zone (and host) the server asks for, or None."""
        zone = server.availability_zone
        if not zone:
            return None
        zone, _sep, host = zone.partition(':')
        mask = datacenter.az_mask(zone)
        if host:
            mask = mask & datacenter.hosts_mask([host])
        return mask
