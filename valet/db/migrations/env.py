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

"""Alembic environment: migrations run on the enginefacade's connection."""

from alembic import context
from oslo_config import cfg

import valet.conf
from valet.db import api
from valet.db import models


def _run(connection):
    context.configure(
        connection=connection,
        target_metadata=models.Base.metadata,
        # SQLite alters tables by copying them: let autogenerate write
        # revisions that work there as well.
        render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    """Run the migrations on the caller's connection or a configured one."""
    connection = context.config.attributes.get('connection')
    if connection is not None:
        _run(connection)
        return
    # The alembic command line: read Valet's usual configuration files.
    conf = cfg.ConfigOpts()
    valet.conf.register_opts(conf)
    conf([], project='valet')
    api.configure(conf)
    with api.get_engine().begin() as connection:
        _run(connection)


if context.is_offline_mode():
    raise SystemExit('Offline (SQL script) migrations are not supported.')
run_migrations_online()
