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

"""Exclusivity: a host/rack holding a member holds nothing else.

Members only go where nothing else runs: no other server of the stack, no
known server outside the group, no ``used`` capacity. Everything else stays
away from the hosts or racks an exclusivity group holds, in this stack or
already (named groups span stacks).
"""

import numpy as np

from valet.optimizer.constraints import base


class ExclusivityConstraint(base.Constraint):
    """Hosts compatible with every exclusivity group, member or not."""

    name = 'exclusivity'

    @staticmethod
    def _per_problem(problem):
        # What does not depend on the unit, once per problem: the hosts
        # free of other stacks' exclusivity groups (None: all of them),
        # and the stack's own exclusivity groups with their members.
        key = 'exclusivity'
        if key not in problem.cache:
            blocked = problem.exclusive_elsewhere
            problem.cache[key] = (
                ~blocked if blocked.any() else None,
                [(g, frozenset(g.servers.tolist()))
                 for g in problem.groups if g.type == 'exclusivity'])
        return problem.cache[key]

    def allowed(self, state, unit):
        """Hosts satisfying every exclusivity group for ``unit``, or None."""
        problem = state.problem
        mask, groups = self._per_problem(problem)
        if not groups:
            return mask
        members = set(unit.servers.tolist())
        for group, servers in groups:
            inside = len(members.intersection(servers))
            count = state.group_count[group.index]
            if inside == len(members):
                others = state.level_count(group.level) - count
                ok = (others == 0) & ~group.foreign
            elif inside == 0:
                ok = count == 0
                if len(group.held):
                    ok[group.held] = False
            else:
                # One host would hold members and non-members.
                return np.zeros(problem.datacenter.n_hosts, dtype=bool)
            gmask = ok[problem.level_ids(group.level)]
            mask = gmask if mask is None else mask & gmask
        return mask
