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

import threading

import oslo_messaging

from valet.common import messaging
from valet import exception


# oslo.messaging connects the reply queue of a call with no bound on its
# retries, so a call made while the bus is down would wait forever, past
# its own timeout. Each call therefore runs on a daemon thread of its own
# (at most CALL_THREADS at once), and the caller waits for its answer no
# longer than the call's timeout plus CALL_GRACE seconds.
CALL_GRACE = 5.0
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

    A caller passes its request context explicitly to every method. A call
    that no engine answers within ``[engine_rpc] timeout`` seconds, or that
    cannot reach the bus, raises :class:`valet.exception.ServiceUnavailable`.
    """

    RPC_API_VERSION = '1.0'

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
