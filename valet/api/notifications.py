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

"""Publish every API request and its response as a notification.

Event types are ``api.v1.<subject>``, the subject being the first path
segment after ``/v1``: ``groups``, ``plans``, ``placements`` or ``status``.
``/`` and ``/v1`` (the version documents) are ``api.v1.versions``; any
other path (answered 404 by the API) is ``api.v1.unknown``, so that
clients cannot invent event types. Priority is INFO for a 2xx answer and
ERROR for anything else. The payload is::

    {"context": {"tenant_id": ..., "user_id": ...},
     "request": {"method": ..., "path": ..., "body": ...},
     "response": {"status_code": ..., "body": ...}}

A body is the parsed JSON document, else the text, and ``""`` when empty.
Secrets are masked: values under keys that name a password, token, secret,
credential or private key, and password-like text in strings; headers
(``X-Auth-Token`` among them) are never part of a payload.

Publishing never blocks or fails the API call: notifications go through a
bounded in-memory queue that one daemon thread sends from; when the queue
is full (the bus is down or slow) new ones are dropped and logged. The
queue is drained, within ``[notifications] drain_timeout``, when the
process exits or :meth:`NotificationsMiddleware.close` is called.
"""

import atexit
import functools
import os
import queue
import threading
import time

from oslo_log import log as logging
from oslo_serialization import jsonutils
from oslo_utils import strutils
import webob

from valet.common import messaging

LOG = logging.getLogger(__name__)

SUBJECTS = ('groups', 'plans', 'placements', 'status')
VERSIONS_SUBJECT = 'versions'
UNKNOWN_SUBJECT = 'unknown'

MASK = '***'
# Key parts Valet masks that oslo.utils' mask_dict_password does not know
# ('-' counts as '_'); it knows the rest (password, token, secret,
# adminpass, new_pass, passphrase...).
EXTRA_SECRET_KEY_PARTS = ('passwd', 'credential', 'privatekey',
                          'private_key')


def event_type_for(path):
    """Return the event type for a request path (its PATH_INFO)."""
    segments = [segment for segment in path.split('/') if segment]
    if not segments or segments == ['v1']:
        subject = VERSIONS_SUBJECT
    elif segments[0] == 'v1' and segments[1] in SUBJECTS:
        subject = segments[1]
    else:
        subject = UNKNOWN_SUBJECT
    return 'api.v1.%s' % subject


@functools.lru_cache(maxsize=1024)
def _is_secret_key(key):
    """True if mask_dict_password masks this key, or Valet does."""
    if strutils.mask_dict_password({key: ''}, secret=MASK)[key] == MASK:
        return True
    lowered = key.lower().replace('-', '_')
    return any(part in lowered for part in EXTRA_SECRET_KEY_PARTS)


