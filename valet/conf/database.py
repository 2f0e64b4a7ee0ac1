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

The options themselves belong to oslo.db and are listed for the sample
config under its own ``oslo.db`` namespace, so ``list_opts`` adds none.
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


def register_opts(conf):
    """Register oslo.db's ``[database]`` options on conf."""
    db_options.set_defaults(conf, connection=DEFAULT_CONNECTION)
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
    """Valet adds no options of its own to ``[database]``."""
    return {}
