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

"""valet-listener: keeps placements and host usage true from Nova's events.

It listens on ``[listener] topics`` of exchange ``[listener] exchange``
(Nova's ``versioned_notifications`` on ``nova`` by default) in the
listener pool ``[listener] pool``, so several listeners share the work and
other consumers of those topics are not robbed of their copy. Every
``[listener] reconcile_interval`` seconds it compares its records with
the servers Nova runs (:mod:`valet.listener.reconcile`).
"""

from oslo_log import log as logging
import oslo_messaging

from valet.common import messaging
from valet.common import service
from valet.db import api as db_api
from valet.listener import endpoints
from valet.listener import reconcile

LOG = logging.getLogger(__name__)


class ListenerService(service.MessagingService):
    """The valet-listener service.

    :param handler: receives the parsed events; by default a
        :class:`~valet.listener.endpoints.ServerHandler` on the database of
        ``[database]`` (configured on start unless ``configure_db`` is
        false, e.g. in a process that configured it already).
    :param reconciler: the :class:`~valet.listener.reconcile.Reconciler`
        run every ``[listener] reconcile_interval`` seconds; by default one
        on the ``[engine] topology_driver`` source.
    """

    def __init__(self, conf, transport=None, handler=None,
                 configure_db=True, reconciler=None):
        super().__init__(conf, 'valet-listener', transport)
        self.handler = handler
        self._configure_db = configure_db and handler is None
        self.reconciler = reconciler or reconcile.Reconciler(conf)
        self.periodic = None

    def start(self):
        """Connect to the database and the bus, start the reconcile."""
        if self._configure_db:
            db_api.configure(self.conf)
        if self.handler is None:
            self.handler = endpoints.ServerHandler(self.conf)
        super().start()
        interval = self.conf.listener.reconcile_interval
        if not interval:
            LOG.info('The periodic reconcile is disabled '
                     '([listener] reconcile_interval is 0)')
        elif not self.reconciler.enabled:
            LOG.info('No periodic reconcile: the %s topology source lists '
                     'no running server',
                     self.conf.engine.topology_driver)
        else:
            self.periodic = reconcile.PeriodicReconcile(self.reconciler,
                                                        interval)
            self.periodic.start()

    def stop(self, graceful=True):
        """Stop the reconcile, then the listener."""
        if self.periodic is not None:
            self.periodic.stop()
            self.periodic = None
        super().stop(graceful)

    def create_transport(self):
        """Return the notification transport (Nova's bus)."""
        return messaging.get_notification_transport(self.conf)

    def create_server(self, transport):
        """Return the notification listener on Nova's topics.

        A notification the endpoint sends back (the database is down) is
        requeued. The context Nova sends is not used, so it is not
        deserialized either.
        """
        targets = [oslo_messaging.Target(topic=topic,
                                         exchange=self.conf.listener.exchange)
                   for topic in self.conf.listener.topics]
        return oslo_messaging.get_notification_listener(
            transport, targets,
            [endpoints.NovaNotificationEndpoint(self.handler)],
            pool=self.conf.listener.pool, allow_requeue=True)
