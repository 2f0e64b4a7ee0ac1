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

:class:`NovaNotificationEndpoint` reads the events below and hands them to
a handler; :class:`ServerHandler` records them with
:mod:`valet.db.servers`:

* ``instance.create.end``: the server runs on the payload's host;
* ``instance.live_migration_post_dest.end`` (sent by the destination),
  ``instance.rebuild.end`` (an evacuation ends with the rebuild on the new
  host; a plain rebuild stays where it is) and ``instance.unshelve.end``:
  it now runs on the payload's host;
* ``instance.resize_confirm.end`` and ``instance.resize_revert.end``: it
  runs on the payload's host with the payload's flavor;
* ``instance.shelve_offload.end``: no host runs it any more;
* ``instance.delete.end``: it is gone;
* ``instance.live_migration_post.end``, ``instance.evacuate`` and
  ``instance.create.error`` are only logged: the first is sent by the
  source host, whose copy of the server still names the source; the
  second by the API before the evacuation chose a host; the third means
  Nova will try again elsewhere or the server stays in error (its
  reservation is released when it is deleted);
* ``service.update``: a compute service disabled or forced down is
  logged; the engine stops placing on it at its next topology refresh.

A notification that cannot be read, or that the records refuse, is
logged and acknowledged: it would only fail again. One that finds the
database unavailable goes back to the queue, after a pause, so that no
notification is lost while the database is down.
"""

import math
import re
import time

from oslo_log import log as logging
import oslo_messaging

from valet import context
from valet.db import servers as db_servers
from valet.engine import rpcapi
from valet import exception

LOG = logging.getLogger(__name__)

CREATED = 'instance.create.end'
DELETED = 'instance.delete.end'
MOVED = ('instance.live_migration_post_dest.end', 'instance.rebuild.end',
         'instance.unshelve.end')
RESIZED = ('instance.resize_confirm.end', 'instance.resize_revert.end')
OFFLOADED = 'instance.shelve_offload.end'
LOGGED = ('instance.live_migration_post.end', 'instance.evacuate',
          'instance.create.error')
SERVICE_UPDATE = 'service.update'
#: Events whose payload must carry a readable flavor.
NEEDS_FLAVOR = (CREATED,) + RESIZED

EVENT_TYPES = '^(%s)$' % '|'.join(
    re.escape(event) for event in sorted(
        (CREATED, DELETED, OFFLOADED, SERVICE_UPDATE) + MOVED + RESIZED +
        LOGGED))

#: Seconds a notification that found the database unavailable waits
#: before it goes back to the queue (it would come back at once).
REQUEUE_PAUSE = 1.0


def _object_data(payload, field):
    data = (payload.get('nova_object.data')
            if isinstance(payload, dict) else None)
    if not isinstance(data, dict):
        raise ValueError('%s has no nova_object.data object' % field)
    return data


def _size(data, key, field, default=None):
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError('%s.%s must be a non-negative integer, not %r'
                         % (field, key, value))
    return value


def parse_flavor(payload, field='flavor'):
    """Return ``{"name", "vcpus", "ram_mb", "disk_gb"}`` of a FlavorPayload.

    ``disk_gb`` is the root and ephemeral disks plus the swap (given in
    MB), rounded up to whole GB, as the engine counts a flavor.
    """
    data = _object_data(payload, field)
    swap_mb = _size(data, 'swap', field, 0)
    return {'name': data.get('name'),
            'vcpus': _size(data, 'vcpus', field),
            'ram_mb': _size(data, 'memory_mb', field),
            'disk_gb': (_size(data, 'root_gb', field) +
                        _size(data, 'ephemeral_gb', field, 0) +
                        int(math.ceil(swap_mb / 1024.0)))}


def parse_instance(payload, event_type='instance', need_flavor=False):
    """Return what Valet uses of an InstancePayload (or a subclass).

    ``flavor`` is :func:`parse_flavor`'s reading of the payload's flavor,
    or None when it cannot be read and ``need_flavor`` is false.
    """
    data = _object_data(payload, '%s payload' % event_type)
    if not data.get('uuid'):
        raise ValueError('%s payload has no instance uuid' % event_type)
    try:
        flavor = parse_flavor(data.get('flavor'), '%s payload flavor'
                              % event_type)
    except ValueError:
        if need_flavor:
            raise
        flavor = None
    return {'uuid': data['uuid'], 'host': data.get('host'),
            'node': data.get('node'), 'state': data.get('state'),
            'task': data.get('task_state'),
            'project_id': data.get('tenant_id'), 'flavor': flavor}


def parse_service(payload, event_type=SERVICE_UPDATE):
    """Return what Valet uses of a ServiceStatusPayload."""
    data = _object_data(payload, '%s payload' % event_type)
    if not data.get('host'):
        raise ValueError('%s payload has no host' % event_type)
    return {'host': data['host'], 'binary': data.get('binary'),
            'disabled': bool(data.get('disabled')),
            'forced_down': bool(data.get('forced_down'))}


class ServerHandler(object):
    """Records the servers' life in the database (valet.db.servers)."""

    def __init__(self, conf):
        self.conf = conf

    def _record(self, ctx, event_type, server):
        uuid, host = server['uuid'], server['host']
        if event_type == CREATED:
            return db_servers.server_active(ctx, uuid, host, server['flavor'],
                                            server['project_id'])
        if event_type == DELETED:
            return db_servers.server_deleted(ctx, uuid)
        if event_type in MOVED:
            return db_servers.server_moved(ctx, uuid, host, server['flavor'],
                                           server['project_id'])
        if event_type in RESIZED:
            return db_servers.server_resized(ctx, uuid, host,
                                             server['flavor'],
                                             server['project_id'])
        if event_type == OFFLOADED:
            return db_servers.server_moved(ctx, uuid, None)
        return None

    def instance_event(self, event_type, priority, server):
        """Record an instance.* event (``server`` from parse_instance).

        :returns: what the records did (see valet.db.servers), or None for
            an event that is only logged.
        :raises ValueError: the records refuse the event's data.
        :raises valet.exception.ServiceUnavailable: no database.
        """
        ctx = context.RequestContext(config=self.conf)
        outcome = self._record(ctx, event_type, server)
        LOG.info('%(event)s (%(priority)s): server %(uuid)s on host '
                 '%(host)s, state %(state)s, task %(task)s: %(outcome)s',
                 dict(server, event=event_type, priority=priority,
                      outcome=outcome or 'logged only'))
        return outcome

    def service_update(self, service):
        """A compute service changed: the engines reload their topology.

        (``service`` from parse_service.) A compute host that is disabled
        or forced down must stop receiving servers at once, and one back
        up must be used again; other services change nothing for Valet.
        """
        if service['binary'] != 'nova-compute':
            return
        if service['disabled'] or service['forced_down']:
            LOG.warning('%(binary)s on %(host)s is disabled (%(disabled)s) '
                        'or forced down (%(forced_down)s): asking the '
                        'engines to reload the topology', service)
        else:
            LOG.info('%(binary)s on %(host)s is enabled and up: asking the '
                     'engines to reload the topology', service)
        try:
            rpcapi.EngineAPI(self.conf).refresh_topology(
                context.RequestContext(config=self.conf))
        except exception.ServiceUnavailable as exc:
            # The engines reload periodically anyway.
            LOG.error('Could not ask the engines to reload: %s', exc.message)


