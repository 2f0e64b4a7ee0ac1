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

"""Build the gabbi tests of gabbits/ for one database backend."""

import os
import types

from gabbi import driver

from valet.tests.fixtures import api as api_fixtures
from valet.tests.fixtures import api_engine

GABBITS = os.path.join(os.path.dirname(__file__), 'gabbits')


def build(loader, test_loader_name, fixture_class):
    """Return the gabbi suite with APIFixture meaning fixture_class."""
    # The YAML files name "APIFixture" (or "EngineAPIFixture", the same
    # with a valet-engine behind the API); which backend it uses is
    # decided by the module gabbi looks the name up in.
    fixture_module = types.SimpleNamespace(
        APIFixture=fixture_class,
        EngineAPIFixture=api_engine.with_engine(fixture_class))
    return driver.build_tests(
        GABBITS, loader, intercept=api_fixtures.setup_app,
        test_loader_name=test_loader_name, fixture_module=fixture_module)