def _mask_secret_keys(value):
    """Mask the whole value under a secret key, whatever its type.

    mask_dict_password masks a string or a list under a secret key, but
    looks inside a dictionary (``{"token": {"id": ...}}``) instead.
    """
    if isinstance(value, dict):
        return {key: MASK if _is_secret_key(str(key))
                else _mask_secret_keys(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_mask_secret_keys(item) for item in value]
    return value


def scrub(value):
    """Return a copy of a JSON value with every secret masked."""
    value = _mask_secret_keys(value)
    if isinstance(value, dict):
        return strutils.mask_dict_password(value, secret=MASK)
    if isinstance(value, list):
        return [scrub(item) for item in value]
    if isinstance(value, str):
        return strutils.mask_password(value, secret=MASK)
    return value


def parse_body(raw, charset=None):
    """Return a body as a JSON document, else as text; ``""`` if empty."""
    if not raw:
        return ''
    text = raw.decode(charset or 'utf-8', errors='replace')
    try:
        return jsonutils.loads(text)
    except (ValueError, RecursionError):
        return text


class BackgroundPublisher:
    """Send notifications from a bounded queue on a daemon thread.

    :meth:`publish` never blocks: it drops (and logs) a notification when
    the queue is full. A notification the notifier fails to send is logged
    and dropped; the thread goes on with the next one.

    One long-lived daemon thread, not a futurist executor: the
    notifications go out one at a time in order, the drain on close has a
    deadline, and futurist joins its workers at interpreter exit with no
    bound (a notifier retrying a bus that is down would hang the exit).

    The thread starts with the first notification of each process: a WSGI
    server that loads the application and then forks its workers (uwsgi
    without lazy-apps) gives each worker a sender of its own.
    """

    _STOP = object()

    def __init__(self, notifier, queue_size, drain_timeout):
        self._notifier = notifier
        self._queue = queue.Queue(maxsize=queue_size)
        self._drain_timeout = drain_timeout
        self._lock = threading.Lock()
        self._closed = False
        # Handed to the notifier (which logs and swallows its transport's
        # errors), raised by it, and dropped before it.
        self.sent = 0
        self.failed = 0
        self.dropped = 0
        self._thread = None
        self._pid = None

    def _ensure_thread(self):
        # Called with the lock held. A forked child inherits the queue but
        # not the thread: it starts afresh.
        if self._pid == os.getpid():
            return
        if self._pid is not None:
            self._queue = queue.Queue(maxsize=self._queue.maxsize)
        self._pid = os.getpid()
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name='valet-notifications')
        self._thread.start()
        # Daemon threads die with the interpreter: drain first.
        atexit.register(self.close)

    def publish(self, ctxt, priority, event_type, payload):
        """Queue one notification; never blocks, never raises."""
        with self._lock:
            if self._closed:
                self.dropped += 1
                return False
            self._ensure_thread()
            try:
                self._queue.put_nowait((ctxt, priority, event_type, payload))
            except queue.Full:
                self.dropped += 1
                LOG.warning('Notification queue full (%(size)d): dropped '
                            '%(event)s notification (%(dropped)d dropped '
                            'so far); is the message bus down?',
                            {'size': self._queue.maxsize,
                             'event': event_type, 'dropped': self.dropped})
                return False
        return True

    def _run(self):
        while True:
            item = self._queue.get()
            try:
                if item is self._STOP:
                    return
                self._send(*item)
            finally:
                self._queue.task_done()

    def _send(self, ctxt, priority, event_type, payload):
        try:
            if callable(payload):
                payload = payload()
            getattr(self._notifier, priority)(ctxt, event_type, payload)
        except Exception:
            self.failed += 1
            LOG.exception('Could not send the %s notification; dropped it.',
                          event_type)
        else:
            self.sent += 1

    def close(self, timeout=None):
        """Stop accepting notifications and send the queued ones.

        Waits at most ``timeout`` seconds (default: the drain timeout).
        Returns True when every queued notification was handled.
        """
        if timeout is None:
            timeout = self._drain_timeout
        deadline = time.monotonic() + timeout
        with self._lock:
            first = not self._closed
            self._closed = True
            running = self._pid == os.getpid()
        atexit.unregister(self.close)
        if not running:
            return True
        if first:
            try:
                # Behind everything already queued; waits for room when
                # the queue is full.
                self._queue.put(self._STOP, timeout=timeout)
            except queue.Full:
                LOG.warning('Notification queue still full on close.')
        self._thread.join(max(0.0, deadline - time.monotonic()))
        drained = not self._thread.is_alive()
        if not drained:
            LOG.warning('Gave up sending the queued notifications (about '
                        '%d) on close.', self._queue.qsize())
        return drained


class NotificationsMiddleware:
    """WSGI middleware publishing each request and response.

    It sits outside authentication and the body size limit, so that their
    401 and 413 answers are published too; it reads the identity headers
    (``X-User-Id``, ``X-Project-Id``) once the request has been through
    authentication, which removes what a client forged and sets what the
    token says.
    """

    def __init__(self, application, conf, notifier=None):
        self.application = application
        if notifier is None:
            notifier = messaging.get_notifier(conf)
        self.enabled = notifier.is_enabled()
        self.publisher = BackgroundPublisher(
            notifier, conf.notifications.queue_size,
            conf.notifications.drain_timeout)

    def __call__(self, environ, start_response):
        if not self.enabled:
            return self.application(environ, start_response)
        request = webob.Request(environ)
        response = request.get_response(self.application)
        try:
            self._publish(request, self._request_body(request, response),
                          response)
        except Exception:
            LOG.exception('Could not build the notification of %s %s',
                          request.method, request.path)
        return response(environ, start_response)

    @staticmethod
    def _request_body(request, response):
        """The request body, read after the application answered.

        A 413 came from the size limit inside this layer, which refused
        the body unread: it is not read here either. Any other body is
        within the limit, and seekable once an inner layer has read it.
        """
        if response.status_int == 413:
            return b''
        return request.body

    def _publish(self, request, request_body, response):
        headers = request.headers
        context = {
            'tenant_id': (headers.get('X-Project-Id') or
                          headers.get('X-Tenant-Id')),
            'user_id': headers.get('X-User-Id'),
        }
        method, path_qs = request.method, request.path_qs
        request_charset = request.charset
        status, response_body = response.status_int, response.body
        response_charset = response.charset

        def payload():
            # Parsing and scrubbing a stack's body costs milliseconds: it
            # is done by the sending thread, not the request's.
            return {
                'context': context,
                'request': {
                    'method': method,
                    'path': strutils.mask_password(path_qs, secret=MASK),
                    'body': scrub(parse_body(request_body,
                                             request_charset)),
                },
                'response': {
                    'status_code': status,
                    'body': scrub(parse_body(response_body,
                                             response_charset)),
                },
            }

        priority = 'info' if 200 <= status < 300 else 'error'
        ctxt = {'request_id': request.environ.get('openstack.request_id')}
        self.publisher.publish(ctxt, priority,
                               event_type_for(request.path_info), payload)

    def close(self, timeout=None):
        """Send the queued notifications (see BackgroundPublisher.close)."""
        return self.publisher.close(timeout)
