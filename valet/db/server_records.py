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

"""How a server's record holds capacity: the mechanics of valet.db.servers.

A server Nova runs is recorded by a placement or by an unplanned server
row (:data:`PLACEMENT`, :data:`UNPLANNED`). :func:`update` changes one
record's state, host and sizes, and tells a :class:`Ledger` which capacity
leaves which host and arrives on which; the ledger touches every host
concerned once, at the end of the transaction. A record that does not
change touches nothing, so a duplicate notification bumps no generation.

Every function here takes part in its caller's transaction.
"""

from oslo_utils import timeutils
import sqlalchemy as sa

from valet.db import hosts as db_hosts
from valet.db import models

PLACEMENTS = models.Placement.__table__
UNPLANNED_SERVERS = models.UnplannedServer.__table__
_hosts = models.Host.__table__
_group_servers = models.GroupServer.__table__

#: Placement states of a server Nova has not built yet.
UNBUILT = ('planned', 'reserved')
SHELVED = 'shelved'
DELETED = 'deleted'
#: The largest size a column holds (a 32-bit integer).
MAX_SIZE = 2 ** 31 - 1


class Kind(object):
    """How a table records a server: its key, host column, live states."""

    def __init__(self, table, key, host, live):
        self.table = table
        self.key = key
        self.host = host
        self.live = live

    def held(self, row):
        """``(host, demand)`` the record holds, or None."""
        if row['state'] not in self.live:
            return None
        return row[self.host], db_hosts.demand_of(row)


PLACEMENT = Kind(PLACEMENTS, 'id', 'location', db_hosts.LIVE_STATES)
UNPLANNED = Kind(UNPLANNED_SERVERS, 'resource_id', 'host', ('active',))


class Ledger(object):
    """The capacity a transaction moves between hosts, applied at the end.

    Hosts are touched once each, in name order, whatever order the
    servers were changed in: two transactions cannot deadlock on them.
    """

    def __init__(self, ctx):
        self.ctx = ctx
        self.deltas = {}
        self.racks = {}

    def rack(self, host):
        """The rack of host as the hosts table knows it ('' if unknown)."""
        if host not in self.racks:
            self.racks[host] = self.ctx.session.execute(
                sa.select(_hosts.c.rack).where(_hosts.c.name == host)
            ).scalar() or ''
        return self.racks[host]

    def move(self, old, new):
        """Release ``old`` and claim ``new`` (each ``(host, demand)``)."""
        if old == new:
            return
        if old is not None:
            db_hosts.add_demand(self.deltas, old[0], old[1], -1)
        if new is not None:
            # A host with no row yet gets one in the rack known for it.
            self.rack(new[0])
            db_hosts.add_demand(self.deltas, new[0], new[1])

    def commit(self):
        """Apply the usage changes, bumping the generation of each host."""
        db_hosts.touch_all(self.ctx, self.deltas, racks=self.racks)


def check_text(field, value, allow_none=False):
    """Return value, a non-empty string that fits a name column."""
    if value is None and allow_none:
        return None
    if (not isinstance(value, str) or not value or '\x00' in value or
            len(value) > models.NAME_LENGTH):
        raise ValueError('%s must be a non-empty string of at most %d '
                         'characters, not %r'
                         % (field, models.NAME_LENGTH, value))
    return value


def check_flavor(flavor, field='flavor'):
    """Return ``(name, (vcpus, ram_mb, disk_gb))`` of a flavor dict."""
    if not isinstance(flavor, dict):
        raise ValueError('%s must be a mapping with vcpus, ram_mb and '
                         'disk_gb, not %r' % (field, flavor))
    sizes = []
    for size in db_hosts.SIZES:
        value = flavor.get(size)
        if (isinstance(value, bool) or not isinstance(value, int) or
                not 0 <= value <= MAX_SIZE):
            raise ValueError('%s.%s must be an integer from 0 to %d, not '
                             '%r' % (field, size, MAX_SIZE, value))
        sizes.append(value)
    name = check_text(field + '.name', flavor.get('name'), allow_none=True)
    return name, tuple(sizes)


