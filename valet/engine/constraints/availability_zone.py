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

from valet.engine.constraints import base


class AvailabilityZoneConstraint(base.Constraint):
    """Hosts in the availability zone each member asks for."""

    name = 'availability_zone'
    static = True

    def allowed(self, state, unit):
        """Hosts in every zone (and host) the members ask for, or None."""
        problem = state.problem
        dc = problem.datacenter
        mask = None
        for s in unit.servers:
            zone = problem.servers[s].availability_zone
            if not zone:
                continue
            zone, _sep, host = zone.partition(':')
            zmask = dc.az_mask(zone)
            if host:
                zmask = zmask & dc.hosts_mask([host])
            mask = zmask if mask is None else mask & zmask
        return mask
