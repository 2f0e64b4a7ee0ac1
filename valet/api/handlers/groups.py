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

"""Handlers of /v1/groups: named, long-lived placement rules.

Each handler reads top to bottom: context, policy, validation, data layer,
answer. Domain exceptions (not found, name taken, in use, unknown projects,
backend down) carry their error code and are mapped by the dispatcher.
"""

import webob.dec

from valet.api import errors
from valet.api.schemas import groups as schema
from valet.api import util
from valet.common import identity
from valet.db import groups as db_groups
from valet import exception
from valet.policies import groups as policies


def _group_url(req, group):
    return '%s/v1/groups/%s' % (req.application_url, group['id'])


@webob.dec.wsgify
def list_groups(req):
    """GET /v1/groups[?name=&type=&level=]: every group, by name."""
    ctx = util.context(req)
    ctx.can(policies.LIST)
    query = util.extract_query(req, schema.LIST_QUERY)
    return util.json_response(
        200, {'groups': db_groups.list_groups(ctx, query)})


@webob.dec.wsgify
def create_group(req):
    """POST /v1/groups: create a group (its members start empty)."""
    ctx = util.context(req)
    ctx.can(policies.CREATE)
    util.extract_query(req, schema.NO_QUERY)
    body = util.extract_json(req, schema.POST_GROUP)
    group = db_groups.create_group(ctx, body['name'], body['type'],
                                   body['level'], body.get('description'))
    response = util.json_response(201, {'group': group})
    response.location = _group_url(req, group)
    return response


@webob.dec.wsgify
def show_group(req):
    """GET /v1/groups/{id or name}."""
    ctx = util.context(req)
    ctx.can(policies.SHOW)
    util.extract_query(req, schema.NO_QUERY)
    group = db_groups.get_group(ctx, util.path_item(req, 'group'))
    return util.json_response(200, {'group': group})


@webob.dec.wsgify
def update_group(req):
    """PUT /v1/groups/{id}: only the description may change."""
    ctx = util.context(req)
    ctx.can(policies.UPDATE)
    util.extract_query(req, schema.NO_QUERY)
    body = util.parse_json(req)
    if isinstance(body, dict):
        sent = [field for field in schema.IMMUTABLE_FIELDS if field in body]
        if sent:
            raise errors.BadRequest(
                "Invalid input for field '%s': the name, type and level "
                "of a group cannot be changed" % "', '".join(sent),
                code='valet.group.immutable')
    util.validate(body, schema.PUT_GROUP)
    group = db_groups.update_group(ctx, util.path_item(req, 'group'),
                                   body['description'])
    return util.json_response(200, {'group': group})


@webob.dec.wsgify
def delete_group(req):
    """DELETE /v1/groups/{id}: refused (409) while it is in use."""
    ctx = util.context(req)
    ctx.can(policies.DELETE)
    util.extract_query(req, schema.NO_QUERY)
    db_groups.delete_group(ctx, util.path_item(req, 'group'))
    return util.empty_response()


def _must_verify_projects(conf):
    return (conf.api.auth_strategy == 'keystone' or
            conf.api.noauth_verify_projects)


@webob.dec.wsgify
def add_members(req):
    """PUT /v1/groups/{id}/members: union with the existing members."""
    ctx = util.context(req)
    ctx.can(policies.MEMBERS_ADD)
    util.extract_query(req, schema.NO_QUERY)
    body = util.extract_json(req, schema.PUT_MEMBERS)
    group_id = util.path_item(req, 'group')
    # An unknown group is a 404 whatever the members are: look first.
    group = db_groups.get_group(ctx, group_id)
    new = [member for member in body['members']
           if member not in group['members']]
    if new and _must_verify_projects(ctx.config):
        identity.check_projects(ctx.config, new)
    group = db_groups.add_members(ctx, group['id'], body['members'])
    return util.json_response(200, {'group': group})


@webob.dec.wsgify
def show_member(req):
    """GET /v1/groups/{id}/members/{project}: 204 member, 404 not."""
    ctx = util.context(req)
    ctx.can(policies.MEMBERS_SHOW)
    util.extract_query(req, schema.NO_QUERY)
    group_id = util.path_item(req, 'group')
    project_id = util.path_item(req, 'project')
    if not db_groups.is_member(ctx, group_id, project_id):
        raise exception.MemberNotFound(project=project_id, group=group_id)
    return util.empty_response()


@webob.dec.wsgify
def remove_member(req):
    """DELETE /v1/groups/{id}/members/{project}."""
    ctx = util.context(req)
    ctx.can(policies.MEMBERS_DELETE)
    util.extract_query(req, schema.NO_QUERY)
    db_groups.remove_member(ctx, util.path_item(req, 'group'),
                            util.path_item(req, 'project'))
    return util.empty_response()


@webob.dec.wsgify
def remove_all_members(req):
    """DELETE /v1/groups/{id}/members: every member, or none."""
    ctx = util.context(req)
    ctx.can(policies.MEMBERS_DELETE)
    util.extract_query(req, schema.NO_QUERY)
    db_groups.remove_all_members(ctx, util.path_item(req, 'group'))
    return util.empty_response()
