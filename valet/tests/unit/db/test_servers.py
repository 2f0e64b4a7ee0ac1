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

"""Tests of the server life cycle (valet/db/servers.py).

After every step the hosts' usage is checked against the sum of what the
placements and unplanned servers hold. The same tests run on MySQL/MariaDB
and PostgreSQL from valet/tests/functional/db/test_servers.py.
"""

from oslo_utils import timeutils
from oslo_utils import uuidutils
import sqlalchemy as sa

from valet import context
from valet.db import hosts as db_hosts
from valet.db import models
from valet.db import placements as db_placements
from valet.db import servers
from valet.tests import base
from valet.tests.fixtures import database
from valet.tests.fixtures import records

RACKS = records.RACKS
SMALL = records.SMALL
LARGE = records.LARGE
ZERO = records.ZERO
demand = records.demand


class ServersTestCase(base.TestCase):
    """The life cycle on a database of the test's own."""

    def database_fixture(self):
        """Return the database fixture; subclasses pick other backends."""
        return database.Database()

    def setUp(self):
        super().setUp()
        self.db = self.useFixture(self.database_fixture())
        self.ctx = context.RequestContext(config=self.conf)
        db_hosts.sync_hosts(self.ctx, RACKS)
        self.uuid = uuidutils.generate_uuid()

    def usage(self):
        """Check the hosts' usage against the records, and return it."""
        table = records.host_usage(self.ctx)
        recorded = records.recorded_usage(self.db.engine)
        for host in set(table) | set(recorded):
            self.assertEqual(recorded.get(host, ZERO),
                             table.get(host, ZERO), 'usage of %s' % host)
        return {host: sizes for host, sizes in table.items()
                if sizes != ZERO}

    def placement(self, orchestration_id):
        with self.db.engine.connect() as conn:
            p = models.Placement.__table__
            return dict(conn.execute(sa.select(p).where(
                p.c.orchestration_id == orchestration_id)).mappings().one())

    def unplanned(self, uuid=None):
        return records.unplanned_row(self.db.engine, uuid or self.uuid)

    def where(self, orchestration_id):
        row = self.placement(orchestration_id)
        return row['state'], row['location']

    def generations(self):
        return db_hosts.generations(self.ctx)

    def reserved(self, host='h1', flavor=SMALL, uuid=None, **kwargs):
        """A placement on host reserved for server uuid (self.uuid)."""
        orchestration_id = records.seed_plan(self.ctx, [host], flavor,
                                             **kwargs)[0]
        db_placements.reserve(self.ctx, orchestration_id, uuid or self.uuid)
        return orchestration_id

    def set_changed_at(self, when):
        records.set_changed_at(self.db.engine, when)


