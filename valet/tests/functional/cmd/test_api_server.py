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

"""valet-api's embedded server (valet/cmd/api.py), in-process.

A small WSGI application stands for Valet's: these tests are about what
the server does before and around it. valet/tests/functional/services/
test_api_server.py drives the real valet-api process.
"""

import json
import socket
import threading

from valet.cmd import api as cmd_api
from valet.tests import base
from valet.tests.fixtures import raw_http

IO_TIMEOUT = 30
STOP_WAIT = 30
LIMIT = 1024


def _echo(environ, start_response):
    """Answer what the application saw of the request body."""
    body = environ['wsgi.input'].read(int(environ.get('CONTENT_LENGTH') or 0))
    document = json.dumps({
        'length': environ.get('CONTENT_LENGTH'),
        'transfer_encoding': environ.get('HTTP_TRANSFER_ENCODING'),
        'body': body.decode('latin-1')}).encode()
    start_response('200 OK', [('Content-Type', 'application/json'),
                              ('Content-Length', str(len(document)))])
    return [document]


class ApiServerTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.server = cmd_api.ApiServer('127.0.0.1', 0, _echo, LIMIT)
        self.addCleanup(self.server.server_close)
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       daemon=True)
        self.thread.start()
        self.addCleanup(self._stop)

    def _stop(self):
        self.server.shutdown()
        self.thread.join(STOP_WAIT)

    def _exchange(self, data):
        answer, status, headers, body = raw_http.exchange(
            self.server.server_port, data)
        self.assertEqual(1, answer.count(b'HTTP/1.1 '), answer)
        return status, headers, json.loads(body)

    def _error(self, status, data):
        got, headers, document = self._exchange(data)
        self.assertEqual(status, got, document)
        self.assertEqual('application/json', headers['content-type'])
        self.assertEqual('close', headers['connection'])
        [error] = document['errors']
        self.assertEqual(status, error['status'])
        self.assertEqual(
            {'status', 'code', 'title', 'detail', 'request_id'}, set(error))
        return error

    def test_malformed_request_line(self):
        error = self._error(400, b'NONSENSE\r\n\r\n')
        self.assertEqual('valet.invalid', error['code'])
        self.assertEqual('Bad Request', error['title'])

    def test_unsupported_version(self):
        self._error(505, b'GET / HTTP/3.0\r\nHost: x\r\n\r\n')

    def test_request_line_too_long(self):
        self._error(414, b'GET /' + b'a' * 70000 + b' HTTP/1.1\r\n\r\n')

    def test_headers_too_large(self):
        headers = b''.join(b'X-Filler-%d: %s\r\n' % (i, b'f' * 1000)
                           for i in range(70))
        self._error(413, b'GET / HTTP/1.1\r\nHost: x\r\n' + headers +
                    b'\r\n')

    def test_chunked_body_reaches_the_application_with_a_length(self):
        status, _, document = self._exchange(
            b'POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n'
            b'Transfer-Encoding: chunked\r\n\r\n'
            b'3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\n\r\n')
        self.assertEqual(200, status)
        self.assertEqual({'length': '5', 'transfer_encoding': None,
                          'body': 'abcde'}, document)

    def test_malformed_chunked_body(self):
        error = self._error(400, b'POST / HTTP/1.1\r\nHost: x\r\n'
                                 b'Transfer-Encoding: chunked\r\n\r\n'
                                 b'xyz\r\nabc\r\n0\r\n\r\n')
        self.assertIn('chunked request body is malformed', error['detail'])

    def test_chunked_body_over_the_limit(self):
        chunk = b'a' * LIMIT
        error = self._error(413, b'POST / HTTP/1.1\r\nHost: x\r\n'
                                 b'Transfer-Encoding: chunked\r\n\r\n' +
                            b'%x\r\n%s\r\n' % (len(chunk), chunk) * 2 +
                            b'0\r\n\r\n')
        self.assertIn('limit of %d bytes' % LIMIT, error['detail'])

    def test_chunked_body_at_the_limit(self):
        chunk = b'a' * LIMIT
        status, _, document = self._exchange(
            b'POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n'
            b'Transfer-Encoding: chunked\r\n\r\n' +
            b'%x\r\n%s\r\n' % (len(chunk), chunk) + b'0\r\n\r\n')
        self.assertEqual(200, status)
        self.assertEqual(str(LIMIT), document['length'])

    def test_shutdown_and_close_twice(self):
        self._stop()
        self.assertFalse(self.thread.is_alive())
        self.server.shutdown()
        self.server.server_close()
        self.server.server_close()


class ApiServerNotServedTest(base.TestCase):

    def test_bound_before_serving_and_closed_without_serving(self):
        server = cmd_api.make_server(self._conf(), _echo)
        port = server.server_port
        self.assertNotEqual(0, port)
        with socket.create_connection(('127.0.0.1', port), IO_TIMEOUT):
            pass
        server.shutdown()
        server.server_close()
        self.assertRaises(OSError, socket.create_connection,
                          ('127.0.0.1', port), IO_TIMEOUT)

    def _conf(self):
        self.flags(group='api', bind_host='127.0.0.1', bind_port=0)
        return self.conf
