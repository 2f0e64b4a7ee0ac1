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

"""Stacks joining named groups: ``group_name`` and ``metadata.valet``.

A GroupAssignment whose ``group_name`` names a group Valet knows is that
group: its running members bind the new ones, exactly as when the servers
join it through ``metadata.valet.groups``.
"""

import numpy as np

from valet.optimizer import api
from valet.optimizer import exception
from valet.optimizer.model import heat
from valet.optimizer import problem as problem_mod
from valet.optimizer.search import scoring
from valet.optimizer import state as state_mod
from valet.optimizer import units as units_mod
from valet.tests import base
from valet.tests.unit.optimizer import fakes


def _dc_doc(rack3_room=True):
    """3 racks of 2 hosts (8 vCPUs each); r0 is the tightest fit.

    r0 hosts have 4 vCPUs left, r1 hosts 6, r2-h0 none and r2-h1 6 (or
    none without ``rack3_room``).
    """
    doc = fakes.topology(racks=3, hosts_per_rack=2, vcpus=8, ram_mb=8192,
                         disk_gb=100)
    used = {'r0-h0': 4, 'r0-h1': 4, 'r1-h0': 2, 'r1-h1': 2, 'r2-h0': 7,
            'r2-h1': 2 if rack3_room else 8}
    for host in doc['hosts']:
        host['used'] = {'vcpus': used[host['name']]}
    return doc


def _running(name, gtype, level, host='r2-h0'):
    return {'servers': [{'id': 'old-0', 'host': host, 'flavor': 'small',
                         'groups': [{'name': name, 'type': gtype,
                                     'level': level}]}]}


def _pair(flavor='medium', **props):
    return {'app1': fakes.server(flavor, **props),
            'app2': fakes.server(flavor, **props)}


