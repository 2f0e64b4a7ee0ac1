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

"""Finding one row by its id or by a second key, alike on every backend.

The API lets a plan be named by its id or its stack id, a placement by its
id or its orchestration id. An id match wins. MySQL compares the id
columns without case, so the database's candidates are filtered again in
Python: every backend finds the same row.
"""

import sqlalchemy as sa


def is_lookup_key(value):
    """True if value could be a stored id or key (so worth a query)."""
    # NUL: PostgreSQL refuses it even in a WHERE clause.
    return isinstance(value, str) and bool(value) and '\x00' not in value


def find_row(ctx, table, alternate, value, for_update=False):
    """Return the row of ``table`` (a dict) whose id or ``alternate`` is
    ``value``, the id match first; None when there is none.

    ``ctx.session`` must be open (a reader or writer function's).
    """
    if not is_lookup_key(value):
        return None
    query = sa.select(table).where(sa.or_(table.c.id == value,
                                          table.c[alternate] == value))
    if for_update:
        query = query.with_for_update()
    rows = [dict(row) for row in ctx.session.execute(query).mappings()
            if value in (row['id'], row[alternate])]
    rows.sort(key=lambda row: row['id'] != value)
    return rows[0] if rows else None
