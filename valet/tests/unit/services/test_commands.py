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

"""valet-engine and valet-listener: configuration and launch."""

import os
from unittest import mock

import fixtures

from valet.cmd import engine as engine_cmd
from valet.cmd import listener as listener_cmd
from valet.common import service
from valet.engine import service as engine_service
from valet.listener import service as listener_service
from valet.tests import base


class CommandTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.conf_file = os.path.join(self.tmp, 'valet.conf')
        with open(self.conf_file, 'w') as f:
            f.write('[DEFAULT]\nhost = from-file\n'
                    '[engine_rpc]\ntopic = file-topic\n')
        self.conf_dir = os.path.join(self.tmp, 'valet.conf.d')
        os.mkdir(self.conf_dir)
        with open(os.path.join(self.conf_dir, '10-listener.conf'), 'w') as f:
            f.write('[listener]\npool = dir-pool\n')
        self.launch = self.useFixture(fixtures.MockPatchObject(
            service, 'launch', return_value=0)).mock
        # oslo.log would point the process's root logger at the conf.
        self.useFixture(fixtures.MockPatchObject(
            service.logging, 'setup'))

    def _run(self, main):
        code = main(['--config-file', self.conf_file,
                     '--config-dir', self.conf_dir])
        conf, launched = self.launch.call_args[0]
        return code, conf, launched

    def test_engine_reads_config_and_launches(self):
        code, conf, launched = self._run(engine_cmd.main)
        self.assertEqual(0, code)
        self.assertIsInstance(launched, engine_service.EngineService)
        self.assertIs(conf, launched.conf)
        self.assertEqual(('from-file', 'file-topic', 'dir-pool'),
                         (conf.host, conf.engine_rpc.topic,
                          conf.listener.pool))
        # Every option group of Valet is there, e.g. the engine's.
        self.assertEqual('holistic', conf.engine.optimizer)

    def test_listener_reads_config_and_launches(self):
        self.launch.return_value = 3
        code, conf, launched = self._run(listener_cmd.main)
        self.assertEqual(3, code)
        self.assertIsInstance(launched, listener_service.ListenerService)
        self.assertEqual('dir-pool', conf.listener.pool)

    def test_bad_option_value_names_it(self):
        with open(self.conf_file, 'a') as f:
            f.write('[engine_rpc]\ntimeout = soon\n')
        code, conf, _launched = self._run(engine_cmd.main)
        error = self.assertRaises(ValueError, getattr, conf.engine_rpc,
                                  'timeout')
        self.assertIn('timeout', str(error))


class LaunchTest(base.TestCase):

    def test_launch_uses_the_threading_launcher(self):
        svc = engine_service.EngineService(self.conf)
        with mock.patch.object(service.service, 'launch') as launch:
            launch.return_value.wait.return_value = 0
            self.assertEqual(0, service.launch(self.conf, svc))
        launch.assert_called_once_with(self.conf, svc,
                                       restart_method='mutate')
