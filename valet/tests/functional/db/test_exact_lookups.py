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

"""The exact lookup tests on MySQL/MariaDB and PostgreSQL.

MariaDB is where they matter: its collations compare "web " equal to
"web" and, for the id columns, ignore case.
"""

from valet.tests.fixtures import database
from valet.tests.unit.db import test_exact_lookups


class _RealBackendMixin:
    BACKEND = None

    def database_fixture(self):
        backend = database.opportunistic_backend(self, self.BACKEND)
        url = self.useFixture(database.ProvisionedDatabase(backend)).url
        return database.Database(url)


class MySQLExactLookupsTestCase(_RealBackendMixin,
                                test_exact_lookups.ExactLookupsTestCase):
    BACKEND = 'mysql'


class PostgreSQLExactLookupsTestCase(
        _RealBackendMixin, test_exact_lookups.ExactLookupsTestCase):
    BACKEND = 'postgresql'
