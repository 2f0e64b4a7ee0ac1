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

"""Diversity: members (servers or nested groups) never share a host/rack.

Each direct member of the group is a unit of diversity; servers of
different units never share the group's level. Servers already running in
a named diversity group count as other units.
"""

import numpy as np

from valet.optimizer.constraints import base


class DiversityConstraint(base.Constraint):
    """Hosts not holding another unit of the unit's diversity groups."""

    name = 'diversity'

    def allowed(self, state, unit):
        """Hosts apart from other members of each group, or None."""
        problem = state.problem
        mask = None
        for gi in unit.groups:
            group = problem.groups[gi]
            if group.type != 'diversity':
                continue
            mine = {group.unit_of[s] for s in unit.servers
                    if s in group.unit_of}
            if len(mine) > 1:
                # Two units of the group would share a host.
                return np.zeros(problem.datacenter.n_hosts, dtype=bool)
            taken = state.held_by_others(gi, mine.pop())
            if len(group.held):
                taken[group.held] = True
            if not taken.any():
                continue
            gmask = ~taken[problem.level_ids(group.level)]
            mask = gmask if mask is None else mask & gmask
        return mask
