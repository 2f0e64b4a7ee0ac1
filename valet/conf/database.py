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

from oslo_db import options as db_options

# The embedded default (all-in-one, trying Valet out) is a SQLite file;
# production deployments point this at MySQL/MariaDB or PostgreSQL.
DEFAULT_CONNECTION = 'sqlite:////var/lib/valet/valet.sqlite'


def register_opts(conf):
    """Register oslo.db's ``[database]`` options on conf."""
    db_options.set_defaults(conf, connection=DEFAULT_CONNECTION)


def list_opts():
    """Valet adds no options of its own to ``[database]``."""
    return {}
