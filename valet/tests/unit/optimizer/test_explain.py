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

"""Failure reasons name the rule that blocks, not the last filter."""

from valet.optimizer import api
from valet.tests.unit.optimizer import fakes
from valet.tests.unit.optimizer import test_api


class TestFailureReason(test_api.EngineTestCase):
    """The reason names the rule that blocks, not the last filter."""

    def _doc(self, full=(), vcpus=8):
        doc = fakes.topology(racks=2, hosts_per_rack=2, vcpus=vcpus)
        for host in doc['hosts']:
            if host['name'] in full:
                host['used'] = {'vcpus': vcpus, 'ram_mb': 0, 'disk_gb': 0}
        return doc

    def test_diversity_not_the_foreign_exclusivity_after_it(self):
        # b cannot join a in r0; in r1 one host is full and the other is
        # held by an exclusivity group of another stack, the last filter.
        existing = {'servers': [{'id': 'x', 'host': 'r1-h1',
                                 'flavor': 'small',
                                 'groups': [{'name': 'ex',
                                             'type': 'exclusivity',
                                             'level': 'host'}]}]}
        self.build({'a': fakes.server('medium'),
                    'b': fakes.server('medium'),
                    'g': fakes.group('diversity', 'rack', ['a', 'b'])},
                   self._doc(full=('r1-h0',)), existing)
        result = api.place_stack(self.conf, self.dc, self.stack)
        self.assertFalse(result.ok)
        self.assertIn("rule 'diversity' of group g (rack level)",
                      result.reason)
        self.assertNotIn('exclusivity', result.reason)
        self.assertIn('without this rule 2 host(s) would take them',
                      result.reason)
        self.assertEqual(1, result.explanation['exclusivity'][
            'hosts_excluded'])

    def test_rack_cluster_blocked_in_every_rack_tried(self):
        # One free host per rack: the host-diverse pair of the rack-affine
        # pod fits in no rack. The last attempt finds every rack tried.
        self.build({'a': fakes.server('medium'),
                    'b': fakes.server('medium'),
                    'tier': fakes.group('diversity', 'host', ['a', 'b']),
                    'pod': fakes.group('affinity', 'rack', ['tier'])},
                   self._doc(full=('r0-h1', 'r1-h1')))
        result = api.place_stack(self.conf, self.dc, self.stack)
        self.assertFalse(result.ok)
        self.assertIn("rule 'diversity' of group tier (host level)",
                      result.reason)
        self.assertIn('(after trying', result.reason)

    def test_capacity_before_other_data_center_rules(self):
        # No group of its own: of the rules that block alone, the one
        # that removed most hosts (capacity, 3) beats the exclusivity of
        # another stack (1 host, the last filter).
        existing = {'servers': [{'id': 'x', 'host': 'r1-h1',
                                 'flavor': 'small',
                                 'groups': [{'name': 'ex',
                                             'type': 'exclusivity',
                                             'level': 'host'}]}]}
        self.build({'a': fakes.server('medium')},
                   self._doc(full=('r0-h0', 'r0-h1', 'r1-h0')), existing)
        result = api.place_stack(self.conf, self.dc, self.stack)
        self.assertFalse(result.ok)
        self.assertIn("rule 'capacity' for server(s) a", result.reason)
        self.assertIn('without this rule 3 host(s)', result.reason)

    def test_no_single_rule_blocks_alone(self):
        # Capacity and the zone each exclude every host: the rule after
        # which nothing was left is named.
        doc = self._doc(full=('r0-h0', 'r0-h1', 'r1-h0', 'r1-h1'))
        self.build({'a': fakes.server('medium', availability_zone='mars')},
                   doc)
        result = api.place_stack(self.conf, self.dc, self.stack)
        self.assertFalse(result.ok)
        self.assertIn("rule 'capacity'", result.reason)
        self.assertNotIn('without this rule', result.reason)
