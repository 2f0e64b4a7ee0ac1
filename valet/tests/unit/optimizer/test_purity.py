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

"""The optimizer library stays pure: no database, RPC or HTTP inside."""

import ast
import os

import valet.optimizer
from valet.tests import base

FORBIDDEN = ('valet.db', 'oslo_messaging', 'oslo_db', 'webob', 'sqlalchemy',
             'keystonemiddleware', 'valet.api')
# The engine service (valet.engine) wraps the library; nothing of it, and
# nothing of the other services, may be imported by the library either.
FORBIDDEN += ('valet.engine', 'valet.listener', 'oslo_service', 'requests',
              'openstack', 'keystoneauth1', 'valet.common.messaging')


def _imports(path):
    with open(path) as source:
        tree = ast.parse(source.read(), path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


class TestLibraryIsPure(base.TestCase):

    def test_no_db_rpc_or_http_imports(self):
        root = os.path.dirname(valet.optimizer.__file__)
        checked = 0
        for folder, _dirs, files in os.walk(root):
            for name in files:
                if not name.endswith('.py'):
                    continue
                path = os.path.join(folder, name)
                checked += 1
                for module in _imports(path):
                    self.assertFalse(
                        module.startswith(FORBIDDEN),
                        '%s imports %s' % (path, module))
        self.assertGreater(checked, 20)
