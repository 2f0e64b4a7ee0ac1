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

"""The oslo-config-generator defaults hook, in a process of its own.

The hook changes the libraries' option objects for the whole process, as
oslo-config-generator runs it: a fresh interpreter runs it here.
"""

import subprocess
import sys

from valet.tests import base
from valet.tests.unit.cmd.test_entry_points import valet_entry_points


class ConfigDefaultsHookTest(base.TestCase):

    def test_config_defaults_hook(self):
        # It changes library defaults for the whole process: run it in a
        # process of its own, as oslo-config-generator does.
        hooks = valet_entry_points('oslo.config.opts.defaults')
        self.assertEqual(['valet'], [point.name for point in hooks])
        script = (
            'from oslo_db import options as db_opts\n'
            'from oslo_messaging import opts\n'
            'import %s as hook\n'
            'hook.%s()\n'
            'found = {(g, o.name): o.default for g, os_ in opts.list_opts()'
            ' for o in os_}\n'
            'found.update({(g, o.name): o.default'
            ' for g, os_ in db_opts.list_opts() for o in os_})\n'
            'from oslo_middleware import opts as mw_opts\n'
            'found.update({(g, o.name): o.default'
            ' for g, os_ in mw_opts.list_opts_sizelimit() +'
            ' mw_opts.list_opts_healthcheck() for o in os_})\n'
            'print(found[("oslo_middleware", "max_request_body_size")],'
            ' found[("healthcheck", "backends")])\n'
            'print(found[(None, "transport_url")],'
            ' found[(None, "control_exchange")],'
            ' found[("oslo_messaging_notifications", "driver")],'
            ' found[("database", "max_retries")],'
            ' found[("database", "retry_interval")])\n')
        module, function = hooks[0].value.split(':')
        output = subprocess.run([sys.executable, '-c',
                                 script % (module, function)],
                                capture_output=True, text=True, check=True,
                                timeout=120)
        self.assertEqual(["1048576 ['valet_database']",
                          "rabbit:// valet [] 3 1"],
                         output.stdout.strip().splitlines())