class NovaNotificationEndpoint(object):
    """Dispatch Nova's notifications of :data:`EVENT_TYPES` to a handler.

    Other event types are filtered out before they reach the endpoint.
    """

    filter_rule = oslo_messaging.NotificationFilter(event_type=EVENT_TYPES)

    def __init__(self, handler, requeue_pause=REQUEUE_PAUSE):
        self.handler = handler
        self.requeue_pause = requeue_pause

    def _handle(self, priority, event_type, payload):
        if event_type == SERVICE_UPDATE:
            self.handler.service_update(parse_service(payload, event_type))
        else:
            self.handler.instance_event(
                event_type, priority,
                parse_instance(payload, event_type,
                               event_type in NEEDS_FLAVOR))

    def _dispatch(self, priority, publisher_id, event_type, payload):
        what = {'event': event_type, 'publisher': publisher_id}
        try:
            self._handle(priority, event_type, payload)
        except exception.ServiceUnavailable as exc:
            LOG.warning('Sent %(event)s from %(publisher)s back to the '
                        'queue: %(error)s',
                        dict(what, error=exc))
            time.sleep(self.requeue_pause)
            return oslo_messaging.NotificationResult.REQUEUE
        except ValueError as exc:
            LOG.warning('Ignored %(event)s from %(publisher)s: %(error)s',
                        dict(what, error=exc))
        except Exception:
            # Sent back to the queue it would fail for ever; the periodic
            # reconcile repairs what it should have recorded.
            LOG.exception('Dropped %(event)s from %(publisher)s', what)
        return oslo_messaging.NotificationResult.HANDLED

    def info(self, ctxt, publisher_id, event_type, payload, metadata):
        """Handle an INFO notification (instance.*.end, service.update)."""
        return self._dispatch('INFO', publisher_id, event_type, payload)

    def warn(self, ctxt, publisher_id, event_type, payload, metadata):
        """Handle a WARN notification."""
        return self._dispatch('WARN', publisher_id, event_type, payload)

    def error(self, ctxt, publisher_id, event_type, payload, metadata):
        """Handle an ERROR notification (instance.create.error)."""
        return self._dispatch('ERROR', publisher_id, event_type, payload)
