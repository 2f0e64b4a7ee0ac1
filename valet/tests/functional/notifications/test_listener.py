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

"""valet-listener on the real RabbitMQ, recording into a real database.

The listener service runs in-process, on the test's own exchange and
topic; a notifier publishes Nova's own notification samples on it as
Nova does (publisher ``nova-compute:<host>``, driver ``messagingv2``).
After each notification the test checks the placement and the hosts'
usage, summed again from the records, on a SQLite file, MariaDB and
PostgreSQL. A database that is down sends the notification back to the
queue, and RabbitMQ delivers it again once the database is back.
"""

import os
import queue

import fixtures
import kombu
from oslo_config import cfg
import oslo_messaging
from oslo_utils import timeutils
from oslo_utils import uuidutils

import valet.conf
from valet import context
from valet.db import api as db_api
from valet.db import hosts as db_hosts
from valet.db import placements as db_placements
from valet.db import servers as db_servers
from valet import exception
from valet.listener import endpoints
from valet.listener import reconcile
from valet.listener import service as listener_service
from valet.tests import base
from valet.tests.fixtures import database
from valet.tests.fixtures import nova_notifications
from valet.tests.fixtures import records
from valet.tests.functional.notifications import test_rabbit
from valet.tests.unit.services import test_listener_reconcile

WAIT = 60
UUID = nova_notifications.SERVER_UUID
RACKS = {'compute': 'r1', 'host2': 'r2', 'host3': 'r2', 'h1': 'r1',
         'h2': 'r1', 'h3': 'r2'}
# The flavors of Nova's samples, as Valet counts them.
SAMPLE = {'name': 'test_flavor', 'vcpus': 1, 'ram_mb': 512, 'disk_gb': 1}
SAMPLE_USAGE = (1, 512, 1)
RESIZED_USAGE = (1, 2048, 20)
# An address where no database listens.
UNREACHABLE_DB = 'mysql+pymysql://valet:valet@127.0.0.1:9/valet'


class RecordingHandler(endpoints.ServerHandler):
    """The real handler, reporting what each event did on a queue."""

    def __init__(self, conf):
        super().__init__(conf)
        self.outcomes = queue.Queue()

    def instance_event(self, event_type, priority, server):
        try:
            outcome = super().instance_event(event_type, priority, server)
        except Exception as error:
            self.outcomes.put((event_type, error))
            raise
        self.outcomes.put((event_type, outcome))
        return outcome

    def service_update(self, service):
        super().service_update(service)
        self.outcomes.put(('service.update', service))


