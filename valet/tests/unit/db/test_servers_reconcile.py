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

"""Tests of the reconcile with Nova (valet.db.servers.reconcile).

The same tests run on MySQL/MariaDB and PostgreSQL from
valet/tests/functional/db/test_servers.py.
"""

import datetime

from oslo_utils import timeutils
from oslo_utils import uuidutils
import sqlalchemy as sa

from valet.db import hosts as db_hosts
from valet.db import models
from valet.db import servers
from valet.tests.fixtures import records
from valet.tests.unit.db import test_servers

SMALL = records.SMALL
LARGE = records.LARGE
demand = records.demand


class ReconcileTest(test_servers.ServersTestCase):

    def test_repairs_every_kind_of_drift(self):
        ids = {name: uuidutils.generate_uuid() for name in (
            'drifted', 'vanished', 'building', 'built', 'lone-moved',
            'lone-gone', 'new', 'new-unsized', 'revived', 'resized')}
        drifted = self.reserved('h1', uuid=ids['drifted'])
        vanished = self.reserved('h1', uuid=ids['vanished'])
        building = self.reserved('h2', uuid=ids['building'])
        built = self.reserved('h2', uuid=ids['built'])
        resized = self.reserved('h3', uuid=ids['resized'])
        for name, host in (('drifted', 'h1'), ('vanished', 'h1'),
                           ('resized', 'h3')):
            servers.server_active(self.ctx, ids[name], host, SMALL)
        servers.server_active(self.ctx, ids['lone-moved'], 'h1', SMALL)
        servers.server_active(self.ctx, ids['lone-gone'], 'h1', SMALL)
        servers.server_deleted(self.ctx, ids['revived'])
        self.usage()

        nova = {ids['drifted']: ('h2', SMALL, 'p1'),
                ids['built']: ('h2', SMALL, 'p1'),
                ids['resized']: ('h3', LARGE, 'p1'),
                ids['lone-moved']: ('h3', SMALL, None),
                ids['new']: ('h1', LARGE, 'p2'),
                ids['new-unsized']: ('h1', None, 'p2'),
                ids['revived']: ('h2', SMALL, 'p3')}
        counts = servers.reconcile(self.ctx, nova)
        self.assertEqual({'moved': 2, 'resized': 1, 'activated': 2,
                          'deleted': 2, 'added': 1}, counts)
        self.assertEqual(('moved', 'h2'), self.where(drifted))
        self.assertEqual(('deleted', 'h1'), self.where(vanished))
        self.assertEqual(('reserved', 'h2'), self.where(building))
        self.assertEqual(('active', 'h2'), self.where(built))
        self.assertEqual(('active', demand(LARGE)), (
            self.placement(resized)['state'],
            db_hosts.demand_of(self.placement(resized))))
        self.assertEqual('h3', self.unplanned(ids['lone-moved'])['host'])
        self.assertEqual('deleted', self.unplanned(ids['lone-gone'])['state'])
        self.assertEqual(('active', 'h1', 'p2'), tuple(
            self.unplanned(ids['new'])[key]
            for key in ('state', 'host', 'project_id')))
        self.assertIsNone(self.unplanned(ids['new-unsized']))
        self.assertEqual(('active', 'h2'), tuple(
            self.unplanned(ids['revived'])[key] for key in ('state', 'host')))
        self.assertEqual({'h1': demand(LARGE),
                          'h2': tuple(4 * x for x in demand(SMALL)),
                          'h3': tuple(a + b for a, b in zip(
                              demand(LARGE), demand(SMALL)))},
                         self.usage())

        before = self.generations()
        self.assertEqual(dict.fromkeys(servers.REPAIRS, 0),
                         servers.reconcile(self.ctx, nova))
        self.assertEqual(before, self.generations())

    def test_records_changed_since_the_list_are_left_alone(self):
        servers.server_active(self.ctx, self.uuid, 'h1', SMALL)
        gone = uuidutils.generate_uuid()
        servers.server_deleted(self.ctx, gone)
        now = timeutils.utcnow()
        # Listed just now: the creation and the deletion may be newer.
        self.assertEqual(dict.fromkeys(servers.REPAIRS, 0),
                         servers.reconcile(self.ctx,
                                           {gone: ('h2', SMALL, None)},
                                           taken_at=now))
        self.assertEqual('active', self.unplanned()['state'])
        self.assertEqual('deleted', self.unplanned(gone)['state'])
        self.assertEqual({'h1': demand(SMALL)}, self.usage())
        # Listed well after both changes: the list knows better.
        later = now + 2 * servers.RECONCILE_MARGIN
        counts = servers.reconcile(self.ctx, {gone: ('h2', SMALL, None)},
                                   taken_at=later)
        self.assertEqual((1, 1), (counts['deleted'], counts['activated']))
        self.assertEqual({'h2': demand(SMALL)}, self.usage())

    def test_old_records_are_fixed_with_a_list_taken_now(self):
        placement = self.reserved()
        servers.server_active(self.ctx, self.uuid, 'h1', SMALL)
        self.set_changed_at(timeutils.utcnow() - datetime.timedelta(hours=1))
        counts = servers.reconcile(self.ctx, {self.uuid: ('h3', SMALL, 'p1')},
                                   taken_at=timeutils.utcnow())
        self.assertEqual(1, counts['moved'])
        self.assertEqual(('moved', 'h3'), self.where(placement))
        self.assertEqual({'h3': demand(SMALL)}, self.usage())

    def test_a_server_recorded_twice_counts_once(self):
        placement = self.reserved()
        servers.server_active(self.ctx, self.uuid, 'h1', SMALL)
        sizes = dict(zip(db_hosts.SIZES, demand(SMALL)))
        hosts = models.Host.__table__
        with self.db.engine.begin() as conn:
            conn.execute(sa.insert(models.UnplannedServer.__table__).values(
                resource_id=self.uuid, host='h1', state='active',
                created_at=timeutils.utcnow(), **sizes))
            conn.execute(sa.update(hosts).where(hosts.c.name == 'h1').values(
                {size: hosts.c[size] + value
                 for size, value in sizes.items()}))
        self.assertEqual({'h1': tuple(2 * x for x in demand(SMALL))},
                         self.usage())
        counts = servers.reconcile(self.ctx,
                                   {self.uuid: ('h1', SMALL, 'p1')})
        self.assertEqual(1, counts['deleted'])
        self.assertEqual(('active', 'h1'), self.where(placement))
        self.assertEqual('deleted', self.unplanned()['state'])

    def test_nothing_recorded_and_nothing_running(self):
        self.assertEqual(dict.fromkeys(servers.REPAIRS, 0),
                         servers.reconcile(self.ctx, {}))
        self.assertEqual({}, self.usage())
