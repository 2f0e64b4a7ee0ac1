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

"""A running Valet for the plugin suites, and a client to check it with."""

import os
import subprocess
import sys
import tempfile
import time

import fixtures
from keystoneauth1 import session as ks_session

from valet.plugins import client as valet_client
from valet.plugins import noauth

#: Bound on Valet's start: it answers in a few seconds; this only stops a
#: broken start from hanging the suite.
START_BOUND = 120
ADMIN = {'user_id': 'plugin-tests-admin', 'project_id': 'admin-project',
         'roles': ['admin']}


class RunningValet(fixtures.Fixture):
    """valet-api and valet-engine (one process) on SQLite, noauth.

    ``url`` is the API's endpoint; :meth:`client` gives a
    :class:`valet.plugins.client.Client` with a given identity (noauth
    headers through :class:`valet.plugins.noauth.ValetNoAuth`).
    """

    def __init__(self, topology=None):
        super().__init__()
        self.topology = topology

    def _setUp(self):
        self.state_dir = self.useFixture(fixtures.TempDir()).path
        command = [sys.executable, '-m', 'valet.tests.plugins.serve',
                   '--state-dir', self.state_dir]
        if self.topology:
            command += ['--topology', self.topology]
        self.log = open(os.path.join(self.state_dir, 'serve.out'), 'w')
        self.addCleanup(self.log.close)
        self.process = subprocess.Popen(
            command, stdout=self.log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL)
        self.addCleanup(self._stop)
        url_file = os.path.join(self.state_dir, 'url')
        deadline = time.monotonic() + START_BOUND
        while not os.path.exists(url_file):
            if self.process.poll() is not None:
                raise RuntimeError('Valet exited (%s) before serving:\n%s' % (
                    self.process.returncode, self.output()))
            if time.monotonic() > deadline:
                raise RuntimeError('Valet did not serve within %d s:\n%s' % (
                    START_BOUND, self.output()))
            time.sleep(0.1)
        with open(url_file) as f:
            self.url = f.read().strip()

    def output(self):
        self.log.flush()
        with open(os.path.join(self.state_dir, 'serve.out')) as f:
            return f.read()[-4000:]

    def _stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def auth(self, user_id, project_id, roles):
        """A keystoneauth plugin that is this identity on this Valet."""
        return noauth.ValetNoAuth(endpoint=self.url, user_id=user_id,
                                  project_id=project_id, roles=roles)

    def client(self, user_id=ADMIN['user_id'],
               project_id=ADMIN['project_id'], roles=ADMIN['roles']):
        """A plugin client with that identity."""
        session = ks_session.Session(
            auth=self.auth(user_id, project_id, roles))
        return valet_client.Client(valet_client.adapter(
            session, endpoint_override=self.url))


class HungServer(fixtures.Fixture):
    """A TCP server on 127.0.0.1 that takes connections and never answers.

    What a client sees of a Valet whose API hangs (a database that does
    not answer, a stuck worker): ``url``.
    """

    def _setUp(self):
        import socket
        import threading

        self.sock = socket.socket()
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(16)
        # accept() wakes up now and then to see whether to stop.
        self.sock.settimeout(0.2)
        self.url = 'http://127.0.0.1:%d' % self.sock.getsockname()[1]
        self.accepted = []
        self.stopping = threading.Event()

        def accept():
            while not self.stopping.is_set():
                try:
                    conn, _ = self.sock.accept()
                except socket.timeout:
                    continue
                except OSError:
                    return
                self.accepted.append(conn)

        thread = threading.Thread(target=accept, daemon=True)
        thread.start()
        self.addCleanup(self._stop, thread)

    def _stop(self, thread):
        self.stopping.set()
        thread.join(10)
        self.sock.close()
        for conn in self.accepted:
            conn.close()


def unused_url():
    """A URL on 127.0.0.1 where nothing listens (Valet unreachable)."""
    import socket

    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    return 'http://127.0.0.1:%d' % port


def temp_file(text, suffix='.yaml'):
    """Write text to a new temporary file; return its path."""
    fd, path = tempfile.mkstemp(suffix=suffix)
    with os.fdopen(fd, 'w') as f:
        f.write(text)
    return path
