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

"""Schema migrations of Valet's database (alembic).

The schema is changed only by the revisions in ``migrations/versions``;
``valet-manage db sync`` applies them and ``valet-status upgrade check``
tells whether a database is at the latest one. There are no downgrades:
restore a backup to go back.
"""

import os

from alembic import command
from alembic import config as alembic_config
from alembic import migration as alembic_migration
from alembic import script as alembic_script

from valet.db import api

MIGRATIONS_DIR = os.path.join(os.path.dirname(__file__), 'migrations')


def alembic_config_for(connection=None):
    """Return an alembic Config for Valet's migrations.

    With a connection, the migrations run on it (inside its transaction);
    without one, env.py builds an engine from Valet's configuration files
    (the ``alembic`` command line, used when writing a revision).
    """
    config = alembic_config.Config()
    config.set_main_option('script_location', MIGRATIONS_DIR)
    if connection is not None:
        config.attributes['connection'] = connection
    return config


def _engine(conf):
    if not api.context_manager.is_started:
        api.configure(conf)
    return api.get_engine()


def head():
    """Return the latest revision of the migration scripts."""
    scripts = alembic_script.ScriptDirectory.from_config(alembic_config_for())
    return scripts.get_current_head()


def revisions():
    """Return every revision id, oldest first."""
    scripts = alembic_script.ScriptDirectory.from_config(alembic_config_for())
    return [rev.revision for rev in reversed(list(scripts.walk_revisions()))]


def upgrade(conf, revision='head'):
    """Upgrade the database configured in conf to revision (in one go).

    Raises ``alembic.util.CommandError`` for a revision that does not
    exist or lies behind the database's current one.
    """
    with _engine(conf).begin() as connection:
        command.upgrade(alembic_config_for(connection), revision)


def version(conf):
    """Return the database's current revision (None if never synced)."""
    with _engine(conf).connect() as connection:
        context = alembic_migration.MigrationContext.configure(connection)
        return context.get_current_revision()
