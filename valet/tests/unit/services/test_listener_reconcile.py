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

"""The listener's reconcile with the servers a topology source lists."""

from oslo_utils import timeutils

from valet.db import hosts as db_hosts
from valet.db import servers as db_servers
from valet.listener import reconcile
from valet.optimizer.model import datacenter as dc_model
from valet.tests import base
from valet.tests.fixtures import records
from valet.tests.unit.db import test_servers
from valet.topology import static

TOPOLOGY = {
    'name': 'dc',
    'flavors': {'m1.small': {'vcpus': 1, 'ram_mb': 2048, 'disk_gb': 20},
                'm1.large': {'vcpus': 4, 'ram_mb': 8192, 'root_gb': 60,
                             'ephemeral_gb': 10, 'swap': 2048}},
    'hosts': [{'name': name, 'rack': rack, 'vcpus': 64, 'ram_mb': 262144,
               'disk_gb': 4000}
              for name, rack in sorted(records.RACKS.items())],
}
LARGE = {'name': None, 'vcpus': 4, 'ram_mb': 8192, 'disk_gb': 72}
SMALL = {'name': None, 'vcpus': 1, 'ram_mb': 2048, 'disk_gb': 20}


class FakeSource(object):
    """A topology source listing the servers of ``running``."""

    def __init__(self, conf):
        self.conf = conf
        self.running = []
        self.loads = 0

    def load(self):
        self.loads += 1
        existing = {'servers': [{'id': uuid, 'host': host, 'flavor': flavor}
                                for uuid, host, flavor in self.running]}
        return static.datacenter_from_documents(self.conf, TOPOLOGY,
                                                existing)


class RunningServersTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.source = FakeSource(self.conf)
        self.source.running = [('u1', 'h1', 'm1.small'),
                               ('u2', 'h3', 'm1.large')]

    def test_servers_and_racks_of_a_data_center(self):
        dc = self.source.load()
        self.assertEqual({'u1': ('h1', SMALL, None),
                          'u2': ('h3', LARGE, None)},
                         reconcile.running_servers(dc))
        self.assertEqual(records.RACKS, reconcile.racks_of(dc))

    def test_flavor_names_and_projects_when_the_source_gives_them(self):
        for names in (['m1.small', 'm1.large'],
                      [dc_model.Flavor('m1.small', 1, 2048, 20),
                       dc_model.Flavor('m1.large', 4, 8192, 72)],
                      [1, 0]):
            with self.subTest(names=names):
                dc = self.source.load()
                dc.server_flavor = names
                dc.flavor_names = ['m1.large', 'm1.small']
                dc.server_project = ['p1', 'p2']
                self.assertEqual(
                    {'u1': ('h1', dict(SMALL, name='m1.small'), 'p1'),
                     'u2': ('h3', dict(LARGE, name='m1.large'), 'p2')},
                    reconcile.running_servers(dc))

    def test_no_servers(self):
        self.source.running = []
        self.assertEqual({}, reconcile.running_servers(self.source.load()))


class ReconcilerTest(test_servers.ServersTestCase):

    def setUp(self):
        super().setUp()
        self.source = FakeSource(self.conf)
        self.reconciler = reconcile.Reconciler(self.conf, self.source)

    def test_run_repairs_the_records(self):
        placement = self.reserved('h1', uuid='u1')
        db_servers.server_active(self.ctx, 'u1', 'h1', records.SMALL)
        db_servers.server_active(self.ctx, 'gone', 'h2', records.SMALL)
        self.set_changed_at(self.changed_long_ago())
        self.source.running = [('u1', 'h2', 'm1.small'),
                               ('new', 'h3', 'm1.large')]
        self.assertEqual({'moved': 1, 'resized': 0, 'activated': 0,
                          'deleted': 1, 'added': 1},
                         self.reconciler.run(self.ctx))
        self.assertEqual(('moved', 'h2'), self.where(placement))
        self.assertEqual('deleted', self.unplanned('gone')['state'])
        self.assertEqual({'h2': (1, 2048, 20), 'h3': (4, 8192, 72)},
                         self.usage())
        self.assertEqual(dict.fromkeys(db_servers.REPAIRS, 0),
                         self.reconciler.run(self.ctx))

    def test_run_registers_the_hosts_and_their_racks(self):
        db_hosts.sync_hosts(self.ctx, {'h1': 'old-rack'})
        self.reconciler.run(self.ctx)
        self.assertEqual('r1', db_hosts.usage(self.ctx)['h1']['rack'])

    def test_records_changed_during_the_listing_are_left_alone(self):
        # A server created while Nova was listing its servers.
        db_servers.server_active(self.ctx, self.uuid, 'h1',
                                 records.SMALL)
        self.assertEqual(dict.fromkeys(db_servers.REPAIRS, 0),
                         self.reconciler.run(self.ctx))
        self.assertEqual('active', self.unplanned()['state'])

    def changed_long_ago(self):
        return timeutils.utcnow() - 10 * db_servers.RECONCILE_MARGIN

    def test_static_source_lists_no_servers_and_is_not_run(self):
        db_servers.server_active(self.ctx, self.uuid, 'h1',
                                 records.SMALL)
        self.flags(topology_driver='static', group='engine')
        reconciler = reconcile.Reconciler(self.conf)
        self.assertFalse(reconciler.enabled)
        self.assertIsNone(reconciler.run(self.ctx))
        self.assertEqual('active', self.unplanned()['state'])
        self.flags(topology_driver='nova', group='engine')
        self.assertTrue(reconcile.Reconciler(self.conf).enabled)


class PeriodicReconcileTest(base.TestCase):
    """Running it: valet/tests/functional/services/test_listener_service."""

    def test_stop_before_start(self):
        reconcile.PeriodicReconcile(object(), 1).stop()
