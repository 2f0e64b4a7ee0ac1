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

"""Placement data functions: lookups, the Nova filter's reservation, and
the server life cycle that valet-listener reports from Nova.

A placement as returned::

    {"id", "name", "orchestration_id", "resource_id", "plan_id",
     "project_id", "location", "rack", "reserved", "state", "metadata"}

Every change of where a server runs or whether it still runs moves its
capacity between host rows in the same transaction (valet.db.hosts).
"""

from oslo_serialization import jsonutils
from oslo_utils import timeutils
import sqlalchemy as sa

from valet.db import api
from valet.db import hosts as db_hosts
from valet.db import lookup
from valet.db import models
from valet import exception

_placements = models.Placement.__table__
_hints = models.PlacementHint.__table__
_unplanned = models.UnplannedServer.__table__
_group_servers = models.GroupServer.__table__

#: Fields a placement list can be filtered on; other keys are hints.
FIELDS = ('id', 'name', 'orchestration_id', 'resource_id', 'plan_id',
          'project_id', 'location', 'rack', 'state')


def _placement_dict(row):
    return {
        'id': row['id'], 'name': row['name'],
        'orchestration_id': row['orchestration_id'],
        'resource_id': row['resource_id'], 'plan_id': row['plan_id'],
        'project_id': row['project_id'], 'location': row['location'],
        'rack': row['rack'], 'reserved': bool(row['reserved']),
        'state': row['state'],
        'metadata': jsonutils.loads(row['metadata']),
    }


def _find(ctx, placement_id, for_update=False):
    row = lookup.find_row(ctx, _placements, 'orchestration_id', placement_id,
                          for_update)
    if row is None:
        raise exception.PlacementNotFound(placement=placement_id)
    return row


@api.reader
def get_placement(ctx, placement_id):
    """Return the placement with this id or orchestration id."""
    return _placement_dict(_find(ctx, placement_id))


@api.reader
def list_placements(ctx, filters=None, project_id=None):
    """Return the placements whose fields and hints match ``filters``.

    :param filters: ``{field or hint key: exact value}``; keys in
        :data:`FIELDS` match the placement's own fields (``reserved``
        takes true/false), any other key one of its metadata hints.
    :param project_id: only this project's placements (None: all).
    """
    p = _placements
    query = sa.select(p).order_by(p.c.plan_id, p.c.name, p.c.id)
    if project_id is not None:
        query = query.where(p.c.project_id == project_id)
    for key, value in sorted((filters or {}).items()):
        if key in FIELDS:
            query = query.where(p.c[key] == value)
        elif key == 'reserved':
            query = query.where(p.c.reserved == (value == 'true'))
        else:
            hint = _hints.alias()
            query = query.where(sa.exists().where(
                hint.c.placement_id == p.c.id).where(
                hint.c.key == key).where(hint.c.value == value))
    # MySQL compares most fields without case (and ids without trailing
    # spaces): filter exactly here too, as the other backends do.
    exact = {key: value for key, value in (filters or {}).items()
             if key in FIELDS}
    return [_placement_dict(row)
            for row in ctx.session.execute(query).mappings()
            if all(row[key] == value for key, value in exact.items())]


@api.writer
def reserve(ctx, placement_id, resource_id, locations=None, check=None):
    """Mark a placement reserved by Nova's server ``resource_id``.

    Reserving again for the same server is harmless; a placement reserved
    by another server raises PlacementReserved.

    Nova's filter calls this for every server it schedules, so the whole
    decision is one transaction:

    :param check: called with the placement (dict) before anything else,
        e.g. to check the caller's policy; it raises to refuse.
    :param locations: the hosts the caller accepts; when the planned host
        is not among them nothing is changed and None is returned (the
        engine must re-place the server first).
    """
    row = _find(ctx, placement_id, for_update=True)
    if check is not None:
        check(_placement_dict(row))
    taken = row['reserved'] and row['resource_id'] not in (None,
                                                           resource_id)
    if not taken and locations is not None and \
            row['location'] not in locations:
        return None
    if taken:
        raise exception.PlacementReserved(placement=row['id'],
                                          resource_id=row['resource_id'])
    if row['state'] in ('planned', 'reserved') or not row['reserved']:
        values = {'reserved': True, 'resource_id': resource_id,
                  'updated_at': timeutils.utcnow()}
        if row['state'] == 'planned':
            values['state'] = 'reserved'
        if row['state'] == 'deleted':
            # Nova boots a server whose placement was released: it
            # holds capacity again.
            values['state'] = 'reserved'
            db_hosts.touch(ctx, row['location'], db_hosts.demand_of(row),
                           rack=row['rack'])
        ctx.session.execute(sa.update(_placements)
                            .where(_placements.c.id == row['id'])
                            .values(values))
        row.update(values)
    return _placement_dict(row)


@api.writer
def delete_placement(ctx, placement_id):
    """Delete one placement; its capacity is given back."""
    row = _find(ctx, placement_id, for_update=True)
    if row['state'] in db_hosts.LIVE_STATES:
        db_hosts.touch(ctx, row['location'],
                       tuple(-x for x in db_hosts.demand_of(row)))
    ctx.session.execute(sa.delete(_hints)
                        .where(_hints.c.placement_id == row['id']))
    ctx.session.execute(
        sa.delete(_group_servers)
        .where(_group_servers.c.orchestration_id ==
               row['orchestration_id']))
    ctx.session.execute(sa.delete(_placements)
                        .where(_placements.c.id == row['id']))
    return _placement_dict(row)
