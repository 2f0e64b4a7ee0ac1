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

"""Client side of valet-engine's RPC API."""

import copy
import threading
import time

import oslo_messaging

from valet.common import messaging
from valet import exception


# oslo.messaging connects the reply queue of a call with no bound on its
# retries, so a call made while the bus is down would wait forever, past
# its own timeout. Each call therefore runs on a daemon thread of its own
# (at most CALL_THREADS at once), and the caller waits for its answer no
# longer than the call's timeout plus CALL_GRACE seconds (the grace lets
# oslo.messaging's own timeout, with its clearer reason, arrive first).
# Not a futurist pool: futurist joins its worker threads at interpreter
# exit with no bound, so one call stuck on a bus that is down would keep
# valet-api from ever exiting; these daemon threads die with the process.
CALL_GRACE = 1.0
#: The calls that change plans, which carry a deadline.
CHANGES = ('create_plan', 'update_plan', 'migrate_server', 'replan_server',
           'release_plan')
CALL_THREADS = 8

_call_slots = threading.BoundedSemaphore(CALL_THREADS)


def _bounded_call(cctxt, context, method, kwargs):
    """Run cctxt.call on a daemon thread; return (done, result, error)."""
    deadline = cctxt.timeout + CALL_GRACE
    outcome = {}
    finished = threading.Event()
    if not _call_slots.acquire(timeout=deadline):
        return False, None, None

    def run():
        try:
            outcome['result'] = cctxt.call(context, method, **kwargs)
        except Exception as exc:
            outcome['error'] = exc
        finally:
            _call_slots.release()
            finished.set()

    threading.Thread(target=run, daemon=True,
                     name='valet-engine-call').start()
    done = finished.wait(deadline)
    return done, outcome.get('result'), outcome.get('error')


class EngineAPI(object):
    """Client side of the valet-engine RPC API.

    API version history:

    * 1.0 - Initial version: ``ping``.
    * 1.1 - Plans: ``create_plan``, ``update_plan``, ``migrate_server``,
      ``replan_server``, ``release_plan``; queries ``group_servers`` and
      ``violations``; ``refresh_topology`` (a cast to every engine). The
      calls that change plans carry the caller's deadline in the context:
      an engine that takes one too late, or finishes it too late, does not
      commit it.

    A caller passes its request context explicitly to every method. A call
    that no engine answers within ``[engine_rpc] timeout`` seconds, or that
    cannot reach the bus, raises :class:`valet.exception.ServiceUnavailable`.
    """

    RPC_API_VERSION = '1.1'

    def __init__(self, conf, transport=None):
        messaging.ensure_opts(conf)
        self.conf = conf
        if transport is None:
            transport = messaging.shared_rpc_transport(conf)
        target = oslo_messaging.Target(topic=conf.engine_rpc.topic,
                                       version=self.RPC_API_VERSION)
        self.client = messaging.get_rpc_client(
            transport, target, timeout=conf.engine_rpc.timeout,
            retry=conf.engine_rpc.retry)

    def _call(self, cctxt, context, method, **kwargs):
        if method in CHANGES:
            # The caller stops waiting at the deadline: the engine must
            # not change a plan for a caller that got a 503.
            context = copy.copy(context)
            context.deadline = time.time() + cctxt.timeout
        done, result, error = _bounded_call(cctxt, context, method, kwargs)
        if not done:
            raise exception.ServiceUnavailable(
                reason='the message bus did not carry the %s call within '
                '%s seconds' % (method, cctxt.timeout + CALL_GRACE))
        if isinstance(error, oslo_messaging.MessagingTimeout):
            raise exception.ServiceUnavailable(
                reason='no valet-engine answered %s within %s seconds'
                % (method, cctxt.timeout))
        if isinstance(error, (oslo_messaging.MessageDeliveryFailure,
                              oslo_messaging.ClientSendError)):
            raise exception.ServiceUnavailable(
                reason='valet-engine is unreachable: %s' % error)
        if error is not None:
            raise error
        return result

    def _prepare(self, version, timeout):
        if timeout is None:
            return self.client.prepare(version=version)
        return self.client.prepare(version=version, timeout=timeout)

    def ping(self, context, timeout=None):
        """Return ``{"id": engine host, "hosts": N}`` from one engine.

        ``timeout`` (seconds) overrides ``[engine_rpc] timeout``.
        """
        cctxt = self._prepare('1.0', timeout)
        return self._call(cctxt, context, 'ping')

    def create_plan(self, context, plan_name, stack_id, resources,
                    locations=None, timeout=None):
        """Place a new stack and store its plan; return the plan dict.

        The plan belongs to ``context.project_id``. Raises the domain
        errors of :mod:`valet.exception` (Invalid, GroupNotFound,
        NotGroupMember, PlanExists, NoPlacement) as the engine raised them.
        """
        cctxt = self._prepare('1.1', timeout)
        return self._call(cctxt, context, 'create_plan',
                          plan_name=plan_name, stack_id=stack_id,
                          resources=resources, locations=locations)

    def update_plan(self, context, plan_id, resources, timeout=None):
        """Re-place a stack after a stack update; return the plan dict."""
        cctxt = self._prepare('1.1', timeout)
        return self._call(cctxt, context, 'update_plan', plan_id=plan_id,
                          resources=resources)

    def migrate_server(self, context, plan_id, server, excluded_hosts=(),
                       timeout=None):
        """Choose a new host for one server of a plan.

        ``server`` is its Nova uuid or orchestration id. Return the plan
        dict with ``moved``: the orchestration ids that move with it.
        """
        cctxt = self._prepare('1.1', timeout)
        return self._call(cctxt, context, 'migrate_server', plan_id=plan_id,
                          server=server, excluded_hosts=list(excluded_hosts))

    def replan_server(self, context, placement_id, locations, timeout=None):
        """Re-place one placement within ``locations``; return it."""
        cctxt = self._prepare('1.1', timeout)
        return self._call(cctxt, context, 'replan_server',
                          placement_id=placement_id,
                          locations=list(locations))

    def release_plan(self, context, plan_id, timeout=None):
        """Delete a plan and release what its placements hold."""
        cctxt = self._prepare('1.1', timeout)
        return self._call(cctxt, context, 'release_plan', plan_id=plan_id)

    def group_servers(self, context, group, timeout=None):
        """Return the servers of a named group with their hosts."""
        cctxt = self._prepare('1.1', timeout)
        return self._call(cctxt, context, 'group_servers', group=group)

    def violations(self, context, timeout=None):
        """Return the servers whose host breaks a rule of their groups."""
        cctxt = self._prepare('1.1', timeout)
        return self._call(cctxt, context, 'violations')

    def refresh_topology(self, context):
        """Ask every engine to reload its topology before its next plan.

        A fan-out cast: it returns at once, and an engine that is down
        reloads anyway when it starts. Raises ServiceUnavailable when the
        bus cannot take it.
        """
        cctxt = self.client.prepare(version='1.1', fanout=True)
        try:
            cctxt.cast(context, 'refresh_topology')
        except (oslo_messaging.MessageDeliveryFailure,
                oslo_messaging.ClientSendError) as exc:
            raise exception.ServiceUnavailable(
                reason='valet-engine is unreachable: %s' % exc)
