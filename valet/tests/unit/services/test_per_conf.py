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

"""Tests of valet.common.per_conf."""

import gc

from oslo_config import cfg

from valet.common import per_conf
from valet.tests import base


class PerConfTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.built = []

        def build(conf):
            self.built.append(conf)
            return object()

        self.cache = per_conf.PerConf(build)

    def test_one_object_per_conf(self):
        other = cfg.ConfigOpts()
        first = self.cache.get(self.conf)
        self.assertIs(first, self.cache.get(self.conf))
        self.assertIsNot(first, self.cache.get(other))
        self.assertEqual([self.conf, other], self.built)

    def test_pop_and_clear_forget(self):
        first = self.cache.get(self.conf)
        self.assertIs(first, self.cache.pop(self.conf))
        self.assertIsNone(self.cache.pop(self.conf))
        self.assertIsNot(first, self.cache.get(self.conf))
        self.cache.clear()
        self.cache.get(self.conf)
        self.assertEqual(3, len(self.built))

    def test_a_reused_id_gets_its_own_object(self):
        conf = cfg.ConfigOpts()
        first = self.cache.get(conf)
        key = id(conf)
        del conf
        self.built.clear()
        gc.collect()
        # A dead conf's entry is never handed to another conf, even one
        # that happens to get the same id.
        owner, value = self.cache._entries[key]
        self.assertIsNone(owner())
        self.assertIs(first, value)
        newcomer = cfg.ConfigOpts()
        self.cache._entries[id(newcomer)] = (owner, value)
        self.assertIsNot(first, self.cache.get(newcomer))
        self.assertEqual([newcomer], self.built)
