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

"""valet-api: serve the Valet API with an embedded threaded HTTP server.

For trials, small sites and development: production may as well run
``valet.wsgi.api:application`` under uwsgi or mod_wsgi. The server is
cheroot's (HTTP/1.1, keep-alive, chunked request bodies, a pool of worker
threads); it listens on ``[api] bind_host``:``[api] bind_port`` and stops
cleanly on SIGTERM or SIGINT.
"""

import io
import signal
import socket
import sys
import threading

from cheroot import server as cheroot_server
from cheroot import wsgi as cheroot_wsgi
from oslo_log import log as logging
from oslo_serialization import jsonutils

from valet.api import errors
from valet import exception
from valet import wsgi

LOG = logging.getLogger(__name__)

# Connections the kernel may queue before the server accepts them: a
# burst of clients must wait, not be reset (wsgiref listened with 5).
# The kernel caps it at net.core.somaxconn.
LISTEN_BACKLOG = socket.SOMAXCONN
# Worker threads: a request holds one while it waits for the database or
# the engine. Idle keep-alive connections hold none.
MIN_THREADS = 16
MAX_THREADS = 64
# The largest request line and headers, together: 414 or 413 beyond.
MAX_HEAD_BYTES = 64 * 1024

_IGNORED_SOCKET_ERRORS = cheroot_server.errors.socket_errors_to_ignore


class _ApiWgRequest(cheroot_server.HTTPRequest):
    """An HTTP request whose server-level errors are API-WG documents.

    cheroot answers what never reaches the application (a malformed
    request line or header, an unsupported HTTP version, a read timeout)
    with text/plain; clients of this API expect the errors document.
    """

    def simple_response(self, status, msg=''):
        """Write an error (or bodiless) answer as the API-WG document."""
        status = str(status)
        code = int(status[:3])
        if isinstance(msg, bytes):
            msg = msg.decode('iso-8859-1')
        reason = status[4:] or 'Error'
        # The access log never sees these: the application did not run.
        LOG.info('%(client)s answered by the server: %(status)s %(msg)s',
                 {'client': self.conn.remote_addr, 'status': status,
                  'msg': msg[:200]})
        body = jsonutils.dump_as_bytes(errors.error_document(
            {}, code, msg or reason, title=reason))
        head = ['%s %s' % (self.server.protocol, status),
                'Content-Length: %d' % len(body),
                'Content-Type: %s' % errors.JSON_TYPE]
        if code >= 400:
            # The request may be half read: nothing more on this one.
            self.close_connection = True
            head.append('Connection: close')
        data = ('\r\n'.join(head) + '\r\n\r\n').encode('iso-8859-1')
        try:
            self.conn.wfile.write(data + body)
        except socket.error as error:
            # The client left: there is no one to tell.
            if error.args[0] not in _IGNORED_SOCKET_ERRORS:
                raise

    def respond(self):
        """Answer the request; read a chunked body whole beforehand.

        The application then sees a body of known length, and a malformed
        or too large chunked body is answered here, on a connection that
        is closed afterwards (what is left of the body is never read as a
        next request).
        """
        if not self.chunked_read:
            return super().respond()
        limit = self.server.chunked_body_limit
        try:
            body = cheroot_server.ChunkedRFile(
                self.conn.rfile, 0).read(limit + 1)
        except ValueError as error:
            self.simple_response('400 Bad Request',
                                 'The chunked request body is malformed: '
                                 '%s' % str(error)[:200])
            return
        if len(body) > limit:
            self.simple_response('413 Request Entity Too Large',
                                 'The request body is larger than the limit '
                                 'of %d bytes.' % limit)
            return
        self.chunked_read = False
        self.inheaders.pop(b'Transfer-Encoding', None)
        self.inheaders[b'Content-Length'] = b'%d' % len(body)
        self.rfile = io.BytesIO(body)
        # The rest is cheroot's HTTPRequest.respond() past its choice of
        # the body reader.
        self.server.gateway(self).respond()
        if self.ready:
            self.ensure_headers_sent()
        if self.chunked_write:
            self.conn.wfile.write(b'0\r\n\r\n')


