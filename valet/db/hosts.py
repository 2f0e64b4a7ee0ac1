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

"""What Valet's records hold on each host, and the hosts' generations.

A host row sums the flavors of the live placements and the unplanned
servers on the host. Every write that changes that sum, and every plan
that relies on a host, increments the host's generation in the same
transaction; an engine commits a plan only if the generations it planned
with are still current (:func:`touch` with ``expected``), so several
engines can plan at once without over-committing a host.

Functions decorated with :func:`~valet.db.api.reader` or
:func:`~valet.db.api.writer` run in their own transaction; the others
take part in their caller's (``ctx.session`` must be open).
"""

import sqlalchemy as sa

from valet.db import api
from valet.db import models
from valet import exception

#: Placement states that hold capacity on their location.
LIVE_STATES = ('planned', 'reserved', 'active', 'moved')
SIZES = ('vcpus', 'ram_mb', 'disk_gb')

_hosts = models.Host.__table__
_placements = models.Placement.__table__
_unplanned = models.UnplannedServer.__table__
_group_servers = models.GroupServer.__table__


def demand_of(row):
    """The (vcpus, ram_mb, disk_gb) of a placement or server row/dict."""
    return tuple(int(row[size]) for size in SIZES)


def touch(ctx, host, delta=(0, 0, 0), expected=None, rack=None):
    """Add ``delta`` to a host's usage and increment its generation.

    :param expected: the generation the caller planned with; if the row
        no longer has it, raise :class:`~valet.exception.GenerationConflict`
        (nothing of the transaction is kept).
    :param rack: rack of a host that has no row yet (one is created).
    """
    values = {'generation': _hosts.c.generation + 1}
    for size, change in zip(SIZES, delta):
        if change:
            values[size] = _hosts.c[size] + change
    query = sa.update(_hosts).where(_hosts.c.name == host).values(values)
    if expected is not None:
        query = query.where(_hosts.c.generation == expected)
    if ctx.session.execute(query).rowcount:
        return
    if expected is not None and expected > 0:
        raise exception.GenerationConflict(kind='Host', name=host)
    exists = ctx.session.execute(
        sa.select(_hosts.c.generation).where(_hosts.c.name == host)).first()
    if exists is not None:
        raise exception.GenerationConflict(kind='Host', name=host)
    # A host no engine has registered yet (e.g. seen first in a Nova
    # notification). Two writers racing here collide on the primary key,
    # which oslo.db reports as a duplicate: the caller retries.
    row = {'name': host, 'rack': rack or '', 'generation': 1}
    row.update({size: max(0, change) for size, change in zip(SIZES, delta)})
    ctx.session.execute(sa.insert(_hosts).values(row))


def touch_all(ctx, deltas, expected=None, racks=None):
    """Apply :func:`touch` to many hosts in one UPDATE statement.

    A plan touches up to hundreds of hosts; one statement per host made
    the commit, not the search, the cost of a plan. The rows are locked
    in the index's order, so concurrent commits do not deadlock.

    :param deltas: ``{host: (vcpus, ram_mb, disk_gb)}``.
    :param expected: ``{host: generation}``; hosts only listed here are
        checked and bumped with no usage change.
    :param racks: rack of each host that may have no row yet.
    :raises GenerationConflict: a host no longer has its expected
        generation (nothing of the transaction is kept).
    """
    expected = expected or {}
    hosts = sorted(set(deltas) | set(expected))
    if not hosts:
        return
    if len(hosts) == 1:
        host = hosts[0]
        touch(ctx, host, deltas.get(host, (0, 0, 0)), expected.get(host),
              (racks or {}).get(host))
        return
    values = {'generation': _hosts.c.generation + 1}
    for k, size in enumerate(SIZES):
        whens = [(_hosts.c.name == host, deltas[host][k])
                 for host in hosts if deltas.get(host, (0, 0, 0))[k]]
        if whens:
            values[size] = _hosts.c[size] + sa.case(*whens, else_=0)
    checked = [host for host in hosts if expected.get(host) is not None]
    # A range on the primary key, each row then compared with its own
    # expected generation (a host expected at none matches itself).
    query = sa.update(_hosts).where(_hosts.c.name.in_(hosts)).values(values)
    if checked:
        query = query.where(_hosts.c.generation == sa.case(
            *[(_hosts.c.name == host, expected[host]) for host in checked],
            else_=_hosts.c.generation))
    done = ctx.session.execute(query).rowcount
    if done == len(hosts):
        return
    # Some rows did not match: hosts with no row yet (added now), or a
    # host whose generation moved (a conflict).
    existing = set(ctx.session.scalars(
        sa.select(_hosts.c.name).where(_hosts.c.name.in_(hosts))))
    if len(existing) != done:
        raise exception.GenerationConflict(
            kind='A host among', name=', '.join(sorted(existing)[:5]))
    for host in hosts:
        if host in existing:
            continue
        if expected.get(host):
            raise exception.GenerationConflict(kind='Host', name=host)
        touch(ctx, host, deltas.get(host, (0, 0, 0)), None,
              (racks or {}).get(host))


