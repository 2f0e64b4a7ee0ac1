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

"""valet-listener: consumes Nova's versioned notifications.

It listens on ``[listener] topics`` of exchange ``[listener] exchange``
(Nova's ``versioned_notifications`` on ``nova`` by default) in the
listener pool ``[listener] pool``, so several listeners share the work and
other consumers of those topics are not robbed of their copy.
"""

import oslo_messaging

from valet.common import messaging
from valet.common import service
from valet.listener import endpoints


class ListenerService(service.MessagingService):
    """The valet-listener service."""

    def __init__(self, conf, transport=None, handler=None):
        super().__init__(conf, 'valet-listener', transport)
        self.handler = handler

    def create_transport(self):
        """Return the notification transport (Nova's bus)."""
        return messaging.get_notification_transport(self.conf)

    def create_server(self, transport):
        """Return the notification listener on Nova's topics."""
        targets = [oslo_messaging.Target(topic=topic,
                                         exchange=self.conf.listener.exchange)
                   for topic in self.conf.listener.topics]
        return messaging.get_notification_listener(
            transport, targets,
            [endpoints.NovaNotificationEndpoint(self.handler)],
            pool=self.conf.listener.pool)