class TestNamedGroupsPlaced(base.TestCase):

    def place(self, resources, existing, doc=None, groups=None):
        self.dc = fakes.datacenter(self.conf, doc or _dc_doc(), existing)
        self.stack = heat.from_template({'resources': resources}, self.dc,
                                        groups)
        return api.place_stack(self.conf, self.dc, self.stack)

    def racks(self, result):
        return {n: p['rack'] for n, p in result.placements.items()}

    def assertValid(self, result):
        self.assertTrue(result.ok, result.reason)
        self.assertEqual([], fakes.violations(self.dc, self.stack,
                                              result.placements))

    def test_rack_affinity_goes_where_the_group_runs(self):
        resources = _pair()
        resources['pod'] = fakes.group('affinity', 'rack', ['app1', 'app2'],
                                       group_name='legacy')
        result = self.place(resources, _running('legacy', 'affinity',
                                                'rack'))
        self.assertValid(result)
        self.assertEqual({'app1': 'r2', 'app2': 'r2'}, self.racks(result))

    def test_rack_affinity_full_has_no_placement(self):
        resources = _pair()
        resources['pod'] = fakes.group('affinity', 'rack', ['app1', 'app2'],
                                       group_name='legacy')
        result = self.place(resources, _running('legacy', 'affinity',
                                                'rack'),
                            doc=_dc_doc(rack3_room=False))
        self.assertFalse(result.ok)
        self.assertIn("rule 'affinity' of group pod (rack level, named "
                      "group legacy, running in rack r2)", result.reason)
        self.assertEqual({}, result.placements)

    def test_metadata_and_group_name_give_the_same_plan(self):
        existing = _running('legacy', 'affinity', 'rack')
        by_name = _pair()
        by_name['pod'] = fakes.group('affinity', 'rack', ['app1', 'app2'],
                                     group_name='legacy')
        first = self.place(by_name, existing)
        by_metadata = _pair(metadata={'valet': {'groups': ['legacy']}})
        second = self.place(by_metadata, existing)
        self.assertValid(second)
        self.assertEqual(first.placements, second.placements)

    def test_rack_diversity_avoids_the_running_members(self):
        resources = _pair()
        resources['spread'] = fakes.group(
            'diversity', 'rack', ['app1', 'app2'], group_name='quorum')
        result = self.place(resources, _running('quorum', 'diversity',
                                                'rack', host='r0-h0'))
        self.assertValid(result)
        self.assertEqual({'r1', 'r2'}, set(self.racks(result).values()))

    def test_host_affinity_joins_the_running_host(self):
        resources = {'app1': fakes.server('small')}
        resources['pod'] = fakes.group('affinity', 'host', ['app1'],
                                       group_name='pinned')
        result = self.place(resources, _running('pinned', 'affinity',
                                                'host', host='r1-h1'))
        self.assertValid(result)
        self.assertEqual('r1-h1', result.placements['app1']['host'])

    def test_host_diversity_avoids_the_running_host(self):
        doc = _dc_doc()
        resources = {'app1': fakes.server('small')}
        resources['apart'] = fakes.group('diversity', 'host', ['app1'],
                                         group_name='apart')
        # r0-h0 is the best fit; the running member holds it.
        result = self.place(resources, _running('apart', 'diversity',
                                                'host', host='r0-h0'), doc)
        self.assertValid(result)
        self.assertNotEqual('r0-h0', result.placements['app1']['host'])

    def test_assignments_sharing_a_group_name_are_one_group(self):
        resources = {'a': fakes.server(), 'b': fakes.server(),
                     'c': fakes.server(),
                     'one': fakes.group('diversity', 'rack', ['a'],
                                        group_name='tri'),
                     'two': fakes.group('diversity', 'rack', ['b', 'c'],
                                        group_name='tri')}
        result = self.place(resources, {})
        self.assertValid(result)
        self.assertEqual(['one'], list(self.stack.groups))
        self.assertEqual(['a', 'b', 'c'], self.stack.groups['one'].members)
        self.assertEqual(3, len(set(self.racks(result).values())))

    def test_unknown_group_name_is_local_to_the_stack(self):
        resources = _pair()
        resources['pod'] = fakes.group('affinity', 'rack', ['app1', 'app2'],
                                       group_name='brand-new')
        result = self.place(resources, _running('legacy', 'affinity',
                                                'rack'))
        self.assertValid(result)
        group = self.stack.groups['pod']
        self.assertIsNone(group.named)
        # Best fit: the tightest rack, not the one legacy runs in.
        self.assertEqual({'app1': 'r0', 'app2': 'r0'}, self.racks(result))

    def test_group_name_and_metadata_in_one_stack_are_one_group(self):
        resources = {'a': fakes.server(),
                     'b': fakes.server(
                         metadata={'valet': {'groups': ['quorum']}}),
                     'spread': fakes.group('diversity', 'rack', ['a'],
                                           group_name='quorum')}
        result = self.place(resources, _running('quorum', 'diversity',
                                                'rack', host='r0-h0'))
        self.assertValid(result)
        self.assertEqual(['spread'], list(self.stack.groups))
        self.assertEqual({'r1', 'r2'}, set(self.racks(result).values()))

    def test_api_group_without_running_members(self):
        resources = _pair()
        resources['pod'] = fakes.group('affinity', 'rack', ['app1', 'app2'],
                                       group_name='api-aff')
        result = self.place(resources, {},
                            groups={'api-aff': ('affinity', 'rack')})
        self.assertValid(result)
        self.assertEqual('api-aff', self.stack.groups['pod'].named)


class TestNamedGroupErrors(base.TestCase):

    def setUp(self):
        super().setUp()
        self.dc = fakes.datacenter(self.conf, _dc_doc(),
                                   _running('legacy', 'affinity', 'rack'))

    def fails(self, resources, resource, *words):
        exc = self.assertRaises(exception.InvalidStack, fakes.stack,
                                self.dc, resources)
        self.assertEqual(resource, exc.resource)
        for word in words:
            self.assertIn(word, str(exc))

    def test_type_or_level_mismatch_names_both(self):
        resources = _pair()
        resources['pod'] = fakes.group('affinity', 'host', ['app1', 'app2'],
                                       group_name='legacy')
        self.fails(resources, 'pod', "'legacy'", 'affinity group at rack',
                   'affinity at host')
        resources['pod'] = fakes.group('diversity', 'rack',
                                       ['app1', 'app2'], group_name='legacy')
        self.fails(resources, 'pod', 'diversity at rack')

    def test_assignments_sharing_a_name_disagree(self):
        resources = _pair()
        resources['one'] = fakes.group('affinity', 'rack', ['app1'],
                                       group_name='new')
        resources['two'] = fakes.group('affinity', 'host', ['app2'],
                                       group_name='new')
        self.fails(resources, 'two', "'new'", 'rack', 'host')

    def test_group_name_not_a_string(self):
        resources = _pair()
        resources['pod'] = fakes.group('affinity', 'rack', ['app1'],
                                       group_name={'get_param': 'g'})
        self.fails(resources, 'pod', 'group_name must be a non-empty string')

    def test_metadata_group_not_a_name(self):
        resources = {'a': fakes.server(metadata={'valet': {
            'groups': [{'get_param': 'g'}]}})}
        self.fails(resources, 'a', 'not a group name')

    def test_metadata_valet_unknown_key(self):
        resources = {'a': fakes.server(metadata={'valet': {
            'groups': ['legacy'], 'flavor': 'x'}})}
        self.fails(resources, 'a', "unknown key(s) 'flavor'")

    def test_assignment_unknown_property(self):
        resources = _pair()
        resources['pod'] = fakes.group('affinity', 'rack', ['app1'],
                                       scope='rack')
        self.fails(resources, 'pod', "'scope'")

    def test_pipe_unknown_bandwidth_key(self):
        resources = _pair()
        resources['p'] = fakes.pipe('app1', 'app2', 10)
        resources['p']['properties']['bandwidth']['max'] = 20
        self.fails(resources, 'p', "'max'")


