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

_TABLE_ARGS = {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8mb4'}

# Group names and project ids compare exactly, as on SQLite and
# PostgreSQL: MySQL's default collation would make "Web" and "web" the
# same name.
EXACT_NAME = sa.String(NAME_LENGTH).with_variant(
    mysql.VARCHAR(NAME_LENGTH, collation='utf8mb4_bin'), 'mysql')


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
