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

"""Base test case for Valet's unit and functional tests."""

from oslo_config import cfg
from oslo_config import fixture as config_fixture
from oslotest import base

import valet.conf


class TestCase(base.BaseTestCase):
    """A test case with its own, fully registered ``ConfigOpts``.

    ``self.conf`` is private to the test: nothing in Valet reads a global
    configuration, so tests never leak options into each other.
    """

    def setUp(self):
        super().setUp()
        self.conf = cfg.ConfigOpts()
        valet.conf.register_opts(self.conf)
        self.conf_fixture = self.useFixture(config_fixture.Config(self.conf))
        self.conf([], project='valet', default_config_files=[])

    def flags(self, group=None, **kw):
        """Override config options for the duration of the test."""
        self.conf_fixture.config(group=group, **kw)