def add_demand(deltas, host, demand, sign=1):
    """Accumulate ``sign * demand`` for ``host`` into ``deltas``."""
    old = deltas.get(host, (0, 0, 0))
    deltas[host] = tuple(a + sign * b for a, b in zip(old, demand))


@api.writer
def adjust(ctx, deltas):
    """Add ``{host: (vcpus, ram_mb, disk_gb)}`` to the hosts' usage."""
    touch_all(ctx, deltas)


@api.writer
def sync_hosts(ctx, racks):
    """Give every host of the topology a row, with its current rack.

    :param racks: ``{host name: rack name}``.
    """
    known = dict(ctx.session.execute(
        sa.select(_hosts.c.name, _hosts.c.rack)).all())
    for host in sorted(racks):
        if host not in known:
            ctx.session.execute(sa.insert(_hosts).values(
                name=host, rack=racks[host], generation=0, vcpus=0,
                ram_mb=0, disk_gb=0))
        elif known[host] != racks[host]:
            ctx.session.execute(sa.update(_hosts)
                                .where(_hosts.c.name == host)
                                .values(rack=racks[host]))


@api.reader
def generations(ctx):
    """Return ``{host: generation}`` of every host row."""
    return dict(ctx.session.execute(
        sa.select(_hosts.c.name, _hosts.c.generation)).all())


@api.reader
def generations_summary(ctx):
    """Return ``(number of hosts, sum of their generations)``.

    Generations only grow and host rows are never removed, so an
    unchanged summary means that no host changed.
    """
    count, total = ctx.session.execute(
        sa.select(sa.func.count(), sa.func.sum(_hosts.c.generation))).one()
    return int(count), int(total or 0)


@api.reader
def usage(ctx):
    """Return every host row as ``{host: {field: value}}``.

    The fields are rack, generation, vcpus, ram_mb and disk_gb.
    """
    rows = ctx.session.execute(sa.select(_hosts)).mappings()
    return {row['name']: {key: row[key] for key in
                          ('rack', 'generation') + SIZES}
            for row in rows}


def _chunks(items, size=500):
    items = sorted(items)
    for start in range(0, len(items), size):
        yield items[start:start + size]


@api.reader
def servers_on(ctx, hosts=None):
    """Return what holds capacity on ``hosts`` (all when None).

    A list of ``{"id", "plan_id", "resource_id", "host", "vcpus",
    "ram_mb", "disk_gb", "groups": [group ids]}``: the live placements
    (``id`` their orchestration id) and the active unplanned servers
    (``id`` their Nova uuid, ``plan_id`` None).
    """
    batches = [None] if hosts is None else list(_chunks(hosts))
    found = []
    for batch in batches:
        found.extend(_placements_on(ctx, batch))
        found.extend(_unplanned_on(ctx, batch))
    return found


def _placements_on(ctx, hosts):
    p = _placements
    query = (sa.select(p.c.orchestration_id, p.c.plan_id, p.c.resource_id,
                       p.c.location, p.c.vcpus, p.c.ram_mb, p.c.disk_gb)
             .where(p.c.state.in_(LIVE_STATES)))
    if hosts is not None:
        query = query.where(p.c.location.in_(hosts))
    rows = ctx.session.execute(query).all()
    if not rows:
        return []
    groups = {}
    members = sa.select(_group_servers.c.orchestration_id,
                        _group_servers.c.group_id)
    if hosts is not None:
        members = members.where(_group_servers.c.host.in_(hosts))
    for orchestration_id, group_id in ctx.session.execute(members):
        groups.setdefault(orchestration_id, []).append(group_id)
    return [{'id': row[0], 'plan_id': row[1], 'resource_id': row[2],
             'host': row[3], 'vcpus': row[4], 'ram_mb': row[5],
             'disk_gb': row[6], 'groups': sorted(groups.get(row[0], ()))}
            for row in rows]


def _unplanned_on(ctx, hosts):
    u = _unplanned
    query = (sa.select(u.c.resource_id, u.c.host, u.c.vcpus, u.c.ram_mb,
                       u.c.disk_gb)
             .where(u.c.state == 'active'))
    if hosts is not None:
        query = query.where(u.c.host.in_(hosts))
    return [{'id': row[0], 'plan_id': None, 'resource_id': row[0],
             'host': row[1], 'vcpus': row[2], 'ram_mb': row[3],
             'disk_gb': row[4], 'groups': []}
            for row in ctx.session.execute(query)]