class ListenerTestCase(base.TestCase):
    """The listener service between a real RabbitMQ and a database."""

    def database_fixture(self):
        """A SQLite file: the listener writes from several threads."""
        tmp = self.useFixture(fixtures.TempDir()).path
        return database.Database('sqlite:///%s' %
                                 os.path.join(tmp, 'valet.sqlite'))

    def setUp(self):
        super().setUp()
        test_rabbit.configure_rabbit(self)
        self.topic = 'versioned-test-%s' % uuidutils.generate_uuid()
        # The pool names the listener's queue: one of the test's own.
        self.flags(topics=[self.topic], exchange='nova-test-%s'
                   % uuidutils.generate_uuid(), pool='valet-listener-%s'
                   % uuidutils.generate_uuid(), reconcile_interval=0,
                   group='listener')
        self.addCleanup(self._delete_nova_queues)
        self.db = self.useFixture(self.database_fixture())
        self.ctx = context.RequestContext(config=self.conf)
        db_hosts.sync_hosts(self.ctx, RACKS)
        self.handler = RecordingHandler(self.conf)
        self.nova = self._nova_notifier()

    def start_listener(self, reconciler=None):
        listener = listener_service.ListenerService(
            self.conf, handler=self.handler, reconciler=reconciler)
        listener.start()
        self.addCleanup(listener.stop)
        return listener

    def _delete_nova_queues(self):
        # Nova's notifier declares the queues of its topic; with no
        # consumer of their own they would outlive the test.
        url = test_rabbit.RABBIT_URL.replace('rabbit://', 'amqp://', 1)
        with kombu.Connection(url) as connection:
            channel = connection.channel()
            for priority in ('info', 'error'):
                channel.queue_delete('%s.%s' % (self.topic, priority))
            channel.exchange_delete(self.conf.listener.exchange)

    def _nova_notifier(self):
        """A notifier publishing like Nova: on Nova's exchange."""
        nova_conf = cfg.ConfigOpts()
        valet.conf.register_opts(nova_conf)
        nova_conf([], project='nova', default_config_files=[])
        nova_conf.set_override('transport_url', test_rabbit.RABBIT_URL)
        nova_conf.set_override('control_exchange',
                               self.conf.listener.exchange)
        nova_conf.set_override('amqp_auto_delete', True,
                               group='oslo_messaging_rabbit')
        transport = oslo_messaging.get_notification_transport(nova_conf)
        self.addCleanup(transport.cleanup)
        return oslo_messaging.Notifier(transport, driver='messagingv2',
                                       topics=[self.topic])

    def publish(self, name, **data):
        """Publish Nova's sample name (its payload data overridden)."""
        message = nova_notifications.sample(name, **data)
        notifier = self.nova.prepare(publisher_id=message['publisher_id'])
        getattr(notifier, message['priority'].lower())(
            {}, message['event_type'], message['payload'])
        return message['event_type']

    def step(self, name, **data):
        """Publish a sample and return what the listener did with it."""
        event_type = self.publish(name, **data)
        received, outcome = self.handler.outcomes.get(timeout=WAIT)
        self.assertEqual(event_type, received)
        return outcome

    def where(self, placement):
        row = db_placements.get_placement(self.ctx, placement)
        return row['state'], row['location']

    def usage(self):
        """The hosts' usage, checked against the records' sum."""
        table = records.host_usage(self.ctx)
        recorded = records.recorded_usage(self.db.engine)
        for host in set(table) | set(recorded):
            self.assertEqual(recorded.get(host, records.ZERO),
                             table.get(host, records.ZERO), host)
        return {host: sizes for host, sizes in table.items()
                if sizes != records.ZERO}


