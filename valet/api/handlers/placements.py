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

"""Handlers of /v1/placements: one server's planned host.

``POST /v1/placements/{id}`` is the call Nova's filter makes for every
server it schedules: when the planned host is among the hosts Nova still
considers, it is reserved in the database without asking the engine;
otherwise the engine re-places the server first. The policy target is the
placement's project; as for plans, a placement the caller may not read is
answered 404, as a missing one.
"""

import webob.dec

from valet.api.handlers import plans as plan_handlers
from valet.api.schemas import placements as schema
from valet.api import util
from valet.db import placements as db_placements
from valet.engine import rpcapi
from valet import exception
from valet.policies import placements as policies

# The fields of a placement's API body: the data layer's without the
# project, which only serves the policy.
PLACEMENT_FIELDS = ('id', 'name', 'orchestration_id', 'resource_id',
                    'plan_id', 'location', 'rack', 'reserved', 'state',
                    'metadata')


def serialize_placement(placement):
    """Return the API body of a placement dict."""
    return {field: placement[field] for field in PLACEMENT_FIELDS}


def _authorize(ctx, action, placement, placement_id):
    """Raise 403, or 404 (unreadable), unless ctx may do action on it."""
    target = {'project_id': placement['project_id']}
    if ctx.can(action, target, fatal=False):
        return
    if ctx.can(policies.SHOW, target, fatal=False):
        raise exception.PolicyNotAuthorized(action=action)
    raise exception.PlacementNotFound(placement=placement_id)


def _authorized_placement(ctx, action, placement_id):
    """Return the placement if ctx may do action on it; 404 or 403."""
    placement = db_placements.get_placement(ctx, placement_id)
    _authorize(ctx, action, placement, placement_id)
    return placement


@webob.dec.wsgify
def list_placements(req):
    """GET /v1/placements?<field or hint>=<value>&...: exact matches.

    A project's readers see its placements; a caller whose rule holds for
    every project (admin, service) sees them all.
    """
    ctx = util.context(req)
    # A target naming no project: only the rules that do not depend on
    # the project (admin, service by default) hold for it. (One check on
    # the filter's hot path; the others are refused by the second.)
    if ctx.can(policies.LIST, {}, fatal=False):
        project_id = None
    else:
        ctx.can(policies.LIST)
        project_id = plan_handlers.own_project(ctx)
    query = util.extract_query(req, schema.LIST_QUERY)
    placements = db_placements.list_placements(ctx, filters=query,
                                               project_id=project_id)
    return util.json_response(200, {'placements': [
        serialize_placement(placement) for placement in placements]})


@webob.dec.wsgify
def show_placement(req):
    """GET /v1/placements/{id or orchestration id}."""
    ctx = util.context(req)
    ctx.can(policies.SHOW)
    util.extract_query(req, schema.NO_QUERY)
    placement = _authorized_placement(
        ctx, policies.SHOW,
        util.path_item(req, 'placement_or_orchestration_id'))
    return util.json_response(200,
                              {'placement': serialize_placement(placement)})


def _check_not_taken(placement, resource_id):
    """409 when another server holds the placement.

    Checked before the engine is asked to move it; the reservation
    checks again in its own transaction.
    """
    if placement['reserved'] and placement['resource_id'] not in (
            None, resource_id):
        raise exception.PlacementReserved(
            placement=placement['id'], resource_id=placement['resource_id'])


@webob.dec.wsgify
def reserve_placement(req):
    """POST /v1/placements/{id or orchestration id}: Nova's filter.

    ``{"locations": [...], "resource_id": "...", "action": "reserve" |
    "replan"}``; the action defaults to reserve.
    """
    ctx = util.context(req)
    ctx.can(policies.RESERVE)
    util.extract_query(req, schema.NO_QUERY)
    body = util.extract_json(req, schema.POST_PLACEMENT)
    placement_id = util.path_item(req, 'placement_or_orchestration_id')
    resource_id = body['resource_id']

    def check(found):
        _authorize(ctx, policies.RESERVE, found, placement_id)

    placement = None
    if body.get('action', 'reserve') == 'reserve':
        # The hot path: the planned host is among Nova's, reserved in one
        # transaction (None: it is not, the engine must move it first).
        placement = db_placements.reserve(ctx, placement_id, resource_id,
                                          body['locations'], check)
    if placement is None:
        # Off the hot path: the planned host is not among Nova's (or the
        # caller asks for another one), so the engine re-places the
        # server within them, every rule held. A server Nova reschedules
        # keeps its own reservation while it moves.
        found = _authorized_placement(ctx, policies.RESERVE, placement_id)
        _check_not_taken(found, resource_id)
        rpcapi.EngineAPI(ctx.config).replan_server(
            ctx, found['id'], body['locations'],
            timeout=ctx.config.api.engine_timeout)
        placement = db_placements.reserve(ctx, found['id'], resource_id,
                                          check=check)
    return util.json_response(200,
                              {'placement': serialize_placement(placement)})


@webob.dec.wsgify
def delete_placement(req):
    """DELETE /v1/placements/{id}: forget it and free its capacity."""
    ctx = util.context(req)
    ctx.can(policies.DELETE)
    util.extract_query(req, schema.NO_QUERY)
    placement = _authorized_placement(
        ctx, policies.DELETE,
        util.path_item(req, 'placement_or_orchestration_id'))
    db_placements.delete_placement(ctx, placement['id'])
    return util.empty_response()
