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

"""Capacity: the host has room for the unit's vCPUs, RAM and disk."""

from valet.optimizer.constraints import base

# Capacities are floats (ratios); tolerate rounding when a unit fits
# exactly.
EPSILON = 1e-6


class CapacityConstraint(base.Constraint):
    """Free capacity (after ratios, usage and reserve) covers the demand."""

    name = 'capacity'

    def allowed(self, state, unit):
        """Hosts whose free vCPUs, RAM and disk all cover the unit."""
        free = state.free
        need = unit.demand - EPSILON
        return ((free[:, 0] >= need[0]) & (free[:, 1] >= need[1]) &
                (free[:, 2] >= need[2]))
