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

"""SQLAlchemy declarative models of Valet's database.

The schema is changed only through the alembic migrations in
``valet/db/migrations``; a functional test proves that the migrated schema
equals these models on SQLite, MySQL/MariaDB and PostgreSQL.
"""

import datetime

from oslo_utils import timeutils
import sqlalchemy as sa
from sqlalchemy.dialects import mysql
from sqlalchemy import orm

# Names, project ids and host names are at most this long (api-v1.md).
NAME_LENGTH = 255
UUID_LENGTH = 36
# A description is TEXT: MySQL holds at most this many bytes there.
DESCRIPTION_BYTES = 65535
# A hint value longer than this is kept in the placement's metadata but
# cannot be searched on.
HINT_LENGTH = 255
# A plan's resources are a Heat stack's: MEDIUMTEXT on MySQL (16 MB).
LONG_TEXT = sa.Text().with_variant(mysql.MEDIUMTEXT(), 'mysql')

_TABLE_ARGS = {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8mb4'}

# Names, project ids and other keys compare exactly, as on SQLite and
# PostgreSQL: MySQL's default collation would make "Web" and "web" the
# same name, and utf8mb4_bin (PAD SPACE) "web" and "web ". The migration
# picks utf8mb4_0900_bin, MySQL's NO PAD binary collation, on MySQL.
EXACT_NAME = sa.String(NAME_LENGTH).with_variant(
    mysql.VARCHAR(NAME_LENGTH, collation='utf8mb4_nopad_bin'), 'mysql')


def _utcnow():
    return timeutils.utcnow()


class Base(orm.DeclarativeBase):
    """Declarative base of every Valet table."""

    metadata = sa.MetaData(naming_convention={
        'ix': 'ix_%(table_name)s_%(column_0_N_name)s',
        'uq': 'uniq_%(table_name)s0%(column_0_N_name)s',
        'fk': 'fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s',
        'pk': 'pk_%(table_name)s',
    })


class TimestampMixin:
    """created_at / updated_at columns, set by the ORM in UTC."""

    created_at: orm.Mapped[datetime.datetime] = orm.mapped_column(
        sa.DateTime, nullable=False, default=_utcnow)
    updated_at: orm.Mapped[datetime.datetime | None] = orm.mapped_column(
        sa.DateTime, nullable=True, onupdate=_utcnow)


class Group(TimestampMixin, Base):
    """A named, long-lived placement rule that servers can join."""

    __tablename__ = 'groups'
    __table_args__ = (
        sa.UniqueConstraint('name'),
        _TABLE_ARGS,
    )

    id: orm.Mapped[str] = orm.mapped_column(
        sa.String(UUID_LENGTH), primary_key=True)
    name: orm.Mapped[str] = orm.mapped_column(
        EXACT_NAME, nullable=False)
    description: orm.Mapped[str | None] = orm.mapped_column(
        sa.Text, nullable=True)
    type: orm.Mapped[str] = orm.mapped_column(
        sa.String(16), nullable=False)
    level: orm.Mapped[str] = orm.mapped_column(
        sa.String(16), nullable=False)
    # Bumped by every plan that adds servers to the group, so that two
    # engines placing members at once cannot both rely on a stale view.
    generation: orm.Mapped[int] = orm.mapped_column(
        sa.Integer, nullable=False, default=0, server_default='0')

    members: orm.Mapped[list['GroupMember']] = orm.relationship(
        back_populates='group', lazy='selectin',
        order_by='GroupMember.project_id')


class GroupMember(TimestampMixin, Base):
    """A project allowed to place servers in a group."""

    __tablename__ = 'group_members'
    __table_args__ = (
        sa.UniqueConstraint('group_id', 'project_id'),
        sa.Index(None, 'project_id'),
        _TABLE_ARGS,
    )

    id: orm.Mapped[int] = orm.mapped_column(
        sa.Integer, primary_key=True, autoincrement=True)
    group_id: orm.Mapped[str] = orm.mapped_column(
        sa.String(UUID_LENGTH), sa.ForeignKey('groups.id'), nullable=False)
    project_id: orm.Mapped[str] = orm.mapped_column(
        EXACT_NAME, nullable=False)

    group: orm.Mapped[Group] = orm.relationship(back_populates='members')


class GroupServer(TimestampMixin, Base):
    """A server that a plan placed in a named group, and its host."""

    __tablename__ = 'group_servers'
    __table_args__ = (
        sa.UniqueConstraint('group_id', 'orchestration_id'),
        sa.Index(None, 'group_id', 'project_id'),
        _TABLE_ARGS,
    )

    id: orm.Mapped[int] = orm.mapped_column(
        sa.Integer, primary_key=True, autoincrement=True)
    group_id: orm.Mapped[str] = orm.mapped_column(
        sa.String(UUID_LENGTH), sa.ForeignKey('groups.id'), nullable=False)
    orchestration_id: orm.Mapped[str] = orm.mapped_column(
        sa.String(NAME_LENGTH), nullable=False)
    project_id: orm.Mapped[str] = orm.mapped_column(
        EXACT_NAME, nullable=False)
    host: orm.Mapped[str | None] = orm.mapped_column(
        sa.String(NAME_LENGTH), nullable=True)


class Plan(TimestampMixin, Base):
    """Valet's placement of one stack: its servers are placements."""

    __tablename__ = 'plans'
    __table_args__ = (
        sa.UniqueConstraint('stack_id'),
        sa.Index(None, 'project_id'),
        _TABLE_ARGS,
    )

    id: orm.Mapped[str] = orm.mapped_column(
        sa.String(UUID_LENGTH), primary_key=True)
    name: orm.Mapped[str] = orm.mapped_column(
        sa.String(NAME_LENGTH), nullable=False)
    stack_id: orm.Mapped[str] = orm.mapped_column(
        EXACT_NAME, nullable=False)
    project_id: orm.Mapped[str] = orm.mapped_column(
        EXACT_NAME, nullable=False)
    # The stack's resources as last planned (JSON), so that update,
    # replan and migrate see the stack's own groups and links.
    resources: orm.Mapped[str] = orm.mapped_column(
        LONG_TEXT, nullable=False)
    # The hosts the plan was limited to (JSON list), or NULL for all.
    locations: orm.Mapped[str | None] = orm.mapped_column(
        LONG_TEXT, nullable=True)


class Placement(TimestampMixin, Base):
    """One server's planned host, and its life after Nova built it.

    ``state``: planned (by the engine), reserved (Nova's filter took the
    host), active (Nova built it there), moved (it runs on another host
    than planned, e.g. after a live migration), deleted (gone; it no
    longer holds capacity). Every state but deleted holds its flavor's
    capacity on ``location``.
    """

    __tablename__ = 'placements'
    __table_args__ = (
        sa.UniqueConstraint('orchestration_id'),
        sa.Index(None, 'plan_id'),
        sa.Index(None, 'resource_id'),
        sa.Index(None, 'location'),
        _TABLE_ARGS,
    )

    id: orm.Mapped[str] = orm.mapped_column(
        sa.String(UUID_LENGTH), primary_key=True)
    plan_id: orm.Mapped[str] = orm.mapped_column(
        sa.String(UUID_LENGTH), sa.ForeignKey('plans.id'), nullable=False)
    name: orm.Mapped[str] = orm.mapped_column(
        sa.String(NAME_LENGTH), nullable=False)
    orchestration_id: orm.Mapped[str] = orm.mapped_column(
        EXACT_NAME, nullable=False)
    resource_id: orm.Mapped[str | None] = orm.mapped_column(
        sa.String(NAME_LENGTH), nullable=True)
    project_id: orm.Mapped[str] = orm.mapped_column(
        EXACT_NAME, nullable=False)
    flavor: orm.Mapped[str] = orm.mapped_column(
        sa.String(NAME_LENGTH), nullable=False)
    vcpus: orm.Mapped[int] = orm.mapped_column(sa.Integer, nullable=False)
    ram_mb: orm.Mapped[int] = orm.mapped_column(sa.Integer, nullable=False)
    disk_gb: orm.Mapped[int] = orm.mapped_column(sa.Integer, nullable=False)
    location: orm.Mapped[str] = orm.mapped_column(
        sa.String(NAME_LENGTH), nullable=False)
    rack: orm.Mapped[str] = orm.mapped_column(
        sa.String(NAME_LENGTH), nullable=False)
    reserved: orm.Mapped[bool] = orm.mapped_column(
        sa.Boolean, nullable=False, default=False)
    state: orm.Mapped[str] = orm.mapped_column(
        sa.String(16), nullable=False)
    # The Heat scheduler hints and the server's metadata (JSON).
    hints: orm.Mapped[str] = orm.mapped_column(
        'metadata', sa.Text, nullable=False)


class PlacementHint(Base):
    """One searchable key of a placement's metadata (exact match)."""

    __tablename__ = 'placement_hints'
    __table_args__ = (
        sa.Index(None, 'key', 'value'),
        _TABLE_ARGS,
    )

    placement_id: orm.Mapped[str] = orm.mapped_column(
        sa.String(UUID_LENGTH), sa.ForeignKey('placements.id'),
        primary_key=True)
    key: orm.Mapped[str] = orm.mapped_column(
        sa.String(64), primary_key=True)
    value: orm.Mapped[str] = orm.mapped_column(
        EXACT_NAME, nullable=False)


class Host(Base):
    """The capacity Valet's records hold on a host, and its generation.

    ``vcpus``, ``ram_mb`` and ``disk_gb`` sum the live placements and the
    unplanned servers on the host. Every change of them, and every plan
    that relies on the host, increments ``generation``: an engine commits
    a plan only if the generations it planned with are still current.
    """

    __tablename__ = 'hosts'
    __table_args__ = (_TABLE_ARGS,)

    name: orm.Mapped[str] = orm.mapped_column(
        EXACT_NAME, primary_key=True)
    rack: orm.Mapped[str] = orm.mapped_column(
        sa.String(NAME_LENGTH), nullable=False)
    generation: orm.Mapped[int] = orm.mapped_column(
        sa.Integer, nullable=False, default=0)
    vcpus: orm.Mapped[int] = orm.mapped_column(
        sa.Integer, nullable=False, default=0)
    ram_mb: orm.Mapped[int] = orm.mapped_column(
        sa.Integer, nullable=False, default=0)
    disk_gb: orm.Mapped[int] = orm.mapped_column(
        sa.Integer, nullable=False, default=0)


class UnplannedServer(TimestampMixin, Base):
    """A server Nova runs that no plan placed; it holds capacity too.

    ``state`` is active, or deleted: the row is kept so that a late
    duplicate of its creation cannot bring it back.
    """

    __tablename__ = 'unplanned_servers'
    __table_args__ = (
        sa.Index(None, 'host'),
        _TABLE_ARGS,
    )

    resource_id: orm.Mapped[str] = orm.mapped_column(
        sa.String(NAME_LENGTH), primary_key=True)
    host: orm.Mapped[str] = orm.mapped_column(
        sa.String(NAME_LENGTH), nullable=False)
    project_id: orm.Mapped[str | None] = orm.mapped_column(
        EXACT_NAME, nullable=True)
    flavor: orm.Mapped[str | None] = orm.mapped_column(
        sa.String(NAME_LENGTH), nullable=True)
    vcpus: orm.Mapped[int] = orm.mapped_column(sa.Integer, nullable=False)
    ram_mb: orm.Mapped[int] = orm.mapped_column(sa.Integer, nullable=False)
    disk_gb: orm.Mapped[int] = orm.mapped_column(sa.Integer, nullable=False)
    state: orm.Mapped[str] = orm.mapped_column(
        sa.String(16), nullable=False)