class TestNovaServerGroups(base.TestCase):

    def setUp(self):
        super().setUp()
        self.dc = fakes.datacenter(self.conf, fakes.topology(
            racks=2, hosts_per_rack=3))

    def build(self, policy, n=3, **props):
        resources = {'sg': {'type': heat.SERVER_GROUP,
                            'properties': dict(policies=[policy], **props)}}
        for i in range(n):
            resources['s%d' % i] = fakes.server(
                'small', scheduler_hints={'group': {'get_resource': 'sg'}})
        self.stack = fakes.stack(self.dc, resources)
        return api.place_stack(self.conf, self.dc, self.stack)

    def hosts(self, result):
        return [p['host'] for p in result.placements.values()]

    def test_anti_affinity_is_host_diversity(self):
        result = self.build('anti-affinity')
        self.assertTrue(result.ok, result.reason)
        group = self.stack.groups['sg']
        self.assertEqual(('diversity', 'host'), (group.type, group.level))
        self.assertEqual(3, len(set(self.hosts(result))))

    def test_affinity_is_host_affinity(self):
        result = self.build('affinity')
        self.assertTrue(result.ok, result.reason)
        self.assertEqual(1, len(set(self.hosts(result))))

    def test_soft_anti_affinity_is_a_preference(self):
        result = self.build('soft-anti-affinity')
        self.assertTrue(result.ok, result.reason)
        self.assertEqual({}, self.stack.groups)
        self.assertEqual(['s0', 's1', 's2'],
                         self.stack.preferences[0].members)
        # A preference comes after the objective's other terms: the
        # three small servers share the one host they open.
        self.assertEqual(1, len(set(self.hosts(result))))
        # It weighs against a host holding another member, for members.
        problem = problem_mod.Problem(self.dc, self.stack)
        state = state_mod.State(problem)
        state.place_server(0, 0)
        unit = units_mod.build_units(problem)[1]
        scorer = scoring.Scorer(problem)
        soft = scorer._soft(state, unit, np.arange(self.dc.n_hosts))
        self.assertEqual(scoring.W_SOFT, soft[0])
        self.assertEqual([0.0] * 5, soft[1:].tolist())

    def test_soft_affinity_is_a_preference(self):
        result = self.build('soft-affinity')
        self.assertTrue(result.ok, result.reason)
        self.assertEqual(1, len(set(self.hosts(result))))

    def test_unknown_policy(self):
        exc = self.assertRaises(exception.InvalidStack, self.build,
                                'spread')
        self.assertEqual('sg', exc.resource)
        self.assertIn('policies must be one of', str(exc))

    def test_hint_naming_no_server_group(self):
        resources = {'a': fakes.server(scheduler_hints={'group': 'nope'})}
        exc = self.assertRaises(exception.InvalidStack, fakes.stack,
                                self.dc, resources)
        self.assertEqual('a', exc.resource)
        self.assertIn("'nope' is not an OS::Nova::ServerGroup", str(exc))


