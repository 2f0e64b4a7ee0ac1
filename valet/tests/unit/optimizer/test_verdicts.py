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

"""Tests of valet.optimizer.verdicts: each rule judged from the placement.

Most placements here are written by hand, not found by the search: a
verdict must be right for a placement the search would never give.
"""

import json

from valet.optimizer import api
from valet.optimizer import exception
from valet.optimizer.model import heat
from valet.optimizer import verdicts
from valet.tests import base
from valet.tests.unit.optimizer import fakes


def rule_named(found, name):
    """The one verdict of ``found`` about rule ``name``."""
    matches = [r for r in found['rules'] if r['name'] == name]
    assert len(matches) == 1, (name, found['rules'])
    return matches[0]


class VerdictsTestCase(base.TestCase):
    """Two racks r0, r1 of three hosts (8 vcpus, 8192 MB, 100 GB each)."""

    existing = None

    def setUp(self):
        super().setUp()
        self.dc = fakes.datacenter(
            self.conf, fakes.topology(racks=2, hosts_per_rack=3),
            existing=self.existing)

    def explain(self, resources, placements, **kw):
        self.stack = fakes.stack(self.dc, resources)
        found = verdicts.explain(self.dc, self.stack, placements, **kw)
        json.dumps(found)  # the demo and scripts may print it as JSON
        return found


