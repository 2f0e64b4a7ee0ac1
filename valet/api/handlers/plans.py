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

"""Handlers of /v1/plans: Valet's placement of a whole stack.

Placing, re-placing and releasing go through valet-engine, which writes
the plan; reads go to the database. The policy target is the plan's
project. A caller whose own project may not use a rule at all is refused
(403) before anything is looked up; a plan of another project that the
caller may not read is answered 404, as a missing one, so that plan ids
of other projects cannot be probed.
"""

import copy

import webob.dec

from valet.api import errors
from valet.api import microversion
from valet.api.schemas import plans as schema
from valet.api import util
from valet.db import plans as db_plans
from valet.engine import rpcapi
from valet import exception
from valet.policies import plans as policies

# The fields of a plan's API body, in the contract's order.
PLAN_FIELDS = ('id', 'name', 'stack_id', 'project_id', 'placements')


def _plan_url(req, plan):
    return '%s/v1/plans/%s' % (req.application_url, plan['id'])


def serialize_plan(plan):
    """Return the API body of a plan dict (data layer or engine)."""
    body = {field: plan[field] for field in PLAN_FIELDS}
    body['placements'] = {
        orchestration_id: {'name': one['name'], 'location': one['location'],
                           'rack': one['rack']}
        for orchestration_id, one in plan['placements'].items()}
    return body


def _engine(ctx):
    return rpcapi.EngineAPI(ctx.config)


def _timeout(ctx):
    return ctx.config.api.engine_timeout


def own_project(ctx):
    """Return the caller's project; 403 for a token scoped to none.

    A plan belongs to a project, and an unscoped caller would otherwise
    match the project rules with a target of "no project".
    """
    if not ctx.project_id:
        raise errors.Forbidden(
            'This request needs a token scoped to a project: plans and '
            'placements belong to projects.',
            code='valet.project_scope_required')
    return ctx.project_id


def _authorized_plan(ctx, action, plan_id):
    """Return the plan if ctx may do action on it; 404 or 403 otherwise.

    The handler has already checked action against the caller's own
    project (403 when even that is refused).
    """
    plan = db_plans.get_plan(ctx, plan_id)
    target = {'project_id': plan['project_id']}
    if ctx.can(action, target, fatal=False):
        return plan
    if ctx.can(policies.SHOW, target, fatal=False):
        raise exception.PolicyNotAuthorized(action=action)
    raise exception.PlanNotFound(plan=plan_id)


def _for_project(ctx, project_id):
    """A copy of ctx acting for project_id: the plan's owner."""
    plan_ctx = copy.copy(ctx)
    plan_ctx.project_id = project_id
    plan_ctx.project_name = None
    return plan_ctx


@webob.dec.wsgify
def create_plan(req):
    """POST /v1/plans: place every server of a stack (the engine).

    The plan belongs to the caller's project, or (microversion 1.1) to the
    ``project_id`` of the body, which the create rule must allow for that
    project: Nova's filter (``service``) plans a server for its owner, so
    that the owner's memberships of named groups apply.
    """
    ctx = util.context(req)
    ctx.can(policies.CREATE, {'project_id': own_project(ctx)})
    util.extract_query(req, schema.NO_QUERY)
    if microversion.at_least(req, 1, 1):
        body = util.extract_json(req, schema.POST_PLAN_1_1)
    else:
        body = util.extract_json(req, schema.POST_PLAN)
    project_id = body.get('project_id', ctx.project_id)
    if project_id != ctx.project_id:
        ctx.can(policies.CREATE, {'project_id': project_id})
        ctx = _for_project(ctx, project_id)
    plan = _engine(ctx).create_plan(
        ctx, body['plan_name'], body['stack_id'], body['resources'],
        locations=body.get('locations'), timeout=_timeout(ctx))
    response = util.json_response(201, {'plan': serialize_plan(plan)})
    response.location = _plan_url(req, plan)
    return response


@webob.dec.wsgify
def list_plans(req):
    """GET /v1/plans[?name=&stack_id=]: the caller's project's plans.

    With ``valet:plans:list:all_projects`` (admin, service) every
    project's.
    """
    ctx = util.context(req)
    ctx.can(policies.LIST)
    query = util.extract_query(req, schema.LIST_QUERY)
    if ctx.can(policies.LIST_ALL, fatal=False):
        project_id = None
    else:
        project_id = own_project(ctx)
    plans = db_plans.list_plans(ctx, project_id=project_id, filters=query)
    return util.json_response(
        200, {'plans': [serialize_plan(plan) for plan in plans]})


@webob.dec.wsgify
def show_plan(req):
    """GET /v1/plans/{plan id or stack id}."""
    ctx = util.context(req)
    ctx.can(policies.SHOW)
    util.extract_query(req, schema.NO_QUERY)
    plan = _authorized_plan(ctx, policies.SHOW,
                            util.path_item(req, 'plan_or_stack_id'))
    return util.json_response(200, {'plan': serialize_plan(plan)})


def _update(ctx, plan, body):
    # original_resources is not used: the engine compares the new
    # resources with those of the plan it stored.
    return serialize_plan(_engine(ctx).update_plan(
        ctx, plan['id'], body['resources'], timeout=_timeout(ctx)))


def _migrate(ctx, plan, body):
    moved = _engine(ctx).migrate_server(
        ctx, plan['id'], body['resources'][0],
        excluded_hosts=body.get('excluded_hosts', []),
        timeout=_timeout(ctx))
    answer = serialize_plan(moved)
    # The servers that must move with this one (a host-affinity group).
    answer['moved'] = list(moved.get('moved', []))
    return answer


_ACTIONS = {'update': _update, 'migrate': _migrate}


@webob.dec.wsgify
def update_plan(req):
    """PUT /v1/plans/{plan id or stack id}: stack update or migration."""
    ctx = util.context(req)
    ctx.can(policies.UPDATE)
    util.extract_query(req, schema.NO_QUERY)
    body = util.parse_json(req)
    action = util.validate(body, schema.PUT_ACTION)['action']
    util.validate(body, schema.PUT_SCHEMAS[action])
    plan = _authorized_plan(ctx, policies.UPDATE,
                            util.path_item(req, 'plan_or_stack_id'))
    return util.json_response(200, {'plan': _ACTIONS[action](ctx, plan,
                                                             body)})


@webob.dec.wsgify
def delete_plan(req):
    """DELETE /v1/plans/{plan id or stack id}: release what it holds."""
    ctx = util.context(req)
    ctx.can(policies.DELETE)
    util.extract_query(req, schema.NO_QUERY)
    plan = _authorized_plan(ctx, policies.DELETE,
                            util.path_item(req, 'plan_or_stack_id'))
    _engine(ctx).release_plan(ctx, plan['id'], timeout=_timeout(ctx))
    return util.empty_response()
