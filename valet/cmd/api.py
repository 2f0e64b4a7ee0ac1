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

"""valet-api: serve the Valet API with a small threaded WSGI server.

For trials and development: production runs ``valet.wsgi.api:application``
under uwsgi or mod_wsgi. Listens on ``[api] bind_host``:``[api] bind_port``
and stops cleanly on SIGTERM or SIGINT.
"""

import signal
import socket
import socketserver
import sys
import threading
from wsgiref import simple_server

from oslo_log import log as logging

from valet import exception
from valet import wsgi

LOG = logging.getLogger(__name__)


class ThreadingWSGIServer(socketserver.ThreadingMixIn,
                          simple_server.WSGIServer):
    """A wsgiref server answering each connection in its own thread."""

    daemon_threads = True


class IPv6ThreadingWSGIServer(ThreadingWSGIServer):
    """The same, listening on an IPv6 address."""

    address_family = socket.AF_INET6


class LoggingRequestHandler(simple_server.WSGIRequestHandler):
    """Send the access log to oslo.log instead of stderr."""

    def log_message(self, format, *args):
        LOG.info('%s %s', self.address_string(), format % args)


def make_server(conf, application):
    """Return a server bound to [api] bind_host and bind_port."""
    host, port = conf.api.bind_host, conf.api.bind_port
    server_class = (IPv6ThreadingWSGIServer if ':' in host
                    else ThreadingWSGIServer)
    return simple_server.make_server(
        host, port, application, server_class=server_class,
        handler_class=LoggingRequestHandler)


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
