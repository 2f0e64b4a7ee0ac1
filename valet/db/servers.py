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

"""The life of a server once Nova has it, as valet-listener learns it.

A server is known by its Nova uuid (``resource_id``): either a placement
of a plan (reserved for it by Nova's filter) or, when no plan placed it,
a row of ``unplanned_servers``. Each function below is one transaction
that moves the server's capacity between host rows (bumping their
generations, see :mod:`valet.db.hosts`) only when where it runs or what
it holds really changes, so that a duplicate notification changes
nothing. Placement states:

* planned, reserved -- not built yet;
* active -- Nova built it on its planned host; moved -- it left the host
  recorded for it (built elsewhere, live-migrated, evacuated, resized
  away) and stays moved wherever it goes next;
* shelved -- shelve-offloaded: Nova keeps the server but no host runs it,
  so it holds no capacity; ``location`` keeps its last host and the
  placement stays in its plan. Unshelving makes it active on that host,
  moved on another one. An unplanned server is ``active``, ``shelved`` or
  ``deleted``;
* deleted -- gone for good: it holds nothing, and it is a tombstone.

The functions that do the work on one record are in
:mod:`valet.db.server_records`.

Notifications may come twice or out of order. Deletion wins: every
deleted server leaves an ``unplanned_servers`` row in state deleted, so a
late ``create.end`` cannot bring it back. A creation is applied only to a
server not yet seen built, so a late one cannot undo a migration. Two
moves that arrive in the wrong order leave the server on the older host
until :func:`reconcile` compares the records with the servers Nova runs.
"""

import datetime

from oslo_db import api as oslo_db_api
from oslo_db import exception as db_exc
import sqlalchemy as sa

from valet.db import api
from valet.db import server_records as records

#: Rows changed this long before the running servers were listed, or
#: later, are left alone by :func:`reconcile`: a notification handled
#: meanwhile is newer than the list (the margin covers the clocks of
#: several listeners and the whole seconds MySQL keeps).
RECONCILE_MARGIN = datetime.timedelta(seconds=5)
#: What :func:`reconcile` counts.
REPAIRS = ('moved', 'resized', 'activated', 'deleted', 'added')

# Two listeners recording the same new server (or the first usage of a
# new host) at once collide on a primary key: the loser starts its
# transaction again and finds the winner's row.
_retry_on_duplicate = oslo_db_api.wrap_db_retry(
    retry_interval=0.1, max_retries=3,
    exception_checker=lambda e: isinstance(e, db_exc.DBDuplicateEntry))


def _writer(fn):
    return _retry_on_duplicate(api.writer(fn))


def _run(ctx, step):
    ledger = records.Ledger(ctx)
    outcome = step(ledger)
    ledger.commit()
    return outcome


def _arrive(ledger, resource_id, host, flavor, project_id, created):
    """Record a server running on host; see :func:`server_active`."""
    row = records.placement_of(ledger.ctx, resource_id)
    if row is not None:
        if row['state'] == records.DELETED:
            return 'ignored'
        if created and row['state'] not in records.UNBUILT:
            return 'unchanged'
        return records.update(
            ledger, records.PLACEMENT, row,
            records.arrival_state(row, host), host, flavor) or 'unchanged'
    row = records.unplanned_of(ledger.ctx, resource_id)
    if row is not None:
        if row['state'] == records.DELETED:
            return 'ignored'
        if created:
            return 'unchanged'
        return records.update(ledger, records.UNPLANNED, row, 'active',
                              host, flavor) or 'unchanged'
    if flavor is None:
        return 'unknown'
    records.insert_unplanned(ledger, resource_id, 'active', host, flavor,
                             project_id)
    return 'recorded'


def _offload(ledger, resource_id):
    """Record a shelve-offloaded server: it keeps its records, no host."""
    kind = records.PLACEMENT
    row = records.placement_of(ledger.ctx, resource_id)
    if row is None:
        kind = records.UNPLANNED
        row = records.unplanned_of(ledger.ctx, resource_id)
    if row is None:
        return 'unknown'
    if row['state'] == records.DELETED:
        return 'ignored'
    return records.update(ledger, kind, row, records.SHELVED) or 'unchanged'


