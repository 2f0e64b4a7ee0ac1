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

"""Lookups by id, name, stack id or orchestration id are exact.

MySQL/MariaDB's collations ignore trailing spaces in ``=`` (PAD SPACE)
and, for the id columns, case; SQLite and PostgreSQL do neither. These
tests pin the exact behaviour; valet/tests/functional/db/
test_exact_lookups.py runs them on MySQL/MariaDB and PostgreSQL.
"""

from valet import context
from valet.db import groups
from valet.db import hosts as db_hosts
from valet.db import placements as db_placements
from valet.db import plans as db_plans
from valet import exception
from valet.tests import base
from valet.tests.fixtures import database
from valet.tests.fixtures import records

# What a near miss of a key can look like on the wire.
_NEAR_MISSES = (
    lambda key: key + ' ',
    lambda key: key + '  ',
    lambda key: key.upper(),
    lambda key: key.swapcase(),
)


class ExactLookupsTestCase(base.TestCase):
    """Near misses of a stored key are not found, on every backend."""

    def database_fixture(self):
        """Return the database fixture; subclasses pick other backends."""
        return database.Database()

    def setUp(self):
        super().setUp()
        self.db = self.useFixture(self.database_fixture())
        self.ctx = context.RequestContext(config=self.conf)

    def _near_misses(self, key):
        return [miss(key) for miss in _NEAR_MISSES if miss(key) != key]

    def test_group_lookups(self):
        group = groups.create_group(self.ctx, 'web', 'affinity', 'host')
        for key in (group['id'], group['name']):
            for miss in self._near_misses(key):
                self.assertRaises(exception.GroupNotFound,
                                  groups.get_group, self.ctx, miss)
                self.assertRaises(exception.GroupNotFound,
                                  groups.delete_group, self.ctx, miss)
                self.assertRaises(exception.GroupNotFound,
                                  groups.add_members, self.ctx, miss, ['p'])
            self.assertEqual(group, groups.get_group(self.ctx, key))
        self.assertEqual([group], groups.list_groups(self.ctx))

    def test_group_list_filter_is_exact(self):
        groups.create_group(self.ctx, 'web', 'affinity', 'host')
        self.assertEqual(
            [], groups.list_groups(self.ctx, {'name': 'web '}))
        self.assertEqual(
            [], groups.list_groups(self.ctx, {'name': 'WEB'}))

    def test_a_near_miss_finds_its_own_group(self):
        web = groups.create_group(self.ctx, 'web', 'affinity', 'host')
        padded = groups.create_group(self.ctx, 'web ', 'affinity', 'host')
        self.assertEqual(padded, groups.get_group(self.ctx, 'web '))
        self.assertEqual(web, groups.get_group(self.ctx, 'web'))
        groups.delete_group(self.ctx, 'web ')
        self.assertEqual([web], groups.list_groups(self.ctx))

    def test_plan_lookups(self):
        db_hosts.sync_hosts(self.ctx, records.RACKS)
        records.seed_plan(self.ctx, ['h1'])
        plan = db_plans.list_plans(self.ctx)[0]
        for key in (plan['id'], plan['stack_id']):
            for miss in self._near_misses(key):
                self.assertRaises(exception.PlanNotFound,
                                  db_plans.get_plan, self.ctx, miss)
                self.assertRaises(exception.PlanNotFound,
                                  db_plans.delete_plan, self.ctx, miss)
            self.assertEqual(plan['id'],
                             db_plans.get_plan(self.ctx, key)['id'])

    def test_placement_lookups(self):
        db_hosts.sync_hosts(self.ctx, records.RACKS)
        orchestration_id = records.seed_plan(self.ctx, ['h1'])[0]
        placement = db_placements.get_placement(self.ctx, orchestration_id)
        for key in (placement['id'], orchestration_id):
            for miss in self._near_misses(key):
                self.assertRaises(exception.PlacementNotFound,
                                  db_placements.get_placement, self.ctx,
                                  miss)
                self.assertRaises(exception.PlacementNotFound,
                                  db_placements.delete_placement, self.ctx,
                                  miss)
                self.assertRaises(exception.PlacementNotFound,
                                  db_placements.reserve, self.ctx, miss,
                                  'server-uuid')
            self.assertEqual(placement,
                             db_placements.get_placement(self.ctx, key))

    def test_plan_list_filters_are_exact(self):
        db_hosts.sync_hosts(self.ctx, records.RACKS)
        records.seed_plan(self.ctx, ['h1'])
        plan = db_plans.list_plans(self.ctx)[0]
        for field in ('name', 'stack_id'):
            for miss in self._near_misses(plan[field]):
                self.assertEqual([], db_plans.list_plans(
                    self.ctx, filters={field: miss}), (field, miss))
            self.assertEqual([plan], db_plans.list_plans(
                self.ctx, filters={field: plan[field]}))

    def test_placement_list_filters_are_exact(self):
        db_hosts.sync_hosts(self.ctx, records.RACKS)
        orchestration_id = records.seed_plan(self.ctx, ['h1'])[0]
        placement = db_placements.get_placement(self.ctx, orchestration_id)
        for field in ('id', 'name', 'orchestration_id', 'location',
                      'rack', 'state'):
            for miss in self._near_misses(placement[field]):
                self.assertEqual([], db_placements.list_placements(
                    self.ctx, filters={field: miss}), (field, miss))
            self.assertEqual([placement], db_placements.list_placements(
                self.ctx, filters={field: placement[field]}))
