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

"""Cost of putting a unit on each candidate host.

The cost follows the lexicographic objective with weights far apart:
cross-rack bandwidth the move causes, then opening an empty host, then how
tightly the host's dominant resource is filled (best fit keeps large holes
whole), then a seeded tie-breaker so that results are deterministic.
"""

import numpy as np

#: Cost of one Mbps of cross-rack traffic.
W_BANDWIDTH = 1.0e6
#: Cost of opening a host that was empty.
W_OPEN = 10.0
#: Bonus for a host or rack an exclusivity group already holds.
W_HELD = 5.0
#: Weight of a soft rule of a Nova server group, per member: after the
#: objective's other terms (below a fit difference that matters), above
#: the tie-breaker.
W_SOFT = 1.0e-4
#: Scale of the tie-breaker (below any fit difference that matters).
W_TIE = 1.0e-6


class Scorer(object):
    """Costs over hosts for a problem, with a seeded tie-breaker."""

    def __init__(self, problem, seed=0):
        self.problem = problem
        dc = problem.datacenter
        rng = np.random.default_rng(seed)
        self.tie = rng.random(dc.n_hosts) * W_TIE
        capacity = np.where(dc.capacity > 0, dc.capacity, 1.0)
        self.inv_capacity = 1.0 / capacity
        enabled = dc.enabled if dc.enabled.any() else slice(None)
        mean = dc.capacity[enabled].mean(axis=0) if dc.n_hosts else \
            np.ones(3)
        self.inv_mean = 1.0 / np.where(mean > 0, mean, 1.0)
        # The model does not change during a request.
        self.unoccupied = ~dc.occupied
        # Per exclusivity group index, its held hosts or racks.
        self.held = {}

    def dominant(self, demand):
        """Index of the resource the demand uses most, relative to hosts."""
        return int((demand * self.inv_mean).argmax())

    def size(self, demand):
        """How large a demand is: its share of a mean host, at most."""
        return float((demand * self.inv_mean).max())

    def link_cost(self, state, unit):
        """Per rack, cross-rack Mbps caused by putting ``unit`` there.

        Returns None when the unit's links do not depend on its rack: no
        link of the unit has a placed server outside the unit in one rack.
        """
        problem = self.problem
        racks = problem.datacenter.host_rack
        members = set(unit.servers.tolist())
        where = state.where
        cost = None
        for k in unit.links:
            link = problem.links[k]
            hosts = [where[s] for s in link.members if s not in members]
            placed = {int(racks[h]) for h in hosts if h >= 0}
            if len(placed) != 1:
                continue
            if cost is None:
                cost = np.zeros(problem.datacenter.n_racks)
            cost += link.bandwidth
            cost[placed.pop()] -= link.bandwidth
        return cost

    def primary(self, state, unit, idx):
        """Bandwidth and opening costs of ``unit`` on hosts ``idx``."""
        problem = self.problem
        dc = problem.datacenter
        cost = ((state.host_count[idx] == 0) & self.unoccupied[idx]) * \
            W_OPEN
        links = self.link_cost(state, unit)
        if links is not None:
            cost += W_BANDWIDTH * links[dc.host_rack[idx]]
        return cost

    def costs(self, state, unit, idx, rack_penalty=None):
        """Full cost of ``unit`` on each host of the index array ``idx``."""
        problem = self.problem
        dc = problem.datacenter
        d = self.dominant(unit.demand)
        left = (state.free[idx, d] - unit.demand[d]) * \
            self.inv_capacity[idx, d]
        # minimum/maximum: np.clip's dispatch costs more on small arrays.
        cost = np.minimum(np.maximum(left, 0.0), 1.0) + self.tie[idx]
        cost += self.primary(state, unit, idx)
        if rack_penalty is not None:
            cost += rack_penalty[dc.host_rack[idx]]
        for gi in unit.groups:
            group = problem.groups[gi]
            if group.type == 'exclusivity' and len(group.held):
                ids = problem.level_ids(group.level)[idx]
                cost -= W_HELD * self._held(group)[ids]
        if problem.preferences:
            cost += self._soft(state, unit, idx)
        return cost

    def _soft(self, state, unit, idx):
        """Cost of the soft rules of Nova server groups on hosts ``idx``.

        Per other member already on a host: a bonus there for
        soft-affinity, a charge for soft-anti-affinity.
        """
        problem = self.problem
        cost = np.zeros(len(idx))
        mine = set(unit.servers.tolist())
        seen = set()
        for s in unit.servers:
            for pi in problem.server_preferences[s]:
                if pi in seen:
                    continue
                seen.add(pi)
                policy, members = problem.preferences[pi]
                hosts = [int(state.where[m]) for m in members
                         if int(m) not in mine and state.where[m] >= 0]
                if not hosts:
                    continue
                count = np.bincount(hosts, minlength=len(state.free))[idx]
                sign = -1.0 if policy == 'soft-affinity' else 1.0
                cost += sign * W_SOFT * count
        return cost

    def _held(self, group):
        """Bool mask over hosts or racks the group already holds."""
        mask = self.held.get(group.index)
        if mask is None:
            # A lookup table: np.isin costs more on every call.
            mask = np.zeros(self.problem.level_size(group.level), bool)
            mask[group.held] = True
            self.held[group.index] = mask
        return mask

    def choose(self, state, unit, mask, rack_penalty=None):
        """Return the cheapest host of ``mask`` for ``unit``."""
        idx = mask.nonzero()[0]
        cost = self.costs(state, unit, idx, rack_penalty)
        return int(idx[int(np.argmin(cost))])
