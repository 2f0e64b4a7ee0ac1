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

"""Message bus options: ``[DEFAULT] host``, ``[engine_rpc]``,
``[notifications]`` and ``[listener]``.

:func:`register_opts` also registers oslo.messaging's own options on the
caller's ``ConfigOpts`` (the sample config lists those under the
``oslo.messaging`` namespace) and sets Valet's defaults for them: the
in-process ``fake://`` transport, the ``valet`` exchange and the
``messagingv2`` notification driver.
"""

import functools
import socket

from oslo_config import cfg
import oslo_messaging
from oslo_messaging import conffixture as om_conffixture
from oslo_messaging import opts as om_opts

DEFAULT_TRANSPORT_URL = 'fake://'
CONTROL_EXCHANGE = 'valet'

default_opts = [
    cfg.HostDomainOpt(
        'host', default=socket.gethostname(),
        sample_default='<hostname>',
        help='Name of this node. valet-engine uses it as its RPC server '
             'name and reports it as its id in the status call.'),
]

engine_rpc_group = cfg.OptGroup(
    'engine_rpc', title='Engine RPC options',
    help='How valet-api and valet-listener reach valet-engine. The bus '
         'is [DEFAULT] transport_url; Valet\'s processes default it to '
         'fake:// (in-process, for a single process such as '
         'valet-manage all-in-one) and [DEFAULT] control_exchange to '
         'valet.')

engine_rpc_opts = [
    cfg.StrOpt('topic', default='valet-engine',
               help='RPC topic valet-engine listens on. Every engine of a '
                    'deployment serves the same topic; the bus spreads the '
                    'calls between them.'),
    cfg.IntOpt('timeout', default=60, min=1,
               help='Seconds an RPC call to valet-engine may take before '
                    'the caller gives up with a timeout.'),
    cfg.IntOpt('retry', default=2, min=-1,
               help='How many times a caller retries to reach the message '
                    'bus before it reports the engine unavailable; -1 '
                    'retries forever (the API then hangs while the bus is '
                    'down).'),
]

notifications_group = cfg.OptGroup(
    'notifications', title='API notification options',
    help='The API publishes every request and its response as an '
         'oslo.messaging notification; the bus itself is configured in '
         '[oslo_messaging_notifications], whose driver Valet defaults to '
         'messagingv2.')

notifications_opts = [
    cfg.IntOpt('queue_size', default=1000, min=1,
               help='Notifications waiting to be sent. The API never waits '
                    'for the bus: when the queue is full (the bus is down '
                    'or slow), new notifications are dropped and logged.'),
    cfg.FloatOpt('drain_timeout', default=10.0, min=0.0,
                 help='Seconds a stopping API process spends sending the '
                      'notifications still queued before it drops them.'),
]

listener_group = cfg.OptGroup(
    'listener', title='Listener options',
    help='Where valet-listener reads Nova\'s versioned notifications, '
         'and how often it compares its records with the servers Nova '
         'runs.')

listener_opts = [
    cfg.ListOpt('topics', default=['versioned_notifications'],
                help='Topics Nova publishes its versioned notifications on '
                     '(nova.conf [notifications] versioned_notifications_'
                     'topics).'),
    cfg.StrOpt('exchange', default='nova',
               help='Exchange Nova publishes on (its control_exchange).'),
    cfg.StrOpt('pool', default='valet-listener',
               help='Listener pool name. Every valet-listener of a '
                    'deployment shares the pool, so each notification is '
                    'handled once, and other consumers of the same topics '
                    'still get their own copy.'),
    cfg.IntOpt('reconcile_interval', default=600, min=0,
               help='Seconds between two comparisons of the servers Nova '
                    'runs, as the topology source ([engine] '
                    'topology_driver) lists them, with the placements and '
                    'unplanned servers Valet records; what differs is '
                    'repaired (a missed or reordered notification). The '
                    'first one runs one interval after the listener '
                    'starts. 0 disables it. The "static" source lists no '
                    'servers: with it there is nothing to compare.'),
]


@functools.lru_cache(maxsize=None)
def _library_opts():
    # list_opts() deep-copies a few hundred options: once per process is
    # enough, the copies are registered on every conf (as the library does
    # with its own option objects).
    return om_opts.list_opts()


def _register_oslo_messaging_opts(conf):
    for group, opts in _library_opts():
        conf.register_opts(opts, group=group)
    # oslo.messaging also reads [oslo_messaging_tracing] and
    # [oslo_messaging_metrics] from the conf a transport is built with, but
    # registers them on the global cfg.CONF only and list_opts() leaves
    # them out. Its ConfFixture is the library's public way to put every
    # option it reads on a ConfigOpts: built (never set up as a fixture),
    # it registers them and changes nothing else.
    om_conffixture.ConfFixture(conf)
    conf.set_default('transport_url', DEFAULT_TRANSPORT_URL)
    conf.set_default('control_exchange', CONTROL_EXCHANGE)
    conf.set_default('driver', ['messagingv2'],
                     group='oslo_messaging_notifications')


def set_library_defaults():
    """Show Valet's exchange in the sample configuration file.

    The ``oslo.config.opts.defaults`` hook of oslo-config-generator; it
    changes the library's defaults for the whole process, which is only
    right in the generator's process. oslo.messaging has a public setter
    for the exchange only: the sample shows the library's own defaults of
    ``[DEFAULT] transport_url`` and ``[oslo_messaging_notifications]
    driver``, and Valet's own groups say what Valet's processes use
    instead (they get all three from :func:`register_opts`, on their own
    ConfigOpts).
    """
    oslo_messaging.set_transport_defaults(CONTROL_EXCHANGE)


def register_opts(conf):
    """Register the message bus options (Valet's and oslo.messaging's)."""
    _register_oslo_messaging_opts(conf)
    conf.register_opts(default_opts)
    for group, opts in ((engine_rpc_group, engine_rpc_opts),
                        (notifications_group, notifications_opts),
                        (listener_group, listener_opts)):
        # A group of this conf's own: oslo.config shares the registered
        # options of an OptGroup object among every conf it is given to.
        conf.register_group(cfg.OptGroup(group.name, title=group.title,
                                         help=group.help))
        conf.register_opts(opts, group=group.name)


def list_opts():
    """Return Valet's own message bus options for the sample config."""
    return {
        'DEFAULT': default_opts,
        engine_rpc_group: engine_rpc_opts,
        notifications_group: notifications_opts,
        listener_group: listener_opts,
    }
