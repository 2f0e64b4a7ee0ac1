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

"""Aggregate extra specs: Nova's AggregateInstanceExtraSpecsFilter.

For every extra spec of the flavor that has no scope or the
``aggregate_instance_extra_specs:`` scope, the host must belong to an
aggregate whose metadata has that key with a value that matches (see
:mod:`~valet.optimizer.constraints.extra_specs_ops`). Specs of other scopes
belong to other filters and are ignored.
"""

import numpy as np

from valet.optimizer.constraints import base
from valet.optimizer.constraints import extra_specs_ops

SCOPE = 'aggregate_instance_extra_specs'


def requirements(extra_specs):
    """Return ``{metadata key: requirement}`` this filter checks."""
    found = {}
    for key, wanted in extra_specs.items():
        scope, sep, rest = key.partition(':')
        if sep:
            if scope != SCOPE:
                continue
            key = rest
        found[key] = wanted
    return found


def hosts_matching(extra_specs, datacenter):
    """Bool mask of the hosts whose aggregates satisfy ``extra_specs``."""
    mask = np.ones(datacenter.n_hosts, dtype=bool)
    for key, wanted in sorted(requirements(extra_specs).items()):
        ok = np.zeros(datacenter.n_hosts, dtype=bool)
        for agg in datacenter.aggregates.values():
            if key in agg.metadata and extra_specs_ops.match(
                    str(agg.metadata[key]), str(wanted)):
                ok[agg.hosts] = True
        mask &= ok
    return mask


class AggregateExtraSpecsConstraint(base.ServerConstraint):
    """Hosts whose aggregates match every member's flavor extra specs."""

    name = 'aggregate_instance_extra_specs'

    def server_allowed(self, datacenter, server):
        """Hosts matching the server's flavor extra specs, or None."""
        specs = server.flavor.extra_specs
        if not requirements(specs):
            return None
        return datacenter.spec_mask(specs, hosts_matching)
