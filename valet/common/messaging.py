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

"""oslo.messaging plumbing shared by Valet's processes.

Everything takes the caller's ``ConfigOpts``; nothing here touches the
global ``cfg.CONF``. The options (``transport_url``, default ``fake://``,
and oslo.messaging's own groups) are registered by
:mod:`valet.conf.messaging`; :func:`ensure_opts` registers them on a conf
that was built without :func:`valet.conf.register_opts`.

Servers and listeners use oslo.messaging's default executor, which is
``threading`` in a process that eventlet has not monkey patched (Valet's
processes never are).
"""

import oslo_messaging

from valet.common import per_conf
from valet.conf import messaging as messaging_conf
from valet import context as valet_context

PUBLISHER_ID = 'valet'


def ensure_opts(conf):
    """Register the message bus options on conf unless already there."""
    if 'engine_rpc' not in conf:
        messaging_conf.register_opts(conf)


def get_rpc_transport(conf):
    """Return an RPC transport for conf's ``[DEFAULT] transport_url``."""
    ensure_opts(conf)
    # Valet's domain errors cross the bus as themselves, so that the API
    # maps an engine's "no placement" or "group not found" like its own.
    return oslo_messaging.get_rpc_transport(
        conf, allowed_remote_exmods=['valet.exception'])


_shared_transports = per_conf.PerConf(get_rpc_transport)


def shared_rpc_transport(conf):
    """Return this process's RPC transport for conf, built on first use.

    RPC clients share it (a transport holds a pool of connections), and so
    does an RPC server running in the same process as its clients, which
    the in-process ``fake://`` transport needs. It lives until
    :func:`cleanup_shared_rpc_transport`.
    """
    return _shared_transports.get(conf)


def cleanup_shared_rpc_transport(conf):
    """Close and forget the shared RPC transport of conf, if any."""
    transport = _shared_transports.pop(conf)
    if transport is not None:
        transport.cleanup()


def get_notification_transport(conf):
    """Return the notification transport.

    It uses ``[oslo_messaging_notifications] transport_url`` when set and
    ``[DEFAULT] transport_url`` otherwise.
    """
    ensure_opts(conf)
    return oslo_messaging.get_notification_transport(conf)


def get_notifier(conf, transport=None, publisher_id=PUBLISHER_ID):
    """Return a Notifier publishing as ``valet``.

    The topics are ``[oslo_messaging_notifications] topics`` (default
    ``notifications``) and the driver ``[oslo_messaging_notifications]
    driver`` (Valet's default: ``messagingv2``).
    """
    if transport is None:
        transport = get_notification_transport(conf)
    return oslo_messaging.Notifier(transport, publisher_id=publisher_id,
                                   serializer=RequestContextSerializer())


class RequestContextSerializer(oslo_messaging.Serializer):
    """Carry a :class:`valet.context.RequestContext` across the bus.

    Entities (arguments and results) are plain JSON types and pass
    unchanged; the context travels as its dict and comes back as a
    RequestContext (without its ``config``, which stays in each process).
    """

    def serialize_entity(self, ctxt, entity):
        """Return entity unchanged: Valet sends JSON types only."""
        return entity

    def deserialize_entity(self, ctxt, entity):
        """Return entity unchanged: Valet sends JSON types only."""
        return entity

    def serialize_context(self, ctxt):
        """Turn a RequestContext (or a dict) into a dict for the wire."""
        if isinstance(ctxt, dict):
            return ctxt
        return ctxt.to_dict()

    def deserialize_context(self, ctxt):
        """Rebuild a RequestContext from the dict that came off the wire."""
        return valet_context.RequestContext.from_dict(ctxt)


def get_rpc_server(transport, target, endpoints):
    """Return an RPC server for target dispatching to endpoints.

    Only the endpoints' public methods can be called remotely.
    """
    return oslo_messaging.get_rpc_server(
        transport, target, endpoints,
        serializer=RequestContextSerializer(),
        access_policy=oslo_messaging.DefaultRPCAccessPolicy)


def get_rpc_client(transport, target, timeout, retry=None,
                   version_cap=None):
    """Return an RPC client for target with a default call timeout.

    ``retry`` bounds the attempts to reach the bus (None: forever).
    """
    return oslo_messaging.get_rpc_client(
        transport, target, timeout=timeout, retry=retry,
        version_cap=version_cap, serializer=RequestContextSerializer())


def get_notification_listener(transport, targets, endpoints, pool=None):
    """Return a notification listener on targets dispatching to endpoints.

    Listeners sharing a ``pool`` name split the notifications between
    them; each pool gets its own copy of every notification.
    """
    return oslo_messaging.get_notification_listener(
        transport, targets, endpoints,
        serializer=RequestContextSerializer(), pool=pool)