class TestGroupRules(VerdictsTestCase):

    def test_affinity_host_holds(self):
        found = self.explain(
            {'a': fakes.server(), 'b': fakes.server(),
             'pair': fakes.group('affinity', 'host', ['a', 'b'])},
            {'a': 'r0-h1', 'b': 'r0-h1'})
        rule = rule_named(found, 'pair')
        self.assertEqual(('affinity', 'host', 'holds', 2),
                         (rule['rule'], rule['level'], rule['verdict'],
                          rule['members']))
        self.assertEqual('affinity host pair (2 servers): holds, 1 host '
                         '(r0-h1)', rule['text'])
        self.assertTrue(found['ok'])

    def test_affinity_host_broken_names_the_server_away(self):
        found = self.explain(
            {'a': fakes.server(), 'b': fakes.server(), 'c': fakes.server(),
             'trio': fakes.group('affinity', 'host', ['a', 'b', 'c'])},
            {'a': 'r0-h1', 'b': 'r0-h1', 'c': 'r0-h2'})
        rule = rule_named(found, 'trio')
        self.assertEqual('broken', rule['verdict'])
        self.assertEqual(['c'], rule['servers'])
        self.assertEqual('spans 2 hosts: r0-h1 (a, b), r0-h2 (c)',
                         rule['evidence'])
        self.assertFalse(found['ok'])

    def test_affinity_rack(self):
        resources = {'a': fakes.server(), 'b': fakes.server(),
                     'pod': fakes.group('affinity', 'rack', ['a', 'b'])}
        found = self.explain(resources, {'a': 'r1-h0', 'b': 'r1-h2'})
        self.assertEqual('holds, 1 rack (r1)',
                         rule_named(found, 'pod')['text'].split(': ', 1)[1])
        found = self.explain(resources, {'a': 'r1-h0', 'b': 'r0-h2'})
        self.assertEqual('broken', rule_named(found, 'pod')['verdict'])
        self.assertEqual('spans 2 racks: r0 (b), r1 (a)',
                         rule_named(found, 'pod')['evidence'])

    def test_diversity_host_and_rack(self):
        resources = {'a': fakes.server(), 'b': fakes.server(),
                     'c': fakes.server(),
                     'spread': fakes.group('diversity', 'host',
                                           ['a', 'b', 'c']),
                     'apart': fakes.group('diversity', 'rack', ['a', 'b'])}
        found = self.explain(resources,
                             {'a': 'r0-h0', 'b': 'r1-h0', 'c': 'r0-h1'})
        self.assertEqual(
            'diversity host spread (3 servers): holds, 3 hosts: r0-h0 (a), '
            'r0-h1 (c), r1-h0 (b)', rule_named(found, 'spread')['text'])
        self.assertEqual(
            'diversity rack apart (2 servers): holds, 2 racks: r0 (a), '
            'r1 (b)', rule_named(found, 'apart')['text'])
        found = self.explain(resources,
                             {'a': 'r0-h0', 'b': 'r0-h0', 'c': 'r0-h1'})
        spread, apart = rule_named(found, 'spread'), rule_named(found, 'apart')
        self.assertEqual(('broken', ['a', 'b']),
                         (spread['verdict'], spread['servers']))
        self.assertEqual('a and b share host r0-h0', spread['evidence'])
        self.assertEqual('a and b share rack r0', apart['evidence'])

    def test_long_evidence_is_cut_short(self):
        names = ['s%d' % i for i in range(9)]
        resources = {n: fakes.server() for n in names}
        resources['spread'] = fakes.group('diversity', 'host', names)
        found = self.explain(resources, {n: 'r0-h0' for n in names})
        rule = rule_named(found, 'spread')
        self.assertEqual('s0, s1, s2, s3, s4, s5 and 3 more share host '
                         'r0-h0', rule['evidence'])
        self.assertEqual(names, rule['servers'])
        found = self.explain(resources, {n: 'r%d-h%d' % (i // 3, i % 3)
                                         for i, n in enumerate(names[:6])}
                             | {n: 'r0-h0' for n in names[6:]})
        self.assertEqual('s0, s6, s7 and s8 share host r0-h0',
                         rule_named(found, 'spread')['evidence'])

    def test_nested_units_of_a_diversity_group(self):
        resources = {
            'a1': fakes.server(), 'a2': fakes.server(),
            'b1': fakes.server(), 'b2': fakes.server(),
            'pod_a': fakes.group('affinity', 'rack', ['a1', 'a2']),
            'pod_b': fakes.group('affinity', 'rack', ['b1', 'b2']),
            'replicas': fakes.group('diversity', 'rack',
                                    ['pod_a', 'pod_b'])}
        found = self.explain(resources, {'a1': 'r0-h0', 'a2': 'r0-h1',
                                         'b1': 'r1-h0', 'b2': 'r1-h2'})
        self.assertEqual('affinity rack pod_a (2 servers, in replicas): '
                         'holds, 1 rack (r0)',
                         rule_named(found, 'pod_a')['text'])
        self.assertEqual(['replicas'], rule_named(found, 'pod_a')['parents'])
        self.assertEqual('diversity rack replicas (4 servers): holds, '
                         '2 racks: r0 (pod_a), r1 (pod_b)',
                         rule_named(found, 'replicas')['text'])
        # Members of one unit may share a rack; two units may not.
        found = self.explain(resources, {'a1': 'r0-h0', 'a2': 'r0-h1',
                                         'b1': 'r0-h2', 'b2': 'r0-h2'})
        rule = rule_named(found, 'replicas')
        self.assertEqual('pod_a and pod_b share rack r0', rule['evidence'])
        self.assertEqual(['a1', 'a2', 'b1', 'b2'], rule['servers'])

    def test_exclusivity_host_holds(self):
        found = self.explain(
            {'fw1': fakes.server(), 'fw2': fakes.server(),
             'app': fakes.server(),
             'fw-excl': fakes.group('exclusivity', 'host', ['fw1', 'fw2'])},
            {'fw1': 'r0-h0', 'fw2': 'r0-h1', 'app': 'r0-h2'})
        self.assertEqual(
            'exclusivity host fw-excl (2 servers): holds, 2 hosts (r0-h0, '
            'r0-h1), nothing else on them',
            rule_named(found, 'fw-excl')['text'])

    def test_exclusivity_broken_by_a_server_of_the_stack(self):
        resources = {
            'fw1': fakes.server(), 'app': fakes.server(),
            'fw-excl': fakes.group('exclusivity', 'rack', ['fw1'])}
        found = self.explain(resources, {'fw1': 'r0-h0', 'app': 'r0-h2'})
        rule = rule_named(found, 'fw-excl')
        self.assertEqual('broken', rule['verdict'])
        self.assertEqual(['app', 'fw1'], rule['servers'])
        self.assertEqual('rack r0 also holds app of this stack',
                         rule['evidence'])
        found = self.explain(resources, {'fw1': 'r0-h0', 'app': 'r1-h2'})
        self.assertEqual('holds', rule_named(found, 'fw-excl')['verdict'])

    def test_nova_groups_and_preferences(self):
        resources = {
            'hard': {'type': heat.SERVER_GROUP,
                     'properties': {'policies': ['anti-affinity']}},
            'soft': {'type': heat.SERVER_GROUP,
                     'properties': {'policies': ['soft-anti-affinity']}}}
        for name, sg in (('a', 'hard'), ('b', 'hard'), ('c', 'soft'),
                         ('d', 'soft')):
            resources[name] = fakes.server(
                scheduler_hints={'group': {'get_resource': sg}})
        found = self.explain(resources, {'a': 'r0-h0', 'b': 'r0-h1',
                                         'c': 'r1-h0', 'd': 'r1-h0'},
                             nova_groups=['hard'])
        self.assertEqual(
            'diversity host hard (Nova anti-affinity, 2 servers): holds, '
            '2 hosts: r0-h0 (a), r0-h1 (b)', rule_named(found, 'hard')['text'])
        soft = rule_named(found, 'soft')
        self.assertEqual(('soft-anti-affinity', 'broken', True, ['c', 'd']),
                         (soft['rule'], soft['verdict'], soft['soft'],
                          soft['servers']))
        self.assertIn('a wish, the plan stands', soft['evidence'])
        # A preference not met leaves the plan valid.
        self.assertTrue(found['ok'])


class TestHostRules(VerdictsTestCase):

    def test_capacity(self):
        found = self.explain({'a': fakes.server('big'),
                              'b': fakes.server('small')},
                             {'a': 'r0-h0', 'b': 'r0-h0'})
        rule = rule_named(found, None)
        self.assertEqual(('capacity', 'broken', ['a', 'b']),
                         (rule['rule'], rule['verdict'], rule['servers']))
        self.assertEqual('r0-h0 short of vcpus by 1, ram_mb by 1024 (a, b)',
                         rule['evidence'])
        found = self.explain({'a': fakes.server('big'),
                              'b': fakes.server('small')},
                             {'a': 'r0-h0', 'b': 'r0-h1'})
        self.assertEqual('capacity: holds, 2 hosts used, each within its '
                         'usable capacity', rule_named(found, None)['text'])

    def test_disabled_host_and_zone(self):
        doc = fakes.topology(racks=1, hosts_per_rack=2)
        doc['hosts'][1]['enabled'] = False
        doc['hosts'][1]['availability_zone'] = 'other'
        self.dc = fakes.datacenter(self.conf, doc)
        found = self.explain(
            {'a': fakes.server(availability_zone='nova'),
             'b': fakes.server()}, {'a': 'r0-h1', 'b': 'r0-h1'})
        texts = [r['text'] for r in found['rules']]
        self.assertIn('enabled hosts: broken, a on disabled r0-h1; b on '
                      'disabled r0-h1', texts)
        self.assertIn('availability zone: broken, a on r0-h1 in zone '
                      'other, asked nova', texts)
        found = self.explain(
            {'a': fakes.server(availability_zone='nova:r0-h0')},
            {'a': 'r0-h0'})
        self.assertEqual(['capacity: holds, 1 host used, each within its '
                          'usable capacity', 'availability zone: holds, '
                          '1 server asked for a zone, each is in it'],
                         [r['text'] for r in found['rules']])


class TestLinksAndTotals(VerdictsTestCase):

    existing = {'servers': [{'id': 'x', 'host': 'r1-h0', 'flavor': 'big'}]}

    def resources(self):
        return {'app': fakes.server('medium'), 'db': fakes.server('medium'),
                'w1': fakes.server(), 'w2': fakes.server(),
                'web': fakes.group('diversity', 'host', ['w1', 'w2']),
                'web_app': fakes.pipe('web', 'app', 1000),
                'app_db': fakes.pipe('app', 'db', 500),
                'pool': {'type': heat.PIPE, 'properties': {
                    'resources': [['w1', 'w2'], 'db'],
                    'bandwidth': {'min': 2.5}}}}

    def test_links_inside_and_crossing(self):
        found = self.explain(self.resources(), {
            'w1': 'r0-h0', 'w2': 'r0-h1', 'app': 'r0-h0', 'db': 'r1-h1'})
        self.assertEqual(
            ['web_app: web -> app 1000 Mbps: inside r0',
             'app_db: app -> db 500 Mbps: crosses r0/r1',
             'pool: [w1, w2] -> db 2.5 Mbps: crosses r0/r1'],
            [k['text'] for k in found['links']])
        cross = found['totals']['cross_rack_mbps']
        self.assertEqual((502.5, ['app_db', 'pool']),
                         (cross['value'], cross['links']))
        self.assertEqual('app_db 500 + pool 2.5 Mbps', cross['text'])

    def test_no_link_crosses(self):
        found = self.explain(self.resources(), {
            'w1': 'r1-h1', 'w2': 'r1-h2', 'app': 'r1-h1', 'db': 'r1-h2'})
        cross = found['totals']['cross_rack_mbps']
        self.assertEqual((0, 'no link crosses racks (3 links inside one '
                          'rack)'), (cross['value'], cross['text']))

    def test_hosts_used_opened_and_fill(self):
        found = self.explain(self.resources(), {
            'w1': 'r0-h0', 'w2': 'r1-h0', 'app': 'r0-h0', 'db': 'r0-h0'})
        totals = found['totals']
        self.assertEqual((2, ['r0-h0', 'r1-h0']),
                         (totals['hosts_used']['value'],
                          totals['hosts_used']['hosts']))
        opened = totals['empty_hosts_opened']
        self.assertEqual((1, ['r0-h0']), (opened['value'], opened['hosts']))
        self.assertEqual('r0-h0 was empty before; already busy: r1-h0 '
                         '(1 running server)', opened['text'])
        fill = totals['dominant_fill']
        # r0-h0: 5 of 8 vcpus, 5120 of 8192 MB, 50 of 100 GB; r1-h0: the
        # running big server and w2, 9 of 8 vcpus (capacity is broken).
        self.assertEqual(0.625, fill['hosts']['r0-h0']['fill'])
        self.assertEqual(9 / 8.0, fill['hosts']['r1-h0']['fill'])
        self.assertEqual(round((0.625 + 1.125) / 2, 4), fill['value'])


class TestBadPlacements(VerdictsTestCase):

    def check(self, placements, message):
        stack = fakes.stack(self.dc, {'a': fakes.server(),
                                      'b': fakes.server()})
        error = self.assertRaises(exception.InvalidRequest, verdicts.explain,
                                  self.dc, stack, placements)
        self.assertIn(message, error.message)

    def test_bad_placements(self):
        self.check(['r0-h0'], 'placements must map each server name')
        self.check({'a': 'r0-h0', 'b': 'r0-h0', 'z': 'r0-h0'},
                   "placements['z']: not a server of the stack")
        self.check({'a': 'r0-h0', 'b': 'mars'},
                   "placements['b']: unknown host 'mars'")
        self.check({'a': {'rack': 'r0'}, 'b': 'r0-h0'},
                   "placements['a']: unknown host None")
        self.check({'a': 'r0-h0'}, 'placements: no host for server(s) b')

    def test_a_result_placements_are_read(self):
        stack = fakes.stack(self.dc, {
            'a': fakes.server(), 'b': fakes.server(),
            'g': fakes.group('diversity', 'host', ['a', 'b'])})
        result = api.place_stack(self.conf, self.dc, stack)
        found = verdicts.explain(self.dc, stack, result.placements)
        self.assertTrue(found['ok'], found['rules'])
        for key in ('cross_rack_mbps', 'hosts_used', 'empty_hosts_opened'):
            self.assertEqual(result.metrics[key],
                             found['totals'][key]['value'], key)
