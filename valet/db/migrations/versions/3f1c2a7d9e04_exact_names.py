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

"""Compare group names and project ids exactly on MySQL.

MySQL's default utf8mb4 collation ignores case, so "Web" and "web" were one
group name there and two on SQLite and PostgreSQL. The binary collation
makes MySQL agree with the other backends; they are left alone.

Revision ID: 3f1c2a7d9e04
Revises: ba60c83b6edf
Create Date: 2026-11-21 22:40:00
"""

from alembic import op
from sqlalchemy.dialects import mysql

# revision identifiers, used by Alembic.
revision = '3f1c2a7d9e04'
down_revision = 'ba60c83b6edf'
branch_labels = None
depends_on = None

_EXACT = mysql.VARCHAR(255, collation='utf8mb4_bin')


def upgrade():
    """Give the name and project id columns a binary collation on MySQL."""
    if op.get_bind().dialect.name != 'mysql':
        return
    for table, column in (('groups', 'name'),
                          ('group_members', 'project_id'),
                          ('group_servers', 'project_id')):
        op.alter_column(table, column, type_=_EXACT, existing_nullable=False)
