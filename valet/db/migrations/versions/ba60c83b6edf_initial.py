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

"""Create the groups, group_members and group_servers tables.

Revision ID: ba60c83b6edf
Revises:
Create Date: 2026-11-21 21:40:00
"""

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'ba60c83b6edf'
down_revision = None
branch_labels = None
depends_on = None

_TABLE_ARGS = {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8mb4'}


def _timestamps():
    return [sa.Column('created_at', sa.DateTime(), nullable=False),
            sa.Column('updated_at', sa.DateTime(), nullable=True)]


def upgrade():
    """Create the group tables."""
    op.create_table(
        'groups',
        sa.Column('id', sa.String(36), nullable=False),
        sa.Column('name', sa.String(255), nullable=False),
        sa.Column('description', sa.Text(), nullable=True),
        sa.Column('type', sa.String(16), nullable=False),
        sa.Column('level', sa.String(16), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint('id', name='pk_groups'),
        sa.UniqueConstraint('name', name='uniq_groups0name'),
        **_TABLE_ARGS)

    op.create_table(
        'group_members',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('group_id', sa.String(36), nullable=False),
        sa.Column('project_id', sa.String(255), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint('id', name='pk_group_members'),
        sa.ForeignKeyConstraint(['group_id'], ['groups.id'],
                                name='fk_group_members_group_id_groups'),
        sa.UniqueConstraint(
            'group_id', 'project_id',
            name='uniq_group_members0group_id_project_id'),
        **_TABLE_ARGS)
    op.create_index('ix_group_members_project_id', 'group_members',
                    ['project_id'])

    op.create_table(
        'group_servers',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('group_id', sa.String(36), nullable=False),
        sa.Column('orchestration_id', sa.String(255), nullable=False),
        sa.Column('project_id', sa.String(255), nullable=False),
        sa.Column('host', sa.String(255), nullable=True),
        *_timestamps(),
        sa.PrimaryKeyConstraint('id', name='pk_group_servers'),
        sa.ForeignKeyConstraint(['group_id'], ['groups.id'],
                                name='fk_group_servers_group_id_groups'),
        sa.UniqueConstraint(
            'group_id', 'orchestration_id',
            name='uniq_group_servers0group_id_orchestration_id'),
        **_TABLE_ARGS)
    op.create_index('ix_group_servers_group_id_project_id', 'group_servers',
                    ['group_id', 'project_id'])
