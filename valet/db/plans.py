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

"""Plan data functions: a plan, its placements and the capacity they hold.

The engine writes a plan, its placements, their group memberships and the
host usage they claim in ONE transaction, guarded by the generations of
the hosts and named groups it planned with (see :mod:`valet.db.hosts`).
Reads return plain dicts; the API builds its bodies from them.

A placement as given to :func:`create_plan` and :func:`change_plan`::

    {"id", "name", "orchestration_id", "flavor", "vcpus", "ram_mb",
     "disk_gb", "location", "rack", "metadata": {...}, "groups": [ids]}
"""

from oslo_db import exception as db_exc
from oslo_serialization import jsonutils
from oslo_utils import timeutils
import sqlalchemy as sa

from valet.db import api
from valet.db import hosts as db_hosts
from valet.db import lookup
from valet.db import models
from valet import exception

_plans = models.Plan.__table__
_placements = models.Placement.__table__
_hints = models.PlacementHint.__table__
_groups = models.Group.__table__
_group_servers = models.GroupServer.__table__


def _check_groups(ctx, expected):
    """Increment each named group's generation if still ``expected``."""
    for group_id in sorted(expected):
        done = ctx.session.execute(
            sa.update(_groups)
            .where(_groups.c.id == group_id)
            .where(_groups.c.generation == expected[group_id])
            .values(generation=_groups.c.generation + 1)).rowcount
        if not done:
            raise exception.GenerationConflict(kind='Group', name=group_id)


def _hint_rows(placement_id, metadata):
    rows = []
    for key, value in sorted((metadata or {}).items()):
        if not isinstance(value, str):
            value = jsonutils.dumps(value, sort_keys=True)
        if len(key) <= 64 and len(value) <= models.HINT_LENGTH:
            rows.append({'placement_id': placement_id, 'key': key,
                         'value': value})
    return rows


def _insert_placements(ctx, plan, placements, deltas):
    """Insert placements, their hints and group memberships in bulk."""
    if not placements:
        return
    keys = [p['orchestration_id'] for p in placements]
    taken = ctx.session.scalars(
        sa.select(_placements.c.orchestration_id)
        .where(_placements.c.orchestration_id.in_(keys))).first()
    if taken is not None:
        raise exception.ServerAlreadyPlanned(orchestration_id=taken)
    now = timeutils.utcnow()
    rows, hints, members = [], [], []
    for placement in placements:
        row = {key: placement[key] for key in (
            'id', 'name', 'orchestration_id', 'flavor', 'vcpus', 'ram_mb',
            'disk_gb', 'location', 'rack')}
        row.update(plan_id=plan['id'], project_id=plan['project_id'],
                   reserved=False, state='planned', created_at=now,
                   updated_at=None, resource_id=None,
                   metadata=jsonutils.dumps(placement.get('metadata') or {}))
        rows.append(row)
        hints.extend(_hint_rows(placement['id'], placement.get('metadata')))
        for group_id in placement.get('groups', ()):
            members.append({
                'group_id': group_id,
                'orchestration_id': placement['orchestration_id'],
                'project_id': plan['project_id'],
                'host': placement['location'], 'created_at': now,
                'updated_at': None})
        db_hosts.add_demand(deltas, placement['location'],
                            db_hosts.demand_of(placement))
    try:
        ctx.session.execute(sa.insert(_placements), rows)
    except db_exc.DBDuplicateEntry as error:
        # Another plan took one of them since the check above.
        raise exception.ServerAlreadyPlanned(
            orchestration_id=', '.join(keys[:5])) from error
    if hints:
        ctx.session.execute(sa.insert(_hints), hints)
    if members:
        ctx.session.execute(sa.insert(_group_servers), members)


