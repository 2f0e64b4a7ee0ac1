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

"""The database backend of ``/healthcheck`` (an oslo.middleware plugin).

oslo.middleware's healthcheck answers 200 as long as the process runs;
its ``[healthcheck] backends`` plugins add what the service needs to
work. Valet enables this one by default (see :mod:`valet.conf.api`): with
the database down, every API call answers 503, so ``/healthcheck`` says
503 too and a load balancer stops sending requests here.
"""

from oslo_log import log as logging
from oslo_middleware.healthcheck import pluginbase
import sqlalchemy as sa

from valet.db import api as db_api

LOG = logging.getLogger(__name__)

# The name of the plugin in the oslo.middleware.healthcheck namespace.
DATABASE_BACKEND = 'valet_database'


class DatabaseHealthcheck(pluginbase.HealthcheckBaseExtension):
    """Available when the database answers ``SELECT 1``."""

    def healthcheck(self, server_port):
        """Run one trivial query on the API's database engine."""
        try:
            with db_api.get_engine().connect() as connection:
                connection.execute(sa.text('SELECT 1'))
        except Exception as error:
            # Whatever the failure, the API cannot serve: report it
            # without details (they may name hosts), log it with them.
            LOG.warning('Healthcheck: the database is unavailable: %s',
                        error)
            return pluginbase.HealthcheckResult(
                available=False, reason='The database is unavailable.',
                details=type(error).__name__)
        return pluginbase.HealthcheckResult(
            available=True, reason='The database answers.')
