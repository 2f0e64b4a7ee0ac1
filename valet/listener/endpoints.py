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

"""Endpoints for Nova's versioned notifications.

For now valet-listener reads the ``instance.*`` and ``service.update``
events and logs what Valet will act on: which server, on which host, in
which state; which compute service is up, down or disabled. Keeping
placements (building, active, deleted) and host usage true from these
events, and the periodic reconcile with Nova, come with the placements
work: :class:`LoggingHandler` is the only handler so far.
"""

from oslo_log import log as logging
import oslo_messaging

LOG = logging.getLogger(__name__)

EVENT_TYPES = r'^(instance\..+|service\.update)$'


class LoggingHandler(object):
    """Receives the parsed events and logs them."""

    def instance_event(self, event_type, priority, instance):
        """Handle an instance.* event (``instance`` from parse_instance)."""
        LOG.info('%(event)s (%(priority)s): server %(uuid)s on host '
                 '%(host)s node %(node)s, state %(state)s, task %(task)s',
                 dict(instance, event=event_type, priority=priority))

    def service_update(self, service):
        """Handle a service.update event (``service`` from parse_service)."""
        LOG.info('service.update: %(binary)s on %(host)s, disabled '
                 '%(disabled)s, forced down %(forced_down)s', service)


def _object_data(payload, event_type):
    data = (payload.get('nova_object.data')
            if isinstance(payload, dict) else None)
    if not isinstance(data, dict):
        raise ValueError('%s payload has no nova_object.data object'
                         % event_type)
    return data


def parse_instance(payload, event_type='instance'):
    """Return what Valet uses of an InstancePayload (or a subclass)."""
    data = _object_data(payload, event_type)
    if not data.get('uuid'):
        raise ValueError('%s payload has no instance uuid' % event_type)
    return {'uuid': data['uuid'], 'host': data.get('host'),
            'node': data.get('node'), 'state': data.get('state'),
            'task': data.get('task_state'),
            'project_id': data.get('tenant_id')}


def parse_service(payload, event_type='service.update'):
    """Return what Valet uses of a ServiceStatusPayload."""
    data = _object_data(payload, event_type)
    if not data.get('host'):
        raise ValueError('%s payload has no host' % event_type)
    return {'host': data['host'], 'binary': data.get('binary'),
            'disabled': bool(data.get('disabled')),
            'forced_down': bool(data.get('forced_down'))}


class NovaNotificationEndpoint(object):
    """Dispatch Nova's instance.* and service.update notifications.

    Other event types are filtered out before they reach the endpoint. A
    notification that cannot be read is logged and acknowledged: sending
    it back to the queue would only fail again.
    """

    filter_rule = oslo_messaging.NotificationFilter(event_type=EVENT_TYPES)

    def __init__(self, handler=None):
        self.handler = handler or LoggingHandler()

    def _dispatch(self, priority, publisher_id, event_type, payload):
        try:
            if event_type == 'service.update':
                self.handler.service_update(
                    parse_service(payload, event_type))
            else:
                self.handler.instance_event(
                    event_type, priority,
                    parse_instance(payload, event_type))
        except ValueError as exc:
            LOG.warning('Ignored a %(event)s notification from '
                        '%(publisher)s: %(error)s',
                        {'event': event_type, 'publisher': publisher_id,
                         'error': exc})
        return oslo_messaging.NotificationResult.HANDLED

    def info(self, ctxt, publisher_id, event_type, payload, metadata):
        """Handle an INFO notification (instance.*.end, service.update)."""
        return self._dispatch('INFO', publisher_id, event_type, payload)

    def warn(self, ctxt, publisher_id, event_type, payload, metadata):
        """Handle a WARN notification."""
        return self._dispatch('WARN', publisher_id, event_type, payload)

    def error(self, ctxt, publisher_id, event_type, payload, metadata):
        """Handle an ERROR notification (instance.*.error)."""
        return self._dispatch('ERROR', publisher_id, event_type, payload)
