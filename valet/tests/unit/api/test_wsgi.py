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

"""Tests of application loading (valet/wsgi) and valet-api."""

import http.client
import os
import threading
from unittest import mock

import fixtures

from valet.cmd import api as cmd_api
from valet.tests.unit.api import base
from valet import wsgi

# Seconds a test waits for the stop handler's thread: generous, since it
# only bounds a hang; a healthy run returns as soon as the call is made.
STOP_WAIT = 30


class ConfigFilesTest(base.APITestCase):

    def test_files_from_the_environment(self):
        self.assertEqual(
            ['/a.conf', '/b.conf'],
            wsgi.default_config_files({'OS_VALET_CONFIG_FILES':
                                       '/a.conf; /b.conf'}))

    def test_valet_conf_of_the_directory_when_it_exists(self):
        directory = self.useFixture(fixtures.TempDir()).path
        environ = {'OS_VALET_CONFIG_DIR': directory}
        self.assertEqual([], wsgi.default_config_files(environ))
        path = os.path.join(directory, 'valet.conf')
        with open(path, 'w') as conf_file:
            conf_file.write('[api]\nbind_port = 9999\n')
        self.assertEqual([path], wsgi.default_config_files(environ))
        conf = wsgi.build_conf(environ=environ)
        self.assertEqual(9999, conf.api.bind_port)

    def test_build_conf_ignores_the_servers_argv(self):
        with mock.patch('sys.argv', ['uwsgi', '--http', ':8090']):
            conf = wsgi.build_conf(environ={})
        self.assertEqual(8090, conf.api.bind_port)

    def test_init_application_configures_the_database(self):
        self.flags(group='database', connection='sqlite://')
        with mock.patch('valet.db.api.configure') as configure, \
                mock.patch('oslo_log.log.setup') as log_setup:
            application = wsgi.init_application(self.conf)
        configure.assert_called_once_with(self.conf)
        log_setup.assert_called_once_with(self.conf, 'valet')
        self.assertTrue(callable(application))


class ValetApiCommandTest(base.APITestCase):

    def test_serves_and_stops(self):
        self.flags(group='api', bind_host='127.0.0.1', bind_port=0)
        server = cmd_api.make_server(self.conf, self.app)
        self.addCleanup(server.server_close)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        connection = http.client.HTTPConnection('127.0.0.1',
                                                server.server_port)
        connection.request('GET', '/v1')
        response = connection.getresponse()
        self.assertEqual(200, response.status)
        self.assertIn(b'v1.0', response.read())
        connection.close()
        server.shutdown()
        thread.join(5)
        self.assertFalse(thread.is_alive())

    def test_sigterm_stops_the_server(self):
        # The handler calls shutdown() from a thread of its own: wait for
        # the call itself (the mock sets the event once it is recorded),
        # not for a poll of mock.called that may look before it happens.
        shut_down = threading.Event()
        server = mock.Mock()
        server.shutdown.side_effect = lambda: shut_down.set()
        with mock.patch('signal.signal') as signal:
            cmd_api.install_stop_handlers(server)
        self.assertEqual([15, 2], [call[0][0]
                                   for call in signal.call_args_list])
        handler = signal.call_args_list[0][0][1]
        handler(15, None)
        self.assertTrue(shut_down.wait(STOP_WAIT),
                        'shutdown() was not called')
        server.shutdown.assert_called_once_with()

    def test_main(self):
        server = mock.Mock(server_port=8090)
        with mock.patch.object(cmd_api, 'make_server',
                               return_value=server), \
                mock.patch.object(cmd_api, 'install_stop_handlers'), \
                mock.patch('oslo_log.log.setup'), \
                mock.patch('valet.db.api.configure'), \
                mock.patch('valet.wsgi.check_config'):
            self.assertEqual(0, cmd_api.main([]))
        server.serve_forever.assert_called_once_with()
        server.server_close.assert_called_once_with()
