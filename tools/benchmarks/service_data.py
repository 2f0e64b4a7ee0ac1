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

"""The data and the database checks of the service benchmark.

Pure functions, so that they are tested without any service: a
generated template as the ``resources`` of ``POST /v1/plans``, the usable
capacity of each host of a static topology, and the two judgements made
on the database after a run (over-committed hosts, reservations lost or
doubled).
"""

import collections
import uuid

import numpy

#: Engine defaults for a ratio that neither the host nor the topology's
#: ``defaults`` give (``[engine]`` options).
ENGINE_RATIOS = {'cpu_allocation_ratio': 16.0, 'ram_allocation_ratio': 1.5,
                 'disk_allocation_ratio': 1.0}
RESOURCES = (('vcpus', 'cpu_allocation_ratio'),
             ('ram_mb', 'ram_allocation_ratio'),
             ('disk_gb', 'disk_allocation_ratio'))
SERVER = 'OS::Nova::Server'


def pct(values, q):
    """The q-th percentile of values, or None when there are none."""
    return float(numpy.percentile(values, q)) if len(values) else None


def api_resources(template, stack_id):
    """The ``resources`` of ``POST /v1/plans`` for a generated template.

    Keyed by a new orchestration id each, named by the template's resource
    names (group members and pipes name them); every server carries the
    Heat scheduler hints that the Nova filter looks it up by.
    """
    out = {}
    for name, res in template['resources'].items():
        body = {'name': name, 'type': res['type'],
                'properties': res.get('properties', {})}
        if res['type'] == SERVER:
            body['metadata'] = {'heat_root_stack_id': stack_id,
                                'heat_resource_name': name}
        out[str(uuid.uuid4())] = body
    return out


def usable_capacity(topology):
    """``{host: (vcpus, ram_mb, disk_gb)}`` Valet may plan on.

    Total times the allocation ratio (the host's own, else the topology's
    ``defaults``, else the engine's), minus what the topology says is
    ``used``. The service runs with no reserve percentages.

    :raises ValueError: an aggregate that sets a ratio (this simple
        reading would then be wrong).
    """
    for name, agg in (topology.get('aggregates') or {}).items():
        if set(agg.get('metadata') or {}) & set(ENGINE_RATIOS):
            raise ValueError('aggregate %s sets an allocation ratio' % name)
    defaults = dict(ENGINE_RATIOS, **(topology.get('defaults') or {}))
    found = {}
    for host in topology['hosts']:
        used = host.get('used') or {}
        found[host['name']] = tuple(
            host[key] * host.get(ratio, defaults[ratio]) - used.get(key, 0)
            for key, ratio in RESOURCES)
    return found


def overcommitted(usable, sums):
    """Hosts whose placements ask for more than they can give.

    :param sums: ``{host: (vcpus, ram_mb, disk_gb)}`` summed over the live
        placements on each host.
    :returns: sorted ``[(host, asked, usable)]``; a host the topology does
        not know counts as over-committed.
    """
    bad = []
    for host, asked in sorted(sums.items()):
        room = usable.get(host)
        if room is None or any(a > r + 1e-6 for a, r in zip(asked, room)):
            bad.append((host, tuple(asked), room))
    return bad


def reservation_check(sent, rows):
    """Judge the database after the hot path.

    :param sent: ``{placement id: resource id}`` the clients reserved,
        each placement once.
    :param rows: ``[(placement id, reserved, resource id)]`` of every
        placement in the database.
    :returns: ``{"sent", "reserved", "lost", "doubled", "stray"}``: lost
        are placements sent but not reserved for the uuid sent; doubled
        are resource ids held by more than one placement; stray are
        placements reserved that no client reserved.
    """
    by_id = dict((pid, (bool(res), rid)) for pid, res, rid in rows)
    lost = sorted(pid for pid, rid in sent.items()
                  if by_id.get(pid) != (True, rid))
    holders = collections.Counter(rid for _pid, res, rid in rows
                                  if res and rid is not None)
    doubled = sorted(rid for rid, n in holders.items() if n > 1)
    stray = sorted(pid for pid, (res, _rid) in by_id.items()
                   if res and pid not in sent)
    return {'sent': len(sent),
            'reserved': sum(1 for pid in sent if pid not in lost),
            'lost': lost, 'doubled': doubled, 'stray': stray}