def _delete_placements(ctx, rows, deltas):
    """Delete placement rows (and what hangs on them), freeing capacity."""
    if not rows:
        return
    ids = [row['id'] for row in rows]
    orchestration_ids = [row['orchestration_id'] for row in rows]
    for row in rows:
        if row['state'] in db_hosts.LIVE_STATES:
            db_hosts.add_demand(deltas, row['location'],
                                db_hosts.demand_of(row), -1)
    ctx.session.execute(sa.delete(_hints)
                        .where(_hints.c.placement_id.in_(ids)))
    ctx.session.execute(
        sa.delete(_group_servers)
        .where(_group_servers.c.orchestration_id.in_(orchestration_ids)))
    ctx.session.execute(sa.delete(_placements)
                        .where(_placements.c.id.in_(ids)))


def _plan_rows(ctx, plan_id):
    return [dict(row) for row in ctx.session.execute(
        sa.select(_placements).where(_placements.c.plan_id == plan_id)
        .order_by(_placements.c.name, _placements.c.orchestration_id)
    ).mappings()]


@api.writer
def create_plan(ctx, plan, placements, guard):
    """Store a new plan and its placements, claiming their capacity.

    :param plan: ``{"id", "name", "stack_id", "project_id", "resources",
        "locations"}`` (resources a dict, locations a list or None).
    :param placements: list of placement dicts (module docstring).
    :param guard: ``{"hosts": {host: generation}, "groups": {group id:
        generation}}`` as the engine read them.
    :raises PlanExists: the stack already has a plan.
    :raises GenerationConflict: a guarded host or group changed.
    """
    _check_groups(ctx, guard.get('groups', {}))
    try:
        ctx.session.execute(sa.insert(_plans).values(
            id=plan['id'], name=plan['name'], stack_id=plan['stack_id'],
            project_id=plan['project_id'],
            resources=jsonutils.dumps(plan['resources']),
            locations=(None if plan.get('locations') is None
                       else jsonutils.dumps(plan['locations'])),
            created_at=timeutils.utcnow()))
    except db_exc.DBDuplicateEntry as error:
        raise exception.PlanExists(stack_id=plan['stack_id']) from error
    deltas = {}
    _insert_placements(ctx, plan, placements, deltas)
    db_hosts.touch_all(ctx, deltas, guard.get('hosts'),
                       {p['location']: p['rack'] for p in placements})
    # What was just written, without reading it back.
    return _plan_dict(plan, [dict(p, state='planned') for p in placements])


@api.writer
def change_plan(ctx, plan_id, guard, resources=None, added=(), moved=(),
                removed=()):
    """Change a plan's placements in one transaction.

    :param resources: the stack's new resources (dict), or None to keep.
    :param added: new placements (module docstring).
    :param moved: ``{orchestration id: {"location", "rack"}}`` (a server
        given a new host: replan or migrate); a reserved placement keeps
        its reservation on the new host.
    :param removed: orchestration ids whose placements are deleted.
    :param guard: as for :func:`create_plan`.
    """
    plan = _find_plan(ctx, plan_id, for_update=True)
    _check_groups(ctx, guard.get('groups', {}))
    rows = {row['orchestration_id']: row
            for row in _plan_rows(ctx, plan['id'])}
    deltas = {}
    racks = {}
    _delete_placements(ctx, [rows[o] for o in removed if o in rows], deltas)
    for orchestration_id, where in sorted(dict(moved).items()):
        row = rows[orchestration_id]
        demand = db_hosts.demand_of(row)
        if row['state'] in db_hosts.LIVE_STATES:
            db_hosts.add_demand(deltas, row['location'], demand, -1)
        state = 'planned' if row['state'] == 'deleted' else row['state']
        if state in db_hosts.LIVE_STATES:
            # A shelved server holds nothing until Nova unshelves it.
            db_hosts.add_demand(deltas, where['location'], demand)
        racks[where['location']] = where['rack']
        ctx.session.execute(
            sa.update(_placements).where(_placements.c.id == row['id'])
            .values(location=where['location'], rack=where['rack'],
                    state=state, updated_at=timeutils.utcnow()))
        ctx.session.execute(
            sa.update(_group_servers)
            .where(_group_servers.c.orchestration_id == orchestration_id)
            .values(host=where['location']))
    _insert_placements(ctx, plan, list(added), deltas)
    racks.update((p['location'], p['rack']) for p in added)
    db_hosts.touch_all(ctx, deltas, guard.get('hosts'), racks)
    values = {'updated_at': timeutils.utcnow()}
    if resources is not None:
        values['resources'] = jsonutils.dumps(resources)
    ctx.session.execute(sa.update(_plans).where(_plans.c.id == plan['id'])
                        .values(values))
    return _plan_dict(plan, _plan_rows(ctx, plan['id']))


