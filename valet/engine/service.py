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

"""valet-engine's RPC server (topic ``[engine_rpc] topic``).

Every engine of a deployment serves the same topic under its own server
name (``[DEFAULT] host``), so the bus spreads the calls between them;
their commits are kept apart by the database's generations (see
:mod:`valet.engine.manager`). The client side is
:mod:`valet.engine.rpcapi`.
"""

import gc

from oslo_log import log as logging
import oslo_messaging

from valet.common import messaging
from valet.common import service
from valet import context as valet_context
from valet.db import api as db_api
from valet.engine import manager as manager_mod
from valet import exception
from valet.optimizer import plugins

LOG = logging.getLogger(__name__)

RPC_API_VERSION = '1.1'


# Valet's domain errors (no placement, group not found...) are answers to
# the caller, not failures of the engine: oslo.messaging then logs no
# traceback for them.
_EXPECTED = oslo_messaging.expected_exceptions(exception.ValetException)


class EngineEndpoint(object):
    """The engine's RPC methods; see rpcapi.EngineAPI for the history."""

    target = oslo_messaging.Target(version=RPC_API_VERSION)

    def __init__(self, engine):
        self.engine = engine

    def ping(self, context):
        """Answer that this engine is alive: its id and host count."""
        return self.engine.describe()

    @_EXPECTED
    def create_plan(self, context, plan_name, stack_id, resources,
                    locations=None):
        """Place a new stack; see rpcapi.EngineAPI.create_plan."""
        return self.engine.manager.create_plan(context, plan_name, stack_id,
                                               resources, locations)

    @_EXPECTED
    def update_plan(self, context, plan_id, resources):
        """Re-place an updated stack."""
        return self.engine.manager.update_plan(context, plan_id, resources)

    @_EXPECTED
    def migrate_server(self, context, plan_id, server, excluded_hosts):
        """Move one server off its host."""
        return self.engine.manager.migrate_server(context, plan_id, server,
                                                  excluded_hosts)

    @_EXPECTED
    def replan_server(self, context, placement_id, locations):
        """Re-place one placement within locations."""
        return self.engine.manager.replan_server(context, placement_id,
                                                 locations)

    @_EXPECTED
    def release_plan(self, context, plan_id):
        """Delete a plan and release its capacity."""
        return self.engine.manager.release_plan(context, plan_id)

    @_EXPECTED
    def group_servers(self, context, group):
        """The servers of a named group."""
        return self.engine.manager.group_servers(context, group)

    def refresh_topology(self, context):
        """Reload the topology before the next request (a fan-out cast)."""
        self.engine.manager.refresh_topology()

    @_EXPECTED
    def violations(self, context):
        """Servers whose host breaks a rule of their groups."""
        return self.engine.manager.violations(context)


class EngineService(service.MessagingService):
    """The valet-engine service.

    On start it loads the data center from the topology source
    (``[engine] topology_driver``) and registers its hosts in the
    database; ``hosts`` in the ping answer is the number of hosts loaded,
    0 when the source could not be read (the error is logged, and the
    next request tries again).
    """

    def __init__(self, conf, transport=None, configure_db=True):
        super().__init__(conf, 'valet-engine', transport)
        self.manager = None
        self._configure_db = configure_db

    def start(self):
        """Load the data center, then serve."""
        if self._configure_db:
            db_api.configure(self.conf)
        self.manager = manager_mod.EngineManager(
            self.conf, plugins.load_topology(self.conf))
        self.manager.load(valet_context.RequestContext(config=self.conf))
        # The model lives as long as the process: take it (and everything
        # loaded so far) out of the collector's view, so that a full
        # collection does not walk it in the middle of a search.
        gc.freeze()
        super().start()

    def describe(self):
        """Return ``{"id": host, "hosts": N}``, the answer to ping."""
        hosts = self.manager.describe()['hosts'] if self.manager else 0
        return {'id': self.conf.host, 'hosts': hosts}

    def create_transport(self):
        """Return a new RPC transport for ``[DEFAULT] transport_url``."""
        return messaging.get_rpc_transport(self.conf)

    def create_server(self, transport):
        """Return the RPC server of topic ``[engine_rpc] topic``."""
        target = oslo_messaging.Target(topic=self.conf.engine_rpc.topic,
                                       server=self.conf.host)
        return messaging.get_rpc_server(transport, target,
                                        [EngineEndpoint(self)])
