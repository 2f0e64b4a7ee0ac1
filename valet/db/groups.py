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

"""Group data functions: the only way the API reads and writes groups.

Every function takes the request context first, runs in one transaction
and returns plain dicts::

    {"id", "name", "description", "type", "level",
     "members": [sorted project ids]}

Functions that take ``group_id`` also accept the group's name (an id match
wins), as ``GET /v1/groups/{id or name}`` does. A database that cannot be
reached raises :class:`valet.exception.ServiceUnavailable`.
"""

from oslo_db import exception as db_exc
from oslo_utils import uuidutils
import sqlalchemy as sa
from sqlalchemy import orm

from valet.db import api
from valet.db import models
from valet import exception

GROUP_TYPES = ('affinity', 'diversity', 'exclusivity')
GROUP_LEVELS = ('host', 'rack')
LIST_FILTERS = ('name', 'type', 'level')


def _group_dict(group, members=None):
    if members is None:
        members = [member.project_id for member in group.members]
    return {
        'id': group.id,
        'name': group.name,
        'description': group.description,
        'type': group.type,
        'level': group.level,
        'members': sorted(members),
    }


def _check_choice(field, value, choices):
    if value not in choices:
        raise exception.Invalid(
            "Invalid %s %r: must be one of %s" %
            (field, value, ', '.join(choices)))


def _is_storable_name(name):
    # NUL: PostgreSQL refuses it even in a WHERE clause.
    return (isinstance(name, str) and
            1 <= len(name) <= models.NAME_LENGTH and '\x00' not in name)


def _check_name(name):
    if not _is_storable_name(name):
        raise exception.Invalid(
            "Invalid name %r: must be a string of 1 to %d characters, "
            "without NUL" % (name, models.NAME_LENGTH))


def _check_description(description):
    if description is None:
        return
    if not isinstance(description, str):
        raise exception.Invalid(
            "Invalid description %r: must be a string or null" %
            (description,))
    try:
        encoded = description.encode('utf-8')
    except UnicodeEncodeError:
        # A JSON "\ud800" escape decodes to a lone surrogate.
        raise exception.Invalid(
            "Invalid description: not valid Unicode (lone surrogate)")
    if '\x00' in description:
        # PostgreSQL text cannot hold NUL; no backend should differ.
        raise exception.Invalid(
            "Invalid description: must not contain NUL characters")
    if len(encoded) > models.DESCRIPTION_BYTES:
        raise exception.Invalid(
            "Invalid description: longer than %d bytes of UTF-8" %
            models.DESCRIPTION_BYTES)


def _check_project_ids(project_ids):
    if not isinstance(project_ids, (list, tuple, set, frozenset)):
        raise exception.Invalid(
            "Invalid members %r: must be a list of project ids" %
            (project_ids,))
    for project_id in project_ids:
        if (not isinstance(project_id, str) or
                not 1 <= len(project_id) <= models.NAME_LENGTH):
            raise exception.Invalid(
                "Invalid member %r: a project id is a string of 1 to %d "
                "characters" % (project_id, models.NAME_LENGTH))


def _find_group(ctx, id_or_name, for_update=False, members=True):
    """Return the Group model with this id (preferred) or name.

    ``members=False`` leaves the members unloaded (until first used), for
    the bulk changes that do not need them as objects.
    """
    if not _is_storable_name(id_or_name):
        # No group can have it as id or name: do not ask the database.
        raise exception.GroupNotFound(group=id_or_name)
    query = sa.select(models.Group).where(
        sa.or_(models.Group.id == id_or_name,
               models.Group.name == id_or_name))
    if for_update:
        query = query.with_for_update()
    if not members:
        query = query.options(orm.lazyload(models.Group.members))
    # MySQL's id column ignores case: keep the exact matches only, so that
    # every backend finds the same group.
    groups = [group for group in ctx.session.scalars(query)
              if id_or_name in (group.id, group.name)]
    for group in groups:
        if group.id == id_or_name:
            return group
    if groups:
        return groups[0]
    raise exception.GroupNotFound(group=id_or_name)


def _server_projects(ctx, group_id, project_ids=None):
    """Return {project_id: server count} of servers placed in a group.

    A server counts until it is deleted (planned, built, moved or
    shelved alike).
    """
    placements = models.Placement.__table__
    query = (sa.select(models.GroupServer.project_id, sa.func.count())
             .outerjoin(placements, placements.c.orchestration_id ==
                        models.GroupServer.orchestration_id)
             .where(models.GroupServer.group_id == group_id)
             .where(sa.or_(placements.c.state.is_(None),
                           placements.c.state != 'deleted'))
             .group_by(models.GroupServer.project_id))
    if project_ids is not None:
        query = query.where(models.GroupServer.project_id.in_(project_ids))
    return dict(ctx.session.execute(query).all())


@api.writer
def create_group(ctx, name, group_type, level, description=None):
    """Create a group; raise GroupNameExists if the name is taken."""
    _check_name(name)
    _check_choice('type', group_type, GROUP_TYPES)
    _check_choice('level', level, GROUP_LEVELS)
    _check_description(description)
    group = models.Group(id=uuidutils.generate_uuid(), name=name,
                         description=description, type=group_type,
                         level=level, members=[])
    ctx.session.add(group)
    try:
        # Let the unique constraint decide: a pre-check would race.
        ctx.session.flush()
    except db_exc.DBDuplicateEntry as error:
        raise exception.GroupNameExists(name=name) from error
    return _group_dict(group)