@_writer
def server_active(ctx, resource_id, host, flavor, project_id=None):
    """Nova built server ``resource_id`` on host (``instance.create.end``).

    A placement reserved for it becomes active, or moved when host is not
    its planned one (its capacity and named-group host follow). A server
    no plan placed is recorded as unplanned, holding ``flavor`` on host. A
    server already seen built, or deleted, is left alone.

    :param flavor: ``{"name", "vcpus", "ram_mb", "disk_gb"}`` as Nova built
        it (it replaces the placement's sizes if they differ).
    :returns: 'activated', 'moved', 'resized', 'recorded' (unplanned),
        'unchanged' or 'ignored' (deleted).
    :raises ValueError: a bad argument, naming it.
    """
    records.check_text('resource_id', resource_id)
    records.check_text('host', host)
    flavor = records.check_flavor(flavor)
    records.check_text('project_id', project_id, allow_none=True)
    return _run(ctx, lambda ledger: _arrive(
        ledger, resource_id, host, flavor, project_id, created=True))


@_writer
def server_moved(ctx, resource_id, host, flavor=None, project_id=None):
    """Server ``resource_id`` now runs on host, or nowhere if host is None.

    The end of a live migration, an evacuation (rebuild on the new host),
    an unshelve or a resize: the placement (or unplanned server) moves its
    capacity to host, in state moved (active if host is its planned one
    and it never left it). ``host=None`` is a shelve offload: the server
    keeps its placement, in state shelved, and releases its capacity. A
    deleted server is left alone; an unknown one is recorded as unplanned
    when ``flavor`` is given.

    :param flavor: as for :func:`server_active`, or None to keep the
        recorded sizes.
    :returns: as :func:`server_active`, plus 'offloaded' and 'unknown'.
    :raises ValueError: a bad argument, naming it.
    """
    records.check_text('resource_id', resource_id)
    records.check_text('host', host, allow_none=True)
    if flavor is not None:
        flavor = records.check_flavor(flavor)
    records.check_text('project_id', project_id, allow_none=True)
    if host is None:
        return _run(ctx, lambda ledger: _offload(ledger, resource_id))
    return _run(ctx, lambda ledger: _arrive(
        ledger, resource_id, host, flavor, project_id, created=False))


def server_resized(ctx, resource_id, host, flavor, project_id=None):
    """A resize was confirmed (or reverted): flavor on host, from now on.

    As :func:`server_moved`, the flavor being required.
    """
    records.check_flavor(flavor)
    return server_moved(ctx, resource_id, host, flavor, project_id)


def _delete(ledger, resource_id):
    placement = records.placement_of(ledger.ctx, resource_id)
    unplanned = records.unplanned_of(ledger.ctx, resource_id)
    outcome = None
    if placement is not None:
        outcome = records.update(ledger, records.PLACEMENT, placement,
                                 records.DELETED)
    if unplanned is not None:
        outcome = records.update(ledger, records.UNPLANNED, unplanned,
                                 records.DELETED) or outcome
    else:
        # The tombstone: a late create.end of this uuid finds it even if
        # the placement is later reserved for another server.
        records.insert_unplanned(ledger, resource_id, records.DELETED,
                                 placement and placement['location'])
        if placement is None:
            outcome = 'tombstoned'
    return outcome or 'unchanged'


@_writer
def server_deleted(ctx, resource_id):
    """Nova deleted server ``resource_id`` (``instance.delete.end``).

    Its placement and unplanned record become deleted and release their
    capacity; an unknown uuid gets a tombstone, so that a ``create.end``
    arriving after its deletion cannot record it.

    :returns: 'deleted', 'tombstoned' or 'unchanged'.
    :raises ValueError: a bad argument, naming it.
    """
    records.check_text('resource_id', resource_id)
    return _run(ctx, lambda ledger: _delete(ledger, resource_id))


def _check_servers(servers):
    """Return ``{uuid: (host, (name, demand) or None, project_id)}``."""
    if not isinstance(servers, dict):
        raise ValueError('servers must be a mapping of server uuids to '
                         '(host, flavor, project_id), not %r' % (servers,))
    checked = {}
    for uuid, value in servers.items():
        field = 'servers[%r]' % (uuid,)
        records.check_text('servers key', uuid)
        if not isinstance(value, (tuple, list)) or len(value) != 3:
            raise ValueError('%s must be (host, flavor, project_id), not %r'
                             % (field, value))
        host, flavor, project_id = value
        records.check_text(field + '.host', host)
        if flavor is not None:
            flavor = records.check_flavor(flavor, field + '.flavor')
        records.check_text(field + '.project_id', project_id,
                           allow_none=True)
        checked[uuid] = (host, flavor, project_id)
    return checked


