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

"""What valet-engine and valet-listener share.

Both are oslo.service services on its threading backend (no eventlet; the
backend is selected in :mod:`valet`): :func:`launch` runs one in a worker
process supervised by cotyledon, which stops it on SIGTERM and exits 0,
and on SIGHUP re-reads the configuration files and restarts the worker.
Each service runs one oslo.messaging server (an RPC server or a
notification listener).
"""

import abc
import threading

from oslo_log import log as logging
from oslo_service import service
import pbr.version

import valet.conf

LOG = logging.getLogger(__name__)


def version_string():
    """Return Valet's version, as pbr computes it."""
    return pbr.version.VersionInfo('valet').version_string()


def prepare(conf, argv, prog):
    """Register every option on conf, parse argv and set up logging.

    ``argv`` excludes the program name; ``--config-file`` and
    ``--config-dir`` are understood, the default files being those of
    project ``valet`` (``/etc/valet/valet.conf`` and the like).
    """
    valet.conf.register_opts(conf)
    conf(argv, project='valet', prog=prog, version=version_string())
    logging.setup(conf, 'valet')


class MessagingService(service.Service, metaclass=abc.ABCMeta):
    """A service running one oslo.messaging server until it is stopped.

    The transport and the server are built in :meth:`start`, in the
    process that runs the service (a connection never crosses a fork).
    A transport given to the constructor is used instead of a new one and
    left open on stop: that is how a process running several parts of Valet
    shares the in-process ``fake://`` bus.
    """

    def __init__(self, conf, name, transport=None):
        super().__init__()
        self.conf = conf
        self.name = name
        self.transport = transport
        self._own_transport = transport is None
        self.server = None
        self._stopped = threading.Event()

    @abc.abstractmethod
    def create_transport(self):
        """Return the transport the server uses."""

    @abc.abstractmethod
    def create_server(self, transport):
        """Return the (not yet started) oslo.messaging server."""

    def start(self):
        """Connect to the bus and start serving."""
        super().start()
        self._stopped.clear()
        if self.transport is None:
            self.transport = self.create_transport()
        self.server = self.create_server(self.transport)
        self.server.start()
        LOG.info('%(name)s %(version)s started on %(host)s',
                 {'name': self.name, 'version': version_string(),
                  'host': self.conf.host})

    def stop(self, graceful=True):
        """Stop serving, finish the messages in hand and disconnect."""
        if self.server is not None:
            self.server.stop()
            self.server.wait()
            self.server = None
        if self.transport is not None and self._own_transport:
            self.transport.cleanup()
            self.transport = None
        self._stopped.set()
        super().stop(graceful)
        LOG.info('%s stopped', self.name)

    def wait(self):
        """Block until the service is stopped."""
        self._stopped.wait()
        super().wait()


def launch(conf, service_instance):
    """Run the service until SIGTERM; return the process exit code."""
    launcher = service.launch(conf, service_instance,
                              restart_method='mutate')
    return launcher.wait()