def locked_rows(ctx, query):
    """The rows of query, locked for the transaction, as dicts."""
    return [dict(row) for row in ctx.session.execute(
        query.with_for_update()).mappings()]


def placement_of(ctx, resource_id):
    """The placement of a Nova server (locked), a live one first."""
    rows = locked_rows(ctx, sa.select(PLACEMENTS).where(
        PLACEMENTS.c.resource_id == resource_id).order_by(PLACEMENTS.c.id))
    live = [row for row in rows if row['state'] != DELETED]
    return (live or rows or [None])[0]


def unplanned_of(ctx, resource_id):
    """The unplanned server record of a Nova server (locked), or None."""
    rows = locked_rows(ctx, sa.select(UNPLANNED_SERVERS).where(
        UNPLANNED_SERVERS.c.resource_id == resource_id))
    return rows[0] if rows else None


def arrival_state(row, host):
    """The state of a placement found running on host."""
    if row['state'] == 'moved' or host != row['location']:
        return 'moved'
    return 'active'


def _label(kind, old, new):
    if new['state'] != old['state'] and new['state'] in (DELETED, SHELVED):
        return 'deleted' if new['state'] == DELETED else 'offloaded'
    if kind.held(old) is None:
        return 'activated'
    if new[kind.host] != old[kind.host]:
        return 'moved'
    if db_hosts.demand_of(new) != db_hosts.demand_of(old):
        return 'resized'
    return 'activated'


def _changes(ledger, kind, row, state, host, flavor):
    values = {}
    if host is not None and host != row[kind.host]:
        values[kind.host] = host
        if kind is PLACEMENT:
            values['rack'] = ledger.rack(host)
    if flavor is not None:
        name, demand = flavor
        values.update((size, value) for size, value
                      in zip(db_hosts.SIZES, demand) if row[size] != value)
        if name is not None and name != row['flavor']:
            values['flavor'] = name
    if state != row['state']:
        values['state'] = state
    if kind is PLACEMENT and state == DELETED and row['reserved']:
        # The server is gone: Nova's filter may reserve the placement for
        # the server that replaces it.
        values['reserved'] = False
    return values


def update(ledger, kind, row, state, host=None, flavor=None):
    """Give a record a new state, host and flavor, moving its capacity.

    :param flavor: ``(name, demand)`` as :func:`check_flavor` returns it,
        or None to keep the recorded sizes.
    :returns: what changed: 'activated' (it holds capacity again, or
        Nova built it where planned), 'moved', 'resized', 'offloaded' or
        'deleted'; None when nothing did (nothing is written).
    """
    values = _changes(ledger, kind, row, state, host, flavor)
    if not values:
        return None
    new = dict(row, **values)
    old_held, new_held = kind.held(row), kind.held(new)
    ledger.move(old_held, new_held)
    if kind is PLACEMENT and old_held != new_held:
        # Where the server's named groups see it run; nowhere once it
        # holds no host.
        ledger.ctx.session.execute(
            sa.update(_group_servers)
            .where(_group_servers.c.orchestration_id ==
                   row['orchestration_id'])
            .values(host=new_held and new_held[0]))
    values['updated_at'] = timeutils.utcnow()
    ledger.ctx.session.execute(
        sa.update(kind.table).where(kind.table.c[kind.key] == row[kind.key])
        .values(values))
    label = _label(kind, row, new)
    row.update(values)
    return label


def insert_unplanned(ledger, resource_id, state, host=None, flavor=None,
                     project_id=None):
    """Record a server no plan placed; an active one claims its flavor."""
    name, demand = flavor or (None, (0, 0, 0))
    row = {'resource_id': resource_id, 'host': host or '',
           'project_id': project_id, 'flavor': name, 'state': state,
           'created_at': timeutils.utcnow()}
    row.update(zip(db_hosts.SIZES, demand))
    ledger.ctx.session.execute(sa.insert(UNPLANNED_SERVERS).values(row))
    if state == 'active':
        ledger.move(None, (host, demand))