def _recent(row, cutoff):
    changed = row['updated_at'] or row['created_at']
    return cutoff is not None and changed is not None and changed >= cutoff


def _reconcile_placements(ledger, servers, cutoff, counts):
    """Fix the placements of Nova servers; return the uuids still live."""
    p = records.PLACEMENTS
    chosen = {}
    for row in records.locked_rows(ledger.ctx, sa.select(p).where(
            p.c.resource_id.isnot(None)).order_by(p.c.id)):
        current = chosen.get(row['resource_id'])
        if current is None or (current['state'] == records.DELETED and
                               row['state'] != records.DELETED):
            chosen[row['resource_id']] = row
    for uuid, row in sorted(chosen.items()):
        if _recent(row, cutoff):
            continue
        label = None
        if uuid in servers:
            host, flavor, _project = servers[uuid]
            label = records.update(ledger, records.PLACEMENT, row,
                                   records.arrival_state(row, host), host,
                                   flavor)
        elif row['state'] in ('active', 'moved'):
            # Placements not built yet, and shelved servers, have no host
            # Nova would list: they are left alone.
            label = records.update(ledger, records.PLACEMENT, row,
                                   records.DELETED)
        if label is not None:
            counts[label] += 1
    return {uuid for uuid, row in chosen.items()
            if row['state'] != records.DELETED}


def _reconcile_unplanned(ledger, servers, placed, cutoff, counts):
    """Fix the unplanned servers; return the uuids they record."""
    u = records.UNPLANNED_SERVERS
    seen = set()
    for row in records.locked_rows(ledger.ctx, sa.select(u).order_by(
            u.c.resource_id)):
        uuid = row['resource_id']
        seen.add(uuid)
        if _recent(row, cutoff):
            continue
        label = None
        if uuid in placed:
            # Recorded twice: the placement is the record that counts.
            label = records.update(ledger, records.UNPLANNED, row,
                                   records.DELETED)
        elif uuid in servers:
            host, flavor, _project = servers[uuid]
            label = records.update(ledger, records.UNPLANNED, row, 'active',
                                   host, flavor)
        elif row['state'] == 'active':
            label = records.update(ledger, records.UNPLANNED, row,
                                   records.DELETED)
        if label is not None:
            counts[label] += 1
    return seen


@_writer
def reconcile(ctx, servers, taken_at=None):
    """Make the records match the servers Nova runs, in one transaction.

    Placements and unplanned servers Nova runs get its host and flavor (a
    placement not yet seen built becomes active or moved); those it no
    longer runs are deleted (placements not built yet and shelved servers
    are left alone: Nova lists no host for them); servers no record knows
    are added as unplanned. Records changed since ``taken_at`` (minus
    :data:`RECONCILE_MARGIN`) are left to the next run: a notification
    handled meanwhile knows better than the list.

    :param servers: ``{uuid: (host, flavor, project_id)}``, flavor as for
        :func:`server_active` or None (such a server, if no record knows
        it, cannot be sized and is not added).
    :param taken_at: naive UTC time at which Nova was asked for servers.
    :returns: ``{repair: count}`` for each of :data:`REPAIRS`.
    :raises ValueError: a bad argument, naming it.
    """
    servers = _check_servers(servers)
    cutoff = taken_at - RECONCILE_MARGIN if taken_at is not None else None
    counts = dict.fromkeys(REPAIRS, 0)

    def step(ledger):
        placed = _reconcile_placements(ledger, servers, cutoff, counts)
        known = placed | _reconcile_unplanned(ledger, servers, placed,
                                              cutoff, counts)
        for uuid, (host, flavor, project_id) in sorted(servers.items()):
            if uuid not in known and flavor is not None:
                records.insert_unplanned(ledger, uuid, 'active', host,
                                         flavor, project_id)
                counts['added'] += 1
    _run(ctx, step)
    return counts
