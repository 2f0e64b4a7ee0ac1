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

"""Verdicts of named groups: running members count with the new ones.

The data center has members of a rack-affinity, a rack-diversity and a
host-exclusivity group already running, as engine.md's named groups.
"""

from valet.tests.unit.optimizer import fakes
from valet.tests.unit.optimizer import test_verdicts

rule_named = test_verdicts.rule_named


class TestNamedGroups(test_verdicts.VerdictsTestCase):

    existing = {'servers': [
        {'id': 'legacy-0', 'host': 'r1-h0', 'flavor': 'small',
         'groups': [{'name': 'legacy', 'type': 'affinity',
                     'level': 'rack'}]},
        {'id': 'quorum-0', 'host': 'r0-h0', 'flavor': 'small',
         'groups': [{'name': 'quorum', 'type': 'diversity',
                     'level': 'rack'}]},
        {'id': 'db-0', 'host': 'r1-h2', 'flavor': 'small',
         'groups': [{'name': 'db-excl', 'type': 'exclusivity',
                     'level': 'host'}]},
        {'id': 'other-0', 'host': 'r0-h1', 'flavor': 'small'}]}

    def test_named_affinity_counts_running_members(self):
        resources = {'a': fakes.server(), 'b': fakes.server(),
                     'pod': fakes.group('affinity', 'rack', ['a', 'b'],
                                        group_name='legacy')}
        found = self.explain(resources, {'a': 'r1-h1', 'b': 'r1-h2'})
        rule = rule_named(found, 'pod')
        self.assertEqual(
            'affinity rack pod (group legacy, 2 new + 1 running): holds, '
            '1 rack (r1, with 1 running member)', rule['text'])
        self.assertEqual((2, 1, 'legacy'),
                         (rule['members'], rule['running'], rule['named']))
        # Together in a rack, but not the one the group runs in.
        found = self.explain(resources, {'a': 'r0-h1', 'b': 'r0-h2'})
        rule = rule_named(found, 'pod')
        self.assertEqual('broken', rule['verdict'])
        self.assertEqual(['a', 'b'], rule['servers'])
        self.assertEqual('spans 2 racks: r0 (a, b), r1 (1 running)',
                         rule['evidence'])

    def test_metadata_join_is_the_same_group(self):
        found = self.explain(
            {'a': fakes.server(metadata={'valet': {'groups': ['legacy']}})},
            {'a': 'r1-h1'})
        self.assertEqual('affinity rack legacy (1 new + 1 running): holds, '
                         '1 rack (r1, with 1 running member)',
                         rule_named(found, 'legacy')['text'])

    def test_named_diversity_keeps_off_running_members(self):
        resources = {'d1': fakes.server(), 'd2': fakes.server(),
                     'spread': fakes.group('diversity', 'rack', ['d1', 'd2'],
                                           group_name='quorum')}
        found = self.explain(resources, {'d1': 'r1-h0', 'd2': 'r1-h1'})
        self.assertEqual('broken', rule_named(found, 'spread')['verdict'])
        found = self.explain(resources, {'d1': 'r0-h2', 'd2': 'r1-h1'})
        rule = rule_named(found, 'spread')
        self.assertEqual('broken', rule['verdict'])
        self.assertEqual(['d1'], rule['servers'])
        self.assertEqual('d1 shares rack r0 with 1 running member',
                         rule['evidence'])

    def test_named_diversity_holds_with_running_members(self):
        self.dc = fakes.datacenter(
            self.conf, fakes.topology(racks=3, hosts_per_rack=3),
            existing=self.existing)
        found = self.explain(
            {'d1': fakes.server(), 'd2': fakes.server(),
             'spread': fakes.group('diversity', 'rack', ['d1', 'd2'],
                                   group_name='quorum')},
            {'d1': 'r1-h1', 'd2': 'r2-h0'})
        self.assertEqual(
            'diversity rack spread (group quorum, 2 new + 1 running): '
            'holds, 3 racks: r0 (1 running), r1 (d1), r2 (d2)',
            rule_named(found, 'spread')['text'])

    def test_named_exclusivity_on_its_own_host(self):
        resources = {'db1': fakes.server(), 'app': fakes.server(),
                     'db': fakes.group('exclusivity', 'host', ['db1'],
                                       group_name='db-excl')}
        found = self.explain(resources, {'db1': 'r1-h2', 'app': 'r0-h2'})
        self.assertEqual(
            'exclusivity host db (group db-excl, 1 new + 1 running): holds, '
            '1 host (r1-h2 already the group\'s), nothing else on it',
            rule_named(found, 'db')['text'])
        # A host holding another running server is not the group's alone.
        found = self.explain(resources, {'db1': 'r0-h1', 'app': 'r0-h2'})
        rule = rule_named(found, 'db')
        self.assertEqual('host r0-h1 also holds running other-0',
                         rule['evidence'])
        self.assertEqual(['db1'], rule['servers'])
        # Nor may a server of the stack go where the group already is.
        found = self.explain(resources, {'db1': 'r1-h2', 'app': 'r1-h2'})
        self.assertEqual('host r1-h2 also holds app of this stack',
                         rule_named(found, 'db')['evidence'])

    def test_other_stacks_exclusivity_is_kept_clear(self):
        found = self.explain({'a': fakes.server()}, {'a': 'r1-h1'})
        rule = rule_named(found, 'of running groups')
        self.assertEqual('exclusivity of running groups (db-excl, 1 host): '
                         'holds, no server of this stack on r1-h2',
                         rule['text'])
        found = self.explain({'a': fakes.server()}, {'a': 'r1-h2'})
        rule = rule_named(found, 'of running groups')
        self.assertEqual(('broken', ['a'], 'a on r1-h2 (db-excl)'),
                         (rule['verdict'], rule['servers'],
                          rule['evidence']))

    def test_used_capacity_breaks_exclusivity(self):
        doc = fakes.topology(racks=1, hosts_per_rack=2)
        doc['hosts'][0]['used'] = {'vcpus': 1}
        self.dc = fakes.datacenter(self.conf, doc)
        found = self.explain(
            {'x': fakes.server(),
             'alone': fakes.group('exclusivity', 'host', ['x'])},
            {'x': 'r0-h0'})
        self.assertEqual('host r0-h0 also holds used capacity on r0-h0',
                         rule_named(found, 'alone')['evidence'])
