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

"""Plans, placements, host generations and unplanned servers.

Revision ID: 5a7e2c91d3b8
Revises: 3f1c2a7d9e04
Create Date: 2026-12-06 14:20:00
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

# revision identifiers, used by Alembic.
revision = '5a7e2c91d3b8'
down_revision = '3f1c2a7d9e04'
branch_labels = None
depends_on = None

_TABLE_ARGS = {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8mb4'}
_EXACT = sa.String(255).with_variant(
    mysql.VARCHAR(255, collation='utf8mb4_bin'), 'mysql')
_LONG_TEXT = sa.Text().with_variant(mysql.MEDIUMTEXT(), 'mysql')


def _timestamps():
    return [sa.Column('created_at', sa.DateTime(), nullable=False),
            sa.Column('updated_at', sa.DateTime(), nullable=True)]


def _flavor_columns():
    return [sa.Column('vcpus', sa.Integer(), nullable=False),
            sa.Column('ram_mb', sa.Integer(), nullable=False),
            sa.Column('disk_gb', sa.Integer(), nullable=False)]


def upgrade():
    """Create the plan, placement and host tables."""
    op.add_column('groups', sa.Column('generation', sa.Integer(),
                                      nullable=False, server_default='0'))

    op.create_table(
        'plans',
        sa.Column('id', sa.String(36), nullable=False),
        sa.Column('name', sa.String(255), nullable=False),
        sa.Column('stack_id', _EXACT, nullable=False),
        sa.Column('project_id', _EXACT, nullable=False),
        sa.Column('resources', _LONG_TEXT, nullable=False),
        sa.Column('locations', _LONG_TEXT, nullable=True),
        *_timestamps(),
        sa.PrimaryKeyConstraint('id', name='pk_plans'),
        sa.UniqueConstraint('stack_id', name='uniq_plans0stack_id'),
        **_TABLE_ARGS)
    op.create_index('ix_plans_project_id', 'plans', ['project_id'])

    op.create_table(
        'placements',
        sa.Column('id', sa.String(36), nullable=False),
        sa.Column('plan_id', sa.String(36), nullable=False),
        sa.Column('name', sa.String(255), nullable=False),
        sa.Column('orchestration_id', _EXACT, nullable=False),
        sa.Column('resource_id', sa.String(255), nullable=True),
        sa.Column('project_id', _EXACT, nullable=False),
        sa.Column('flavor', sa.String(255), nullable=False),
        *_flavor_columns(),
        sa.Column('location', sa.String(255), nullable=False),
        sa.Column('rack', sa.String(255), nullable=False),
        sa.Column('reserved', sa.Boolean(), nullable=False),
        sa.Column('state', sa.String(16), nullable=False),
        sa.Column('metadata', sa.Text(), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint('id', name='pk_placements'),
        sa.ForeignKeyConstraint(['plan_id'], ['plans.id'],
                                name='fk_placements_plan_id_plans'),
        sa.UniqueConstraint('orchestration_id',
                            name='uniq_placements0orchestration_id'),
        **_TABLE_ARGS)
    op.create_index('ix_placements_plan_id', 'placements', ['plan_id'])
    op.create_index('ix_placements_resource_id', 'placements',
                    ['resource_id'])
    op.create_index('ix_placements_location', 'placements', ['location'])

    op.create_table(
        'placement_hints',
        sa.Column('placement_id', sa.String(36), nullable=False),
        sa.Column('key', sa.String(64), nullable=False),
        sa.Column('value', _EXACT, nullable=False),
        sa.PrimaryKeyConstraint('placement_id', 'key',
                                name='pk_placement_hints'),
        sa.ForeignKeyConstraint(
            ['placement_id'], ['placements.id'],
            name='fk_placement_hints_placement_id_placements'),
        **_TABLE_ARGS)
    op.create_index('ix_placement_hints_key_value', 'placement_hints',
                    ['key', 'value'])

    op.create_table(
        'hosts',
        sa.Column('name', _EXACT, nullable=False),
        sa.Column('rack', sa.String(255), nullable=False),
        sa.Column('generation', sa.Integer(), nullable=False),
        *_flavor_columns(),
        sa.PrimaryKeyConstraint('name', name='pk_hosts'),
        **_TABLE_ARGS)

    op.create_table(
        'unplanned_servers',
        sa.Column('resource_id', sa.String(255), nullable=False),
        sa.Column('host', sa.String(255), nullable=False),
        sa.Column('project_id', _EXACT, nullable=True),
        sa.Column('flavor', sa.String(255), nullable=True),
        *_flavor_columns(),
        sa.Column('state', sa.String(16), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint('resource_id', name='pk_unplanned_servers'),
        **_TABLE_ARGS)
    op.create_index('ix_unplanned_servers_host', 'unplanned_servers',
                    ['host'])
