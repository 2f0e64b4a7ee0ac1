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

"""valet-api as a real process: bursts, raw HTTP, chunked bodies, signals.

Each test starts the installed ``valet-api`` on a free port with noauth
and a SQLite file of its own, and talks to it over sockets as a client
would.
"""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import fixtures

from valet.tests import base
from valet.tests.fixtures import raw_http

# Generous bounds on waits; never asserted as durations.
START_WAIT = 60
STOP_WAIT = 30
IO_TIMEOUT = 30
BURST = 100
BODY_LIMIT = 4096
ADMIN = {'X-User-Id': 'u1', 'X-Project-Id': 'p1',
         'X-Roles': 'admin,member,reader'}


def _console_script(name):
    path = os.path.join(os.path.dirname(sys.executable), name)
    if os.path.exists(path):
        return [path]
    return [sys.executable, '-m', 'valet.cmd.%s' % name.split('-')[1]]


def _free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class ApiServerProcessTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.port = _free_port()
        self.log_file = os.path.join(self.tmp, 'valet-api.log')
        conf_file = os.path.join(self.tmp, 'valet.conf')
        with open(conf_file, 'w') as f:
            f.write('[DEFAULT]\nlog_file = %s\n'
                    '[api]\nauth_strategy = noauth\n'
                    'bind_host = 127.0.0.1\nbind_port = %d\n'
                    '[oslo_middleware]\nmax_request_body_size = %d\n'
                    '[database]\nconnection = sqlite:///%s\n'
                    % (self.log_file, self.port, BODY_LIMIT,
                       os.path.join(self.tmp, 'valet.sqlite')))
        subprocess.run(_console_script('valet-manage') +
                       ['--config-file', conf_file, 'db', 'sync'],
                       check=True, capture_output=True, timeout=START_WAIT)
        self.process = subprocess.Popen(
            _console_script('valet-api') + ['--config-file', conf_file],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.addCleanup(self._kill)
        self._wait_until_up()

    def _kill(self):
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(STOP_WAIT)
        self.process.stderr.close()

    def _log(self):
        try:
            with open(self.log_file) as f:
                return f.read()[-5000:]
        except OSError:
            return '(no log)'

    def _wait_until_up(self):
        deadline = time.monotonic() + START_WAIT
        while True:
            try:
                with socket.create_connection(('127.0.0.1', self.port), 1):
                    return
            except OSError:
                if self.process.poll() is not None or (
                        time.monotonic() > deadline):
                    self.fail('valet-api never listened:\n%s' % self._log())
                time.sleep(0.1)

    def _request(self, method, path, body=None, headers=None):
        connection = http.client.HTTPConnection('127.0.0.1', self.port,
                                                timeout=IO_TIMEOUT)
        try:
            connection.request(method, path, body=body,
                               headers=headers or {})
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            connection.close()

    def _raw(self, data):
        """Send raw bytes; return (status, headers, body) of the answer."""
        answer, status, headers, body = raw_http.exchange(self.port, data)
        # One answer only: what follows a refused request is never read
        # as another one.
        self.assertEqual(1, answer.count(b'HTTP/1.1 '), answer)
        return status, headers, body

    def assertApiWgError(self, status, answer):
        got_status, headers, body = answer
        self.assertEqual(status, got_status, body)
        content_type = headers['content-type']
        self.assertEqual('application/json', content_type.split(';')[0])
        errors = json.loads(body)['errors']
        self.assertEqual(1, len(errors))
        self.assertEqual(status, errors[0]['status'])
        self.assertTrue(errors[0]['code'].startswith('valet.'), errors)
        self.assertTrue(errors[0]['title'])
        self.assertTrue(errors[0]['detail'])

    def test_burst_of_concurrent_clients(self):
        start = threading.Barrier(BURST)
        outcomes = [None] * BURST

        def client(index):
            start.wait()
            try:
                outcomes[index] = self._request('GET', '/v1')[0]
            except Exception as error:
                outcomes[index] = repr(error)

        threads = [threading.Thread(target=client, args=(i,))
                   for i in range(BURST)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        failed = [o for o in outcomes if o != 200]
        self.assertEqual([], failed, '%d of %d clients failed' %
                         (len(failed), BURST))

    def test_malformed_request_line(self):
        self.assertApiWgError(400, self._raw(b'GARBAGE\r\n\r\n'))

    def test_malformed_header(self):
        self.assertApiWgError(400, self._raw(
            b'GET /v1 HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n'))

    def test_bad_content_length(self):
        self.assertApiWgError(400, self._raw(
            b'POST /v1/groups HTTP/1.1\r\nHost: x\r\n'
            b'Content-Length: many\r\n\r\n{}'))

    def test_unsupported_http_version(self):
        self.assertApiWgError(505, self._raw(
            b'GET /v1 HTTP/2.0\r\nHost: x\r\n\r\n'))

    def test_chunked_body_is_read(self):
        body = json.dumps({'name': 'chunked', 'type': 'affinity',
                           'level': 'host'}).encode()
        # Two chunks, so that a server reading one would see bad JSON.
        chunked = b''.join(b'%x\r\n%s\r\n' % (len(part), part)
                           for part in (body[:10], body[10:], b''))
        head = ''.join('%s: %s\r\n' % item for item in ADMIN.items())
        status, _, answer = self._raw(
            b'POST /v1/groups HTTP/1.1\r\nHost: x\r\n'
            b'Content-Type: application/json\r\n'
            b'Transfer-Encoding: chunked\r\nConnection: close\r\n' +
            head.encode() + b'\r\n' + chunked)
        self.assertEqual(201, status, answer)
        self.assertEqual('chunked', json.loads(answer)['group']['name'])
        status, _, answer = self._request('GET', '/v1/groups/chunked',
                                          headers=ADMIN)
        self.assertEqual(200, status, answer)

    def _chunked_post(self, chunks):
        return self._raw(
            b'POST /v1/groups HTTP/1.1\r\nHost: x\r\n'
            b'Content-Type: application/json\r\nX-User-Id: u1\r\n'
            b'Transfer-Encoding: chunked\r\n\r\n' + chunks)

    def test_bad_chunked_body(self):
        # What follows the bad chunk size must not be served.
        self.assertApiWgError(400, self._chunked_post(
            b'zz\r\n{}\r\n0\r\n\r\nGET /v1 HTTP/1.1\r\nHost: x\r\n\r\n'))

    def test_chunked_body_too_large(self):
        chunk = b'x' * 1000
        self.assertApiWgError(413, self._chunked_post(
            b'%x\r\n%s\r\n' % (len(chunk), chunk) * 5 + b'0\r\n\r\n'))

    def test_keep_alive_serves_several_requests(self):
        connection = http.client.HTTPConnection('127.0.0.1', self.port,
                                                timeout=IO_TIMEOUT)
        self.addCleanup(connection.close)
        for _ in range(3):
            connection.request('GET', '/v1')
            response = connection.getresponse()
            response.read()
            self.assertEqual(200, response.status)

    def _stops_on(self, signum):
        self.assertEqual(200, self._request('GET', '/v1')[0])
        self.process.send_signal(signum)
        try:
            code = self.process.wait(STOP_WAIT)
        except subprocess.TimeoutExpired:
            self.fail('valet-api ignored signal %d:\n%s' %
                      (signum, self._log()))
        self.assertEqual(0, code, self._log())
        self.assertIn('valet-api stopped', self._log())

    def test_sigterm_stops_it(self):
        self._stops_on(signal.SIGTERM)

    def test_sigint_stops_it(self):
        self._stops_on(signal.SIGINT)