class ServerLifeCycleTest(ServersTestCase):

    # server_active

    def test_create_end_activates_the_reserved_placement(self):
        placement = self.reserved()
        before = self.generations()
        self.assertEqual('activated', servers.server_active(
            self.ctx, self.uuid, 'h1', SMALL, 'p1'))
        self.assertEqual(('active', 'h1'), self.where(placement))
        self.assertEqual({'h1': demand(SMALL)}, self.usage())
        # The capacity was already held: no engine needs to look again.
        self.assertEqual(before, self.generations())
        self.assertIsNone(self.unplanned())

    def test_create_end_on_another_host_moves_capacity_and_groups(self):
        with self.db.engine.begin() as conn:
            conn.execute(sa.insert(models.Group.__table__).values(
                id='g1', name='web', type='affinity', level='host',
                generation=0, created_at=timeutils.utcnow()))
        placement = self.reserved(group_ids=['g1'])
        before = self.generations()
        self.assertEqual('moved', servers.server_active(
            self.ctx, self.uuid, 'h3', SMALL))
        row = self.placement(placement)
        self.assertEqual(('moved', 'h3', 'r2'),
                         (row['state'], row['location'], row['rack']))
        self.assertEqual({'h3': demand(SMALL)}, self.usage())
        after = self.generations()
        self.assertEqual((before['h1'] + 1, before['h2'], before['h3'] + 1),
                         (after['h1'], after['h2'], after['h3']))
        with self.db.engine.connect() as conn:
            self.assertEqual(['h3'], conn.scalars(sa.select(
                models.GroupServer.host)).all())

    def test_create_end_with_another_flavor_takes_nova_sizes(self):
        placement = self.reserved()
        self.assertEqual('resized', servers.server_active(
            self.ctx, self.uuid, 'h1', LARGE))
        row = self.placement(placement)
        self.assertEqual(('active', 'm1.large', demand(LARGE)),
                         (row['state'], row['flavor'],
                          db_hosts.demand_of(row)))
        self.assertEqual({'h1': demand(LARGE)}, self.usage())

    def test_duplicate_create_end_changes_nothing(self):
        placement = self.reserved()
        servers.server_active(self.ctx, self.uuid, 'h1', SMALL)
        before = self.generations()
        changed_at = self.placement(placement)['updated_at']
        for host in ('h1', 'h2'):
            self.assertEqual('unchanged', servers.server_active(
                self.ctx, self.uuid, host, SMALL))
        self.assertEqual(before, self.generations())
        self.assertEqual(changed_at, self.placement(placement)['updated_at'])
        self.assertEqual({'h1': demand(SMALL)}, self.usage())

    def test_unplanned_server_is_recorded_once(self):
        self.assertEqual('recorded', servers.server_active(
            self.ctx, self.uuid, 'h2', SMALL, 'p9'))
        before = self.generations()
        self.assertEqual('unchanged', servers.server_active(
            self.ctx, self.uuid, 'h2', SMALL, 'p9'))
        self.assertEqual(before, self.generations())
        row = self.unplanned()
        self.assertEqual(('active', 'h2', 'p9', 'm1.small'),
                         (row['state'], row['host'], row['project_id'],
                          row['flavor']))
        self.assertEqual({'h2': demand(SMALL)}, self.usage())

    def test_unplanned_server_on_an_unknown_host_gives_it_a_row(self):
        servers.server_active(self.ctx, self.uuid, 'h9', SMALL)
        self.assertEqual({'h9': demand(SMALL)}, self.usage())
        self.assertEqual('', db_hosts.usage(self.ctx)['h9']['rack'])

    # server_deleted

    def test_delete_releases_a_placement_and_leaves_a_tombstone(self):
        placement = self.reserved(group_ids=())
        servers.server_active(self.ctx, self.uuid, 'h1', SMALL)
        self.assertEqual('deleted',
                         servers.server_deleted(self.ctx, self.uuid))
        self.assertEqual(('deleted', 'h1'), self.where(placement))
        self.assertFalse(self.placement(placement)['reserved'])
        self.assertEqual({}, self.usage())
        self.assertEqual('deleted', self.unplanned()['state'])
        before = self.generations()
        self.assertEqual('unchanged',
                         servers.server_deleted(self.ctx, self.uuid))
        self.assertEqual(before, self.generations())

    def test_delete_releases_an_unplanned_server(self):
        servers.server_active(self.ctx, self.uuid, 'h2', SMALL)
        self.assertEqual('deleted',
                         servers.server_deleted(self.ctx, self.uuid))
        self.assertEqual('deleted', self.unplanned()['state'])
        self.assertEqual({}, self.usage())

    def test_delete_before_create_of_an_unknown_server(self):
        self.assertEqual('tombstoned',
                         servers.server_deleted(self.ctx, self.uuid))
        before = self.generations()
        self.assertEqual('ignored', servers.server_active(
            self.ctx, self.uuid, 'h1', SMALL))
        self.assertEqual('ignored', servers.server_moved(
            self.ctx, self.uuid, 'h2', SMALL))
        self.assertEqual('unchanged',
                         servers.server_deleted(self.ctx, self.uuid))
        self.assertEqual(before, self.generations())
        self.assertEqual('deleted', self.unplanned()['state'])
        self.assertEqual({}, self.usage())

    def test_delete_before_create_of_a_reserved_placement(self):
        placement = self.reserved()
        self.assertEqual('deleted',
                         servers.server_deleted(self.ctx, self.uuid))
        self.assertEqual({}, self.usage())
        self.assertEqual('ignored', servers.server_active(
            self.ctx, self.uuid, 'h1', SMALL))
        self.assertEqual(('deleted', 'h1'), self.where(placement))
        self.assertEqual({}, self.usage())

    def test_tombstone_outlives_a_new_reservation_of_the_placement(self):
        placement = self.reserved()
        servers.server_deleted(self.ctx, self.uuid)
        # Heat builds the server again: the placement is reserved anew.
        other = uuidutils.generate_uuid()
        db_placements.reserve(self.ctx, placement, other)
        self.assertEqual('ignored', servers.server_active(
            self.ctx, self.uuid, 'h1', SMALL))
        self.assertEqual('activated', servers.server_active(
            self.ctx, other, 'h1', SMALL))
        self.assertEqual({'h1': demand(SMALL)}, self.usage())

    # server_moved

    def test_migrate_twice(self):
        placement = self.reserved()
        servers.server_active(self.ctx, self.uuid, 'h1', SMALL)
        self.assertEqual('moved', servers.server_moved(
            self.ctx, self.uuid, 'h2'))
        self.assertEqual({'h2': demand(SMALL)}, self.usage())
        self.assertEqual('moved', servers.server_moved(
            self.ctx, self.uuid, 'h3', SMALL))
        self.assertEqual(('moved', 'h3'), self.where(placement))
        self.assertEqual({'h3': demand(SMALL)}, self.usage())
        before = self.generations()
        self.assertEqual('unchanged', servers.server_moved(
            self.ctx, self.uuid, 'h3'))
        self.assertEqual(before, self.generations())
        # Back on its planned host it is still "moved": it left once.
        servers.server_moved(self.ctx, self.uuid, 'h1')
        self.assertEqual(('moved', 'h1'), self.where(placement))
        self.assertEqual({'h1': demand(SMALL)}, self.usage())

    def test_late_create_end_does_not_undo_a_migration(self):
        placement = self.reserved()
        servers.server_active(self.ctx, self.uuid, 'h1', SMALL)
        servers.server_moved(self.ctx, self.uuid, 'h2')
        self.assertEqual('unchanged', servers.server_active(
            self.ctx, self.uuid, 'h1', SMALL))
        self.assertEqual(('moved', 'h2'), self.where(placement))
        self.assertEqual({'h2': demand(SMALL)}, self.usage())

    def test_move_before_create_end(self):
        placement = self.reserved()
        self.assertEqual('moved', servers.server_moved(
            self.ctx, self.uuid, 'h2'))
        self.assertEqual('unchanged', servers.server_active(
            self.ctx, self.uuid, 'h1', SMALL))
        self.assertEqual(('moved', 'h2'), self.where(placement))
        self.assertEqual({'h2': demand(SMALL)}, self.usage())

    def test_move_of_an_unplanned_server(self):
        servers.server_active(self.ctx, self.uuid, 'h1', SMALL)
        self.assertEqual('moved', servers.server_moved(
            self.ctx, self.uuid, 'h3'))
        self.assertEqual(('active', 'h3'), (self.unplanned()['state'],
                                            self.unplanned()['host']))
        self.assertEqual({'h3': demand(SMALL)}, self.usage())

    def test_move_of_an_unknown_server(self):
        before = self.generations()
        self.assertEqual('unknown', servers.server_moved(
            self.ctx, self.uuid, 'h2'))
        self.assertEqual(before, self.generations())
        self.assertIsNone(self.unplanned())
        self.assertEqual('recorded', servers.server_moved(
            self.ctx, self.uuid, 'h2', SMALL, 'p1'))
        self.assertEqual({'h2': demand(SMALL)}, self.usage())

    # shelve offload and unshelve

    def test_offload_keeps_the_placement_and_releases_capacity(self):
        placement = self.reserved()
        servers.server_active(self.ctx, self.uuid, 'h1', SMALL)
        self.assertEqual('offloaded', servers.server_moved(
            self.ctx, self.uuid, None))
        self.assertEqual(('shelved', 'h1'), self.where(placement))
        self.assertEqual({}, self.usage())
        before = self.generations()
        self.assertEqual('unchanged', servers.server_moved(
            self.ctx, self.uuid, None))
        # A late create.end does not unshelve it either.
        self.assertEqual('unchanged', servers.server_active(
            self.ctx, self.uuid, 'h1', SMALL))
        self.assertEqual(before, self.generations())
        self.assertEqual('activated', servers.server_moved(
            self.ctx, self.uuid, 'h1', SMALL))
        self.assertEqual(('active', 'h1'), self.where(placement))
        self.assertEqual({'h1': demand(SMALL)}, self.usage())
        servers.server_moved(self.ctx, self.uuid, None)
        self.assertEqual('activated', servers.server_moved(
            self.ctx, self.uuid, 'h3', SMALL))
        self.assertEqual(('moved', 'h3'), self.where(placement))
        self.assertEqual({'h3': demand(SMALL)}, self.usage())

    def test_offload_of_unplanned_unknown_and_deleted_servers(self):
        servers.server_active(self.ctx, self.uuid, 'h1', SMALL)
        self.assertEqual('offloaded', servers.server_moved(
            self.ctx, self.uuid, None))
        self.assertEqual('shelved', self.unplanned()['state'])
        self.assertEqual({}, self.usage())
        self.assertEqual('activated', servers.server_moved(
            self.ctx, self.uuid, 'h1'))
        self.assertEqual({'h1': demand(SMALL)}, self.usage())
        other = uuidutils.generate_uuid()
        self.assertEqual('unknown',
                         servers.server_moved(self.ctx, other, None))
        servers.server_deleted(self.ctx, other)
        self.assertEqual('ignored',
                         servers.server_moved(self.ctx, other, None))

    def test_delete_of_a_shelved_server(self):
        placement = self.reserved()
        servers.server_active(self.ctx, self.uuid, 'h1', SMALL)
        servers.server_moved(self.ctx, self.uuid, None)
        self.assertEqual('deleted',
                         servers.server_deleted(self.ctx, self.uuid))
        self.assertEqual(('deleted', 'h1'), self.where(placement))
        self.assertEqual({}, self.usage())

    # server_resized

    def test_resize_confirmed_on_the_same_and_another_host(self):
        placement = self.reserved()
        servers.server_active(self.ctx, self.uuid, 'h1', SMALL)
        self.assertEqual('resized', servers.server_resized(
            self.ctx, self.uuid, 'h1', LARGE))
        self.assertEqual({'h1': demand(LARGE)}, self.usage())
        self.assertEqual('m1.large', self.placement(placement)['flavor'])
        self.assertEqual('moved', servers.server_resized(
            self.ctx, self.uuid, 'h2', SMALL))
        self.assertEqual({'h2': demand(SMALL)}, self.usage())
        self.assertEqual('unchanged', servers.server_resized(
            self.ctx, self.uuid, 'h2', SMALL))

    # bad input

    def test_bad_arguments_name_the_field(self):
        cases = [
            (servers.server_active, ('', 'h1', SMALL), 'resource_id'),
            (servers.server_active, (self.uuid, None, SMALL), 'host'),
            (servers.server_active, (self.uuid, 'h' * 256, SMALL), 'host'),
            (servers.server_active, (self.uuid, 'h1', None), 'flavor'),
            (servers.server_active, (self.uuid, 'h1', dict(SMALL, vcpus=-1)),
             'flavor.vcpus'),
            (servers.server_active,
             (self.uuid, 'h1', dict(SMALL, ram_mb=True)), 'flavor.ram_mb'),
            (servers.server_active,
             (self.uuid, 'h1', dict(SMALL, disk_gb=2 ** 31)),
             'flavor.disk_gb'),
            (servers.server_active, (self.uuid, 'h1', dict(SMALL, name=3)),
             'flavor.name'),
            (servers.server_active, (self.uuid, 'h1', SMALL, ''),
             'project_id'),
            (servers.server_moved, (self.uuid, 7), 'host'),
            (servers.server_resized, (self.uuid, 'h1', None), 'flavor'),
            (servers.server_deleted, (None,), 'resource_id'),
            (servers.reconcile, ([],), 'servers'),
            (servers.reconcile, ({self.uuid: ('h1', SMALL)},),
             'servers[%r]' % self.uuid),
            (servers.reconcile, ({self.uuid: ('', SMALL, None)},),
             'servers[%r].host' % self.uuid),
            (servers.reconcile, ({self.uuid: ('h1', {}, None)},),
             'servers[%r].flavor.vcpus' % self.uuid),
        ]
        for function, args, field in cases:
            with self.subTest(function=function.__name__, field=field):
                error = self.assertRaises(ValueError, function, self.ctx,
                                          *args)
                self.assertTrue(str(error).startswith(field + ' must'),
                                str(error))
        self.assertEqual({}, self.usage())
        self.assertIsNone(self.unplanned())