class ListenerTest(ListenerTestCase):

    def test_a_planned_server_from_creation_to_deletion(self):
        placement = records.seed_plan(self.ctx, ['compute'], SAMPLE)[0]
        db_placements.reserve(self.ctx, placement, UUID)
        self.start_listener()

        self.assertEqual('activated', self.step('instance-create-end'))
        self.assertEqual(('active', 'compute'), self.where(placement))
        self.assertEqual({'compute': SAMPLE_USAGE}, self.usage())

        # The source's report of the migration is only logged; the
        # destination's moves the server.
        self.assertIsNone(self.step('instance-live_migration_post-end'))
        self.assertEqual('moved',
                         self.step('instance-live_migration_post_dest-end'))
        self.assertEqual(('moved', 'host2'), self.where(placement))
        self.assertEqual({'host2': SAMPLE_USAGE}, self.usage())

        self.assertEqual('moved', self.step('instance-resize_confirm-end'))
        self.assertEqual(('moved', 'compute'), self.where(placement))
        self.assertEqual({'compute': RESIZED_USAGE}, self.usage())

        self.assertEqual('offloaded',
                         self.step('instance-shelve_offload-end'))
        self.assertEqual(('shelved', 'compute'), self.where(placement))
        self.assertEqual({}, self.usage())
        self.assertEqual('activated', self.step('instance-unshelve-end'))
        self.assertEqual({'compute': SAMPLE_USAGE}, self.usage())

        self.assertIsNone(self.step('instance-evacuate', host='compute'))
        self.assertEqual('moved', self.step('instance-rebuild-end',
                                            host='host3', node='host3'))
        self.assertEqual(('moved', 'host3'), self.where(placement))
        self.assertEqual({'host3': SAMPLE_USAGE}, self.usage())

        self.assertEqual('deleted', self.step('instance-delete-end',
                                              host='host3'))
        self.assertEqual(('deleted', 'host3'), self.where(placement))
        self.assertEqual({}, self.usage())
        # A duplicate creation after the deletion changes nothing.
        self.assertEqual('ignored', self.step('instance-create-end'))
        self.assertEqual({}, self.usage())

    def test_an_unplanned_server_and_a_compute_service(self):
        self.start_listener()
        other = uuidutils.generate_uuid()
        self.assertEqual('recorded', self.step('instance-create-end',
                                               uuid=other))
        self.assertEqual('unchanged', self.step('instance-create-end',
                                                uuid=other))
        self.assertEqual({'compute': SAMPLE_USAGE}, self.usage())
        self.assertEqual('deleted', self.step('instance-delete-end',
                                              uuid=other))
        self.assertEqual({}, self.usage())
        # Deleted before Nova's create.end arrived: it stays deleted.
        self.assertEqual('tombstoned', self.step('instance-delete-end'))
        self.assertEqual('ignored', self.step('instance-create-end'))
        self.assertEqual({}, self.usage())
        service = self.step('service-update', disabled=True)
        self.assertEqual(('host1', True), (service['host'],
                                           service['disabled']))

    def test_database_down_requeues_until_it_is_back(self):
        self.useFixture(fixtures.MonkeyPatch(
            'valet.listener.endpoints.REQUEUE_PAUSE', 0.2))
        placement = records.seed_plan(self.ctx, ['compute'], SAMPLE)[0]
        db_placements.reserve(self.ctx, placement, UUID)
        unreachable = db_api.new_context_manager(UNREACHABLE_DB,
                                                 max_retries=0)
        restore = db_api.context_manager.patch_factory(unreachable)
        restored = []
        self.addCleanup(lambda: restored or restore())
        self.start_listener()

        self.publish('instance-create-end')
        event_type, error = self.handler.outcomes.get(timeout=WAIT)
        self.assertEqual('instance.create.end', event_type)
        self.assertIsInstance(error, exception.ServiceUnavailable)
        restore()
        restored.append(True)
        # RabbitMQ delivers the requeued notification again.
        while True:
            event_type, outcome = self.handler.outcomes.get(timeout=WAIT)
            if not isinstance(outcome, Exception):
                break
        self.assertEqual(('instance.create.end', 'activated'),
                         (event_type, outcome))
        self.assertEqual(('active', 'compute'), self.where(placement))
        self.assertEqual({'compute': SAMPLE_USAGE}, self.usage())

    def test_periodic_reconcile(self):
        source = test_listener_reconcile.FakeSource(self.conf)
        source.running = [('kept', 'h2', 'm1.small'),
                          ('new', 'h3', 'm1.large')]
        db_servers.server_active(self.ctx, 'kept', 'h1', records.SMALL)
        db_servers.server_active(self.ctx, 'gone', 'h1', records.SMALL)
        records.set_changed_at(
            self.db.engine,
            timeutils.utcnow() - 10 * db_servers.RECONCILE_MARGIN)
        self.flags(reconcile_interval=1, group='listener')
        listener = self.start_listener(reconcile.Reconciler(self.conf,
                                                            source))
        self.assertTrue(listener.periodic.done.wait(WAIT))
        self.assertEqual({'h2': (1, 2048, 20), 'h3': (4, 8192, 72)},
                         self.usage())
        self.assertEqual(('h2', 'active'), self._unplanned('kept'))
        self.assertEqual('deleted', self._unplanned('gone')[1])
        self.assertEqual(('h3', 'active'), self._unplanned('new'))

    def _unplanned(self, uuid):
        row = records.unplanned_row(self.db.engine, uuid)
        return row['host'], row['state']


class MySQLListenerTest(ListenerTest):

    def database_fixture(self):
        backend = database.opportunistic_backend(self, 'mysql')
        url = self.useFixture(database.ProvisionedDatabase(backend)).url
        return database.Database(url)


class PostgreSQLListenerTest(ListenerTest):

    def database_fixture(self):
        backend = database.opportunistic_backend(self, 'postgresql')
        url = self.useFixture(database.ProvisionedDatabase(backend)).url
        return database.Database(url)