class _Connection(cheroot_server.HTTPConnection):
    RequestHandlerClass = _ApiWgRequest


class _CherootServer(cheroot_wsgi.Server):
    """cheroot's WSGI server, logging through oslo.log."""

    ConnectionClass = _Connection
    # The largest chunked request body read
    # ([oslo_middleware] max_request_body_size).
    chunked_body_limit = 1024 * 1024
    # The request line and headers together (cheroot's default: no limit).
    max_request_header_size = MAX_HEAD_BYTES

    def error_log(self, msg='', level=logging.INFO, traceback=False):
        """Send cheroot's own messages to the service log."""
        LOG.log(level, 'HTTP server: %s', msg, exc_info=traceback)


def _access_log(application):
    """Log one line per request, as the access log of a web server."""
    def logged(environ, start_response):
        def start(status, headers, exc_info=None):
            LOG.info('%(client)s "%(method)s %(path)s" %(status)s',
                     {'client': environ.get('REMOTE_ADDR'),
                      'method': environ.get('REQUEST_METHOD'),
                      'path': environ.get('PATH_INFO'),
                      'status': status.split(' ', 1)[0]})
            return start_response(status, headers, exc_info)
        return application(environ, start)
    return logged


class ApiServer:
    """The embedded server, bound and listening once built.

    It offers what the callers of wsgiref's server used:
    :meth:`serve_forever`, :meth:`shutdown` (from another thread),
    :meth:`server_close` and :attr:`server_port`.
    """

    def __init__(self, host, port, application, max_body_size):
        self._server = _CherootServer(
            (host, port), _access_log(application),
            numthreads=MIN_THREADS, max=MAX_THREADS,
            request_queue_size=LISTEN_BACKLOG, server_name='valet-api')
        self._server.chunked_body_limit = max_body_size
        # Bind now: the port is known (and taken) before serve_forever.
        self._server.prepare()
        self._served = threading.Event()
        self._served.set()

    @property
    def server_port(self):
        """The port listened on (the real one when 0 was configured)."""
        return self._server.bind_addr[1]

    def serve_forever(self):
        """Serve until :meth:`shutdown` is called from another thread."""
        self._served.clear()
        try:
            self._server.serve()
        finally:
            self._served.set()

    def shutdown(self):
        """Stop serving and wait for :meth:`serve_forever` to return."""
        self._server.stop()
        self._served.wait()

    def server_close(self):
        """Close the listening socket and the connections (idempotent)."""
        self._server.stop()


def make_server(conf, application):
    """Return a server bound to [api] bind_host and bind_port."""
    return ApiServer(conf.api.bind_host, conf.api.bind_port, application,
                     conf.oslo_middleware.max_request_body_size)


def install_stop_handlers(server):
    """Stop serving on SIGTERM and SIGINT."""
    def stop(signum, frame):
        LOG.info('Signal %d received: stopping valet-api.', signum)
        # shutdown() waits for serve_forever() to return: it must be
        # called from another thread than the serving one.
        threading.Thread(target=server.shutdown, daemon=True).start()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)


def main(argv=None):
    """Entry point of the valet-api command."""
    conf = wsgi.build_conf(sys.argv[1:] if argv is None else argv)
    try:
        application = wsgi.init_application(conf)
    except exception.ConfigurationError:
        # init_application logged the one line naming the option: exit
        # without a traceback.
        return 1
    server = make_server(conf, application)
    install_stop_handlers(server)
    LOG.info('valet-api listening on %(host)s:%(port)s',
             {'host': conf.api.bind_host, 'port': server.server_port})
    try:
        server.serve_forever()
    finally:
        server.server_close()
    LOG.info('valet-api stopped.')
    return 0