class TestPipeEndOfSeveralServers(base.TestCase):

    def test_an_end_listing_servers(self):
        dc = fakes.datacenter(self.conf, fakes.topology(racks=2))
        resources = {'lb': fakes.server(), 'w0': fakes.server(),
                     'w1': fakes.server(),
                     'p': fakes.pipe('lb', ['w0', {'get_resource': 'w1'}],
                                     100)}
        stack = fakes.stack(dc, resources)
        self.assertEqual(('lb', ('w0', 'w1')), stack.links[0].ends)
        result = api.place_stack(self.conf, dc, stack)
        self.assertTrue(result.ok, result.reason)
        self.assertEqual(0, result.metrics['cross_rack_mbps'])
        self.assertEqual(1, len({p['rack']
                                 for p in result.placements.values()}))


class TestDiversityUnits(base.TestCase):

    def test_a_server_in_two_units_is_refused(self):
        dc = fakes.datacenter(self.conf, fakes.topology())
        resources = {'s0': fakes.server(), 's1': fakes.server(),
                     'pair': fakes.group('affinity', 'host', ['s0', 's1']),
                     'apart': fakes.group('diversity', 'host',
                                          ['pair', 's0'])}
        exc = self.assertRaises(exception.InvalidStack, fakes.stack, dc,
                                resources)
        self.assertEqual('apart', exc.resource)
        self.assertIn("server 's0' is in two members", str(exc))

    def test_one_group_twice_among_the_units(self):
        dc = fakes.datacenter(self.conf, fakes.topology())
        resources = {'s0': fakes.server(), 's1': fakes.server(),
                     'g0': fakes.group('affinity', 'host', ['s0'],
                                       group_name='pair'),
                     'g1': fakes.group('affinity', 'host', ['s1'],
                                       group_name='pair'),
                     'apart': fakes.group('diversity', 'host',
                                          ['g0', 'g1'])}
        exc = self.assertRaises(exception.InvalidStack, fakes.stack, dc,
                                resources)
        self.assertEqual('apart', exc.resource)
        self.assertIn("'g0' more than once", str(exc))

    def test_one_group_twice_in_an_affinity_group(self):
        dc = fakes.datacenter(self.conf, fakes.topology())
        resources = {'s0': fakes.server(), 's1': fakes.server(),
                     'g0': fakes.group('diversity', 'host', ['s0'],
                                       group_name='apart'),
                     'g1': fakes.group('diversity', 'host', ['s1'],
                                       group_name='apart'),
                     'pod': fakes.group('affinity', 'rack', ['g1', 'g0'])}
        stack = fakes.stack(dc, resources)
        self.assertEqual(['g0'], stack.groups['pod'].members)
        self.assertEqual(['s0', 's1'], stack.groups['g0'].members)


class TestApiPath(base.TestCase):
    """A plan's resources (keyed by orchestration id) join groups alike."""

    def test_group_name_in_plan_resources(self):
        dc = fakes.datacenter(self.conf, _dc_doc(),
                              _running('legacy', 'affinity', 'rack'))
        resources = {
            'id-1': dict(fakes.server('medium'), name='app1'),
            'id-2': dict(fakes.server('medium'), name='app2'),
            'id-3': dict(fakes.group('affinity', 'rack', ['id-1', 'id-2'],
                                     group_name='legacy'), name='pod')}
        stack = heat.from_resources(resources, dc)
        self.assertEqual('legacy', stack.groups['pod'].named)
        result = api.place_stack(self.conf, dc, stack)
        self.assertTrue(result.ok, result.reason)
        self.assertEqual({'r2'}, {p['rack']
                                  for p in result.placements.values()})


class TestSharedNamesInACycle(base.TestCase):

    def test_refused_with_the_cycle_named(self):
        dc = fakes.datacenter(self.conf, fakes.topology())
        resources = {'s0': fakes.server(), 's1': fakes.server(),
                     'g0': fakes.group('affinity', 'rack', ['s0'],
                                       group_name='pin'),
                     'g1': fakes.group('affinity', 'rack', ['g0'],
                                       group_name='local-1'),
                     'g2': fakes.group('affinity', 'rack', ['s1'],
                                       group_name='local-1'),
                     'g3': fakes.group('affinity', 'rack', ['g2'],
                                       group_name='pin')}
        exc = self.assertRaises(exception.InvalidStack, fakes.stack, dc,
                                resources)
        self.assertIn('groups nest in a cycle: g', str(exc))
        self.assertIn('sharing a group_name are one group', str(exc))
