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

"""``valet-manage``: database maintenance and offline planning.

Sub-commands (``oslo.config`` sub-command option, as placement-manage)::

    valet-manage db sync [VERSION]   upgrade the schema (default: head)
    valet-manage db version          print the schema's current revision
    valet-manage plan ...            place a Heat template offline
                                     (valet/cmd/plan.py)

Exit codes: 0 success, 1 failure (e.g. the database is unreachable),
2 bad usage or input, with a message on stderr.
"""

import sys

from oslo_config import cfg
from oslo_log import log as logging
import pbr.version

from valet.cmd import plan as plan_cmd

LOG = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2


def _error(message):
    sys.stderr.write('valet-manage: %s\n' % message)


# The database commands import alembic, oslo.db and SQLAlchemy when they
# run: "valet-manage plan" and "--help" are run many times by people and
# scripts, and need none of them (as nova-manage imports per command).

def _database(conf):
    """Register ``[database]`` and return valet.db.migration."""
    from valet.conf import database as database_conf
    from valet.db import migration

    database_conf.register_opts(conf)
    return migration


def db_sync(conf):
    """Upgrade the database to ``VERSION`` (head when omitted)."""
    from alembic import util as alembic_util

    migration = _database(conf)
    # A migration may rewrite a large table for longer than the bound on
    # one wait for the server that requests get ([database]
    # server_timeout): it must not be cut off half way.
    conf.set_override('server_timeout', 0, group='database')
    revision = conf.command.version
    try:
        migration.upgrade(conf, revision)
    except alembic_util.CommandError as error:
        _error('cannot sync to %r: %s' % (revision, error))
        return EXIT_USAGE
    current = migration.version(conf)
    LOG.info('Database schema is at revision %s', current)
    return EXIT_OK


def db_version(conf):
    """Print the database's schema revision ("None" if never synced)."""
    print(_database(conf).version(conf))
    return EXIT_OK


def _run_db_command(conf):
    """Run a ``db`` sub-command; map database errors to exit codes."""
    from oslo_db import exception as db_exc

    from valet import exception

    logging.setup(conf, 'valet')
    try:
        return conf.command.func(conf)
    except exception.ServiceUnavailable as error:
        _error(error.message)
        return EXIT_FAILURE
    except (db_exc.DBError, db_exc.CantStartEngineError) as error:
        LOG.debug('valet-manage %s failed', conf.command.name, exc_info=True)
        _error('database error: %s' % error)
        return EXIT_FAILURE


def plan(conf):
    """Run ``valet-manage plan`` (implemented by valet/cmd/plan.py)."""
    return plan_cmd.run(conf, conf.command)


def add_command_parsers(subparsers):
    """Build the ``db`` and ``plan`` sub-command parsers."""
    subparsers.required = True

    db = subparsers.add_parser('db', help='Database schema commands.')
    db_commands = db.add_subparsers(dest='db_command',
                                    title='database commands')
    db_commands.required = True

    sync = db_commands.add_parser(
        'sync', help='Upgrade the database schema.',
        description='Upgrade the database schema to VERSION (default: '
                    'the latest). Downgrades are not supported.')
    sync.add_argument('version', nargs='?', default='head',
                      help='Alembic revision to upgrade to.')
    sync.set_defaults(func=db_sync, runner=_run_db_command)

    version = db_commands.add_parser(
        'version', help='Print the database schema revision.')
    version.set_defaults(func=db_version, runner=_run_db_command)

    plan_cmd.add_parser(subparsers).set_defaults(func=plan,
                                                 runner=_run_plan)
    _add_all_in_one(subparsers)


def all_in_one(conf):
    """Run ``valet-manage all-in-one`` (valet/cmd/allinone.py)."""
    from valet.cmd import allinone

    return allinone.run(conf.command)


def _add_all_in_one(subparsers):
    # Its parser is light; the services it starts are imported on run.
    from valet.cmd import allinone

    allinone.add_parser(subparsers).set_defaults(func=all_in_one,
                                                 runner=_run_plan)


def _run_plan(conf):
    """Run ``plan``: it reports its own errors, and logs nothing."""
    return conf.command.func(conf)


def build_conf(argv):
    """Return a ConfigOpts holding the parsed argv.

    Only the options every command may read are registered here: oslo.log's
    (``--debug``, ``--log-file``...) and ``[engine]`` (what ``plan``
    reads); the ``db`` commands add ``[database]`` when they run.
    """
    conf = cfg.ConfigOpts()
    logging.register_options(conf)
    plan_cmd.register_opts(conf)
    conf.register_cli_opt(cfg.SubCommandOpt(
        'command', title='Commands', help='Available commands',
        handler=add_command_parsers))
    conf(argv, project='valet',
         version=pbr.version.VersionInfo('valet').version_string())
    return conf


def run(conf):
    """Run the parsed sub-command; return the process exit code."""
    return conf.command.runner(conf)


def main(argv=None):
    """Console script ``valet-manage``."""
    argv = sys.argv[1:] if argv is None else argv
    try:
        conf = build_conf(argv)
    except cfg.Error as error:
        # Unreadable or missing config files, bad option values.
        _error(error)
        return EXIT_USAGE
    return run(conf)
