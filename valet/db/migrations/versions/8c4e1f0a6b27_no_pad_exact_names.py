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

"""Compare names and ids without padding on MySQL/MariaDB.

utf8mb4_bin is a PAD SPACE collation: "web" and "web " were one group name
(and one stack id, orchestration id, host...) on MariaDB and two on SQLite
and PostgreSQL. utf8mb4_nopad_bin (MariaDB 10.2 and later) compares every
byte, as the other backends do; they are left alone. MySQL has no such
collation under that name: there utf8mb4_0900_bin (8.0, NO PAD too).

Revision ID: 8c4e1f0a6b27
Revises: 5a7e2c91d3b8
Create Date: 2026-12-06 15:20:00
"""

from alembic import op
from sqlalchemy.dialects import mysql

# revision identifiers, used by Alembic.
revision = '8c4e1f0a6b27'
down_revision = '5a7e2c91d3b8'
branch_labels = None
depends_on = None

_MARIADB_NO_PAD = 'utf8mb4_nopad_bin'
_MYSQL_NO_PAD = 'utf8mb4_0900_bin'

# (table, column, nullable) of every column models.EXACT_NAME types.
_COLUMNS = (
    ('groups', 'name', False),
    ('group_members', 'project_id', False),
    ('group_servers', 'project_id', False),
    ('plans', 'stack_id', False),
    ('plans', 'project_id', False),
    ('placements', 'orchestration_id', False),
    ('placements', 'project_id', False),
    ('placement_hints', 'value', False),
    ('hosts', 'name', False),
    ('unplanned_servers', 'project_id', True),
)


def upgrade():
    """Give the exact columns a NO PAD binary collation on MySQL."""
    dialect = op.get_bind().dialect
    if dialect.name != 'mysql':
        return
    no_pad = mysql.VARCHAR(255, collation=(
        _MARIADB_NO_PAD if dialect.is_mariadb else _MYSQL_NO_PAD))
    for table, column, nullable in _COLUMNS:
        op.alter_column(table, column, type_=no_pad,
                        existing_nullable=nullable)