@api.reader
def get_group(ctx, id_or_name):
    """Return the group with this id or name, or raise GroupNotFound."""
    return _group_dict(_find_group(ctx, id_or_name))


@api.reader
def list_groups(ctx, filters=None):
    """Return the groups, ordered by name.

    ``filters`` maps ``name``, ``type`` or ``level`` to the exact value a
    listed group has.
    """
    query = sa.select(models.Group).order_by(models.Group.name)
    for field, value in (filters or {}).items():
        if field not in LIST_FILTERS:
            raise exception.Invalid(
                "Invalid filter %r: must be one of %s" %
                (field, ', '.join(LIST_FILTERS)))
        query = query.where(getattr(models.Group, field) == value)
    # type and level compare without case on MySQL: filter exactly here.
    return [_group_dict(group) for group in ctx.session.scalars(query)
            if all(getattr(group, field) == value
                   for field, value in (filters or {}).items())]


@api.writer
def update_group(ctx, group_id, description):
    """Set a group's description (its other fields are immutable)."""
    _check_description(description)
    group = _find_group(ctx, group_id, for_update=True)
    group.description = description
    ctx.session.flush()
    return _group_dict(group)


@api.writer
def delete_group(ctx, group_id):
    """Delete a group; raise GroupInUse while it has members or servers."""
    group = _find_group(ctx, group_id, for_update=True)
    if group.members:
        raise exception.GroupInUse(
            group=group.name,
            reason='it has %d member project(s)' % len(group.members))
    servers = sum(_server_projects(ctx, group.id).values())
    if servers:
        raise exception.GroupInUse(
            group=group.name,
            reason='%d server(s) are placed in it' % servers)
    # What is left are the memberships of deleted servers.
    ctx.session.execute(sa.delete(models.GroupServer)
                        .where(models.GroupServer.group_id == group.id))
    ctx.session.delete(group)
    ctx.session.flush()


@api.writer
def add_members(ctx, group_id, project_ids):
    """Add projects to a group's members (a union; repeating is harmless)."""
    _check_project_ids(project_ids)
    # Lock the group row so concurrent additions serialize on it.
    group = _find_group(ctx, group_id, for_update=True, members=False)
    members = models.GroupMember.__table__
    existing = set(ctx.session.scalars(
        sa.select(members.c.project_id)
        .where(members.c.group_id == group.id)))
    now = models._utcnow()
    added = [{'group_id': group.id, 'project_id': project_id,
              'created_at': now}
             for project_id in sorted(set(project_ids) - existing)]
    if added:
        # One executemany: a statement per member made large groups slow.
        ctx.session.execute(sa.insert(members), added)
        ctx.session.expire(group, ['members'])
    return _group_dict(group, existing | set(project_ids))


@api.reader
def is_member(ctx, group_id, project_id):
    """Return True if project_id is a member of the group."""
    group = _find_group(ctx, group_id)
    return any(member.project_id == project_id for member in group.members)


@api.writer
def remove_member(ctx, group_id, project_id):
    """Remove one member; it must have no servers left in the group."""
    group = _find_group(ctx, group_id, for_update=True)
    member = next((m for m in group.members if m.project_id == project_id),
                  None)
    if member is None:
        raise exception.MemberNotFound(project=project_id, group=group.name)
    if _server_projects(ctx, group.id, [project_id]):
        raise exception.MemberInUse(project=project_id, group=group.name)
    group.members.remove(member)
    ctx.session.delete(member)
    ctx.session.flush()


@api.writer
def remove_all_members(ctx, group_id):
    """Remove every member, or none if any of them has servers there."""
    group = _find_group(ctx, group_id, for_update=True, members=False)
    members = models.GroupMember.__table__
    # The members as a subquery, not as bound values: a group can have
    # more members than a statement can have parameters.
    member_ids = (sa.select(members.c.project_id)
                  .where(members.c.group_id == group.id))
    busy = sorted(_server_projects(ctx, group.id, member_ids))
    if busy:
        raise exception.MemberInUse(project=', '.join(busy),
                                    group=group.name)
    # One statement whatever the number of members (removing them one by
    # one from the ORM collection was quadratic).
    ctx.session.execute(sa.delete(members)
                        .where(members.c.group_id == group.id))
    ctx.session.expire(group, ['members'])


@api.reader
def group_servers(ctx, group_id, project_id=None):
    """List the servers placed in a group (optionally one project's)."""
    group = _find_group(ctx, group_id)
    query = (sa.select(models.GroupServer)
             .where(models.GroupServer.group_id == group.id)
             .order_by(models.GroupServer.project_id,
                       models.GroupServer.orchestration_id))
    if project_id is not None:
        query = query.where(models.GroupServer.project_id == project_id)
    return [{'group_id': server.group_id,
             'orchestration_id': server.orchestration_id,
             'project_id': server.project_id,
             'host': server.host}
            for server in ctx.session.scalars(query)]


@api.reader
def group_index(ctx):
    """Return every group with its generation and members, for the engine.

    A list of ``{"id", "name", "type", "level", "generation",
    "members": [project ids]}``.
    """
    members = {}
    for group_id, project_id in ctx.session.execute(
            sa.select(models.GroupMember.group_id,
                      models.GroupMember.project_id)):
        members.setdefault(group_id, []).append(project_id)
    g = models.Group.__table__
    return [{'id': row.id, 'name': row.name, 'type': row.type,
             'level': row.level, 'generation': row.generation,
             'members': sorted(members.get(row.id, ()))}
            for row in ctx.session.execute(
                sa.select(g.c.id, g.c.name, g.c.type, g.c.level,
                          g.c.generation))]
