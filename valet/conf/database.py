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

"""The ``[database]`` option group: oslo.db's options with Valet's defaults.

oslo.db's options are listed for the sample config under its own
``oslo.db`` namespace; ``list_opts`` adds the one option of Valet's own,
``server_timeout``, which oslo.db has no equivalent of (its
``pool_timeout`` bounds the wait for a free pooled connection, not for the
database server).
"""

from oslo_config import cfg
from oslo_db import options as db_options

# The embedded default (all-in-one, trying Valet out) is a SQLite file;
# production deployments point this at MySQL/MariaDB or PostgreSQL.
DEFAULT_CONNECTION = 'sqlite:////var/lib/valet/valet.sqlite'

# oslo.db tries to reach the database max_retries times, retry_interval
# seconds apart, every time a process starts its engine -- and valet-api
# starts it on the first request after the database was down. With the
# library's 10 x 10 s an API call would hang for minutes before its 503:
# a few quick tries instead.
DEFAULT_MAX_RETRIES = 3
DEFAULT_RETRY_INTERVAL = 1

# Without driver timeouts a paused database process, or a port that
# accepts connections and never answers, holds a request for ever.
server_timeout_opt = cfg.IntOpt(
    'server_timeout',
    default=10,
    min=0,
    help='Seconds that Valet waits for the database server: to connect, '
         'and for each answer or write once connected. Past it the '
         'request fails with 503 (a call may take a few times this '
         'value: oslo.db reconnects once, and retries max_retries times '
         'when the engine starts). It sets the driver\'s own timeouts '
         'when the connection URL does not name them: connect_timeout, '
         'read_timeout and write_timeout of PyMySQL; connect_timeout of '
         'psycopg2, which also bounds each wait for the server, since '
         'neither statement_timeout nor TCP keepalives bound a paused '
         'server; the busy timeout of SQLite. 0 leaves the drivers\' '
         'defaults, some of which wait for ever.')


def register_opts(conf):
    """Register oslo.db's ``[database]`` options and Valet's own on conf."""
    db_options.set_defaults(conf, connection=DEFAULT_CONNECTION)
    conf.register_opt(server_timeout_opt, group='database')
    conf.set_default('max_retries', DEFAULT_MAX_RETRIES, group='database')
    conf.set_default('retry_interval', DEFAULT_RETRY_INTERVAL,
                     group='database')


def set_library_defaults():
    """Show Valet's ``[database]`` defaults in the sample config.

    For oslo-config-generator only (see ``valet.conf.opts``): it changes
    oslo.db's option objects themselves.
    """
    cfg.set_defaults(db_options.database_opts,
                     connection=DEFAULT_CONNECTION,
                     max_retries=DEFAULT_MAX_RETRIES,
                     retry_interval=DEFAULT_RETRY_INTERVAL)


def list_opts():
    """Return Valet's own ``[database]`` option (oslo.db lists its own)."""
    return {'database': [server_timeout_opt]}
