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

"""Queries over what already runs: group members and broken rules.

The engine service answers "which servers are in group G" and "which
servers sit where a rule of their group no longer holds" (after a Nova
migration Valet did not plan, for instance) from the data center model.
"""

import numpy as np


def group_servers(datacenter, name):
    """Return ``[(server id, host name)]`` of the named group's members."""
    group = datacenter.named_groups.get(name)
    if group is None:
        return []
    return [(datacenter.server_ids[j],
             datacenter.host_names[datacenter.server_host[j]])
            for j in group.servers]


def _locations(datacenter, group):
    hosts = datacenter.server_host[group.servers]
    if group.level == 'host':
        return hosts
    return datacenter.host_rack[hosts]


def _affinity(datacenter, group, where):
    # Members outside the location holding most of them break the rule.
    values, counts = np.unique(where, return_counts=True)
    if len(values) < 2:
        return np.zeros(len(where), dtype=bool)
    home = values[int(np.argmax(counts))]
    return where != home


def _diversity(datacenter, group, where):
    _values, inverse, counts = np.unique(where, return_inverse=True,
                                         return_counts=True)
    return counts[inverse] > 1


def _exclusivity(datacenter, group, where):
    dc = datacenter
    own = np.bincount(dc.server_host[group.servers], minlength=dc.n_hosts)
    foreign = ((dc.server_count - own) > 0) | (dc.used > 0).any(axis=1)
    if group.level == 'rack':
        foreign = np.bincount(dc.host_rack, weights=foreign,
                              minlength=dc.n_racks) > 0
    return foreign[where]


CHECKS = {'affinity': _affinity, 'diversity': _diversity,
          'exclusivity': _exclusivity}


def broken_rules(datacenter):
    """Servers whose location breaks a rule of one of their named groups.

    :returns: sorted ``[{"server", "host", "group", "rule", "level"}]``.
    """
    found = []
    for name in sorted(datacenter.named_groups):
        group = datacenter.named_groups[name]
        if not len(group.servers):
            continue
        where = _locations(datacenter, group)
        bad = CHECKS[group.type](datacenter, group, where)
        for j in group.servers[bad]:
            found.append({
                'server': datacenter.server_ids[j],
                'host': datacenter.host_names[datacenter.server_host[j]],
                'group': name, 'rule': group.type, 'level': group.level})
    return sorted(found, key=lambda f: (f['group'], f['server']))
