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

"""The group function tests, run on MySQL/MariaDB and PostgreSQL."""

from valet.tests.fixtures import database
from valet.tests.unit.db import test_groups


class _RealBackendMixin:
    BACKEND = None

    def database_fixture(self):
        backend = database.opportunistic_backend(self, self.BACKEND)
        url = self.useFixture(database.ProvisionedDatabase(backend)).url
        return database.Database(url)


class MySQLGroupsTestCase(_RealBackendMixin, test_groups.GroupsTestCase):
    BACKEND = 'mysql'


class PostgreSQLGroupsTestCase(_RealBackendMixin,
                               test_groups.GroupsTestCase):
    BACKEND = 'postgresql'