@api.writer
def delete_plan(ctx, plan_id):
    """Delete a plan; its live placements give their capacity back.

    Returns the plan's row with ``released`` (orchestration ids of the
    placements that held capacity) and ``touched`` (their hosts).
    """
    plan = _find_plan(ctx, plan_id, for_update=True)
    deltas = {}
    rows = _plan_rows(ctx, plan['id'])
    _delete_placements(ctx, rows, deltas)
    db_hosts.touch_all(ctx, deltas)
    ctx.session.execute(sa.delete(_plans).where(_plans.c.id == plan['id']))
    # What an engine needs to update its model without a read.
    plan['released'] = [row['orchestration_id'] for row in rows
                        if row['state'] in db_hosts.LIVE_STATES]
    plan['touched'] = sorted(deltas)
    return plan


def _find_plan(ctx, plan_id, for_update=False):
    """Return the plan row (dict) with this id (preferred) or stack id."""
    row = lookup.find_row(ctx, _plans, 'stack_id', plan_id, for_update)
    if row is None:
        raise exception.PlanNotFound(plan=plan_id)
    return row


def _plan_dict(plan, rows):
    return {
        'id': plan['id'], 'name': plan['name'],
        'stack_id': plan['stack_id'], 'project_id': plan['project_id'],
        'placements': {row['orchestration_id']: {
            'name': row['name'], 'location': row['location'],
            'rack': row['rack']} for row in rows
            if row['state'] != 'deleted'},
    }


@api.reader
def get_plan(ctx, plan_id):
    """Return the plan with this id or stack id, or raise PlanNotFound."""
    plan = _find_plan(ctx, plan_id)
    return _plan_dict(plan, _plan_rows(ctx, plan['id']))


@api.reader
def get_plan_record(ctx, plan_id):
    """Return what the engine needs to change a plan.

    ``{"plan": plan dict, "resources": dict, "locations": list or None,
    "placements": [placement rows as dicts]}``.
    """
    plan = _find_plan(ctx, plan_id)
    rows = _plan_rows(ctx, plan['id'])
    return {'plan': _plan_dict(plan, rows),
            'resources': jsonutils.loads(plan['resources']),
            'locations': (None if plan['locations'] is None
                          else jsonutils.loads(plan['locations'])),
            'placements': rows}


@api.reader
def list_plans(ctx, project_id=None, filters=None):
    """Return the plans (one project's when ``project_id`` is given).

    ``filters`` maps ``name`` or ``stack_id`` to an exact value.
    """
    query = sa.select(_plans).order_by(_plans.c.created_at, _plans.c.id)
    if project_id is not None:
        query = query.where(_plans.c.project_id == project_id)
    for field, value in (filters or {}).items():
        query = query.where(_plans.c[field] == value)
    # MySQL compares a plan's name without case: filter exactly here too.
    plans = [dict(row) for row in ctx.session.execute(query).mappings()
             if all(row[field] == value
                    for field, value in (filters or {}).items())]
    if not plans:
        return []
    rows = {}
    ids = [plan['id'] for plan in plans]
    for start in range(0, len(ids), 500):
        for row in ctx.session.execute(
                sa.select(_placements)
                .where(_placements.c.plan_id.in_(ids[start:start + 500]))
                .order_by(_placements.c.name)).mappings():
            rows.setdefault(row['plan_id'], []).append(row)
    return [_plan_dict(plan, rows.get(plan['id'], [])) for plan in plans]
