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

"""Affinity: all members of a group in one host or one rack.

Once a member is placed (or the named group already runs somewhere), the
rest must go to that host or rack.
"""

from valet.optimizer.constraints import base


class AffinityConstraint(base.Constraint):
    """Hosts in the host or rack each affinity group already uses."""

    name = 'affinity'

    def allowed(self, state, unit):
        """Hosts in the location of the unit's affinity groups, or None."""
        problem = state.problem
        mask = None
        for gi in unit.groups:
            group = problem.groups[gi]
            if group.type != 'affinity':
                continue
            held = state.group_count[gi] > 0
            if len(group.held):
                held = held.copy()
                held[group.held] = True
            if not held.any():
                continue
            gmask = held[problem.level_ids(group.level)]
            mask = gmask if mask is None else mask & gmask
        return mask
