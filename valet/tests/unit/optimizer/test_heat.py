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

"""Tests of the stack model built from Heat resources and templates."""

from unittest import mock

from valet.optimizer import exception
from valet.optimizer.model import heat
from valet.tests import base
from valet.tests.unit.optimizer import fakes


class TestHeat(base.TestCase):

    def setUp(self):
        super().setUp()
        existing = {'groups': [{'name': 'api-div', 'type': 'diversity',
                                'level': 'rack'}]}
        self.dc = fakes.datacenter(self.conf, existing=existing)

    def _fails(self, resources, resource, *words):
        exc = self.assertRaises(exception.InvalidStack, fakes.stack,
                                self.dc, resources)
        self.assertEqual(resource, exc.resource)
        for word in words:
            self.assertIn(word, str(exc))
        return exc

    def test_plan_resources_by_orchestration_id(self):
        resources = {
            'uuid-1': {'name': 'web1', 'type': heat.SERVER,
                       'properties': {'flavor': 'medium',
                                      'availability_zone': 'nova'}},
            'uuid-2': {'name': 'web2', 'type': heat.SERVER,
                       'properties': {'flavor': 'small'}},
            'uuid-3': {'name': 'aff', 'type': heat.ASSIGNMENT,
                       'properties': {'group_type': 'affinity',
                                      'level': 'rack',
                                      'resources': ['uuid-1',
                                                    {'get_resource':
                                                     'web2'}]}},
            'uuid-4': {'name': 'net', 'type': 'OS::Neutron::Net',
                       'properties': {}}}
        stack = heat.from_resources(resources, self.dc)
        self.assertEqual(['web1', 'web2'], list(stack.servers))
        self.assertEqual('uuid-1', stack.servers['web1'].key)
        self.assertEqual(2, stack.servers['web1'].flavor.vcpus)
        self.assertEqual('nova', stack.servers['web1'].availability_zone)
        self.assertEqual(['web1', 'web2'], stack.groups['aff'].members)

    def test_template_params_and_ignored_types(self):
        template = {'parameters': {'f': {'type': 'string',
                                         'default': 'big'}},
                    'resources': {'a': {'type': heat.SERVER,
                                        'properties': {
                                            'flavor': {'get_param': 'f'}}},
                                  'vol': {'type': 'OS::Cinder::Volume'}}}
        stack = heat.from_template(template, self.dc)
        self.assertEqual('big', stack.servers['a'].flavor.name)

    def test_template_without_params_is_read_uncopied(self):
        props = {'flavor': 'small', 'metadata': {'x': {'get_param': 'p'}}}
        template = {'resources': {'a': {'type': heat.SERVER,
                                        'properties': props}}}
        with mock.patch.object(heat, '_resolve_params') as resolve:
            stack = heat.from_template(template, self.dc)
        resolve.assert_not_called()
        self.assertEqual('small', stack.servers['a'].flavor.name)

    def test_two_resources_share_a_name(self):
        resources = {'id1': dict(fakes.server(), name='a'),
                     'id2': dict(fakes.server(), name='a')}
        error = self.assertRaises(exception.InvalidStack,
                                  heat.from_resources, resources, self.dc)
        self.assertIn('two resources share this name', str(error))

    def test_api_group_named_like_a_resource(self):
        resources = {
            'api-div': fakes.server(),
            'b': fakes.server(metadata={'valet': {'groups': ['api-div']}})}
        error = self.assertRaises(exception.InvalidStack,
                                  heat.from_resources, resources, self.dc)
        self.assertIn('has the name of a resource', str(error))

    def test_api_groups_from_metadata(self):
        stack = fakes.stack(self.dc, {
            'a': fakes.server(metadata={'valet': {'groups': ['api-div']}}),
            'b': fakes.server(metadata={'valet': {'groups': 'api-div'}})})
        group = stack.groups['api-div']
        self.assertEqual(('diversity', 'rack', 'api-div'),
                         (group.type, group.level, group.named))
        self.assertEqual(['a', 'b'], group.members)

    def test_unknown_api_group(self):
        self._fails({'a': fakes.server(
            metadata={'valet': {'groups': ['nope']}})}, 'a', 'nope')

    def test_unknown_flavor(self):
        self._fails({'a': fakes.server('tiny')}, 'a', 'unknown flavor',
                    'tiny')

    def test_missing_flavor(self):
        self._fails({'a': {'type': heat.SERVER, 'properties': {}}}, 'a',
                    'flavor is required')

    def test_unknown_member(self):
        self._fails({'a': fakes.server(),
                     'g': fakes.group('affinity', 'host', ['a', 'ghost'])},
                    'g', 'unknown member', 'ghost')

    def test_bad_group_type(self):
        self._fails({'a': fakes.server(),
                     'g': fakes.group('together', 'host', ['a'])},
                    'g', 'group_type', 'together')

    def test_bad_level(self):
        self._fails({'a': fakes.server(),
                     'g': fakes.group('affinity', 'row', ['a'])},
                    'g', 'level', 'row')

    def test_empty_group(self):
        self._fails({'g': fakes.group('affinity', 'host', [])}, 'g',
                    'at least one')

    def test_cycle(self):
        self._fails({'a': fakes.server(),
                     'g1': fakes.group('affinity', 'rack', ['a', 'g2']),
                     'g2': fakes.group('affinity', 'rack', ['g1'])},
                    'g2', 'cycle', 'g1 -> g2 -> g1')

    def test_nested_level_higher_than_parent(self):
        self._fails({'a': fakes.server(),
                     'inner': fakes.group('affinity', 'rack', ['a']),
                     'outer': fakes.group('affinity', 'host', ['inner'])},
                    'inner', 'higher', 'outer')

    def test_exclusivity_inside_diversity(self):
        self._fails({'a': fakes.server(),
                     'ex': fakes.group('exclusivity', 'host', ['a']),
                     'div': fakes.group('diversity', 'rack', ['ex'])},
                    'ex', 'exclusivity', 'div')

    def test_diversity_inside_exclusivity(self):
        self._fails({'a': fakes.server(),
                     'div': fakes.group('diversity', 'host', ['a']),
                     'ex': fakes.group('exclusivity', 'rack', ['div'])},
                    'div', 'diversity', 'ex')

    def test_diversity_inside_diversity(self):
        self._fails({'a': fakes.server(),
                     'd1': fakes.group('diversity', 'host', ['a']),
                     'd2': fakes.group('diversity', 'rack', ['d1'])},
                    'd1', 'd2')

    def test_affinity_inside_diversity_is_fine(self):
        stack = fakes.stack(self.dc, {
            'a': fakes.server(), 'b': fakes.server(),
            'pod': fakes.group('affinity', 'host', ['a']),
            'div': fakes.group('diversity', 'rack', ['pod', 'b'])})
        self.assertEqual(['a', 'b'], stack.flatten('div'))

    def test_server_in_two_exclusivity_groups_of_one_level(self):
        self._fails({'a': fakes.server(),
                     'e1': fakes.group('exclusivity', 'host', ['a']),
                     'e2': fakes.group('exclusivity', 'host', ['a'])},
                    'a', 'two exclusivity groups', 'e1', 'e2')

    def test_exclusivity_groups_of_two_levels_are_fine(self):
        stack = fakes.stack(self.dc, {
            'a': fakes.server(),
            'e1': fakes.group('exclusivity', 'host', ['a']),
            'e2': fakes.group('exclusivity', 'rack', ['a'])})
        self.assertEqual('e1', stack.groups['e1'].named)

    def test_pipe_needs_two_ends(self):
        res = {'a': fakes.server(), 'b': fakes.server(),
               'p': fakes.pipe('a', 'b', 10)}
        res['p']['properties']['resources'].append('a')
        self._fails(res, 'p', 'exactly 2', '3')

    def test_pipe_bad_bandwidth(self):
        self._fails({'a': fakes.server(), 'b': fakes.server(),
                     'p': fakes.pipe('a', 'b', -5)}, 'p', 'bandwidth')
        self._fails({'a': fakes.server(), 'b': fakes.server(),
                     'p': fakes.pipe('a', 'b', 'lots')}, 'p', 'bandwidth')
        res = {'a': fakes.server(), 'b': fakes.server(),
               'p': fakes.pipe('a', 'b', 1)}
        res['p']['properties']['bandwidth'] = 10
        self._fails(res, 'p', 'bandwidth', 'min')

    def test_pipe_bandwidth_not_finite(self):
        # "nan" was accepted and gave NaN metrics; .inf crashed the
        # ordering with an IndexError.
        for value in ('nan', float('nan'), float('inf'), '-inf'):
            self._fails({'a': fakes.server(), 'b': fakes.server(),
                         'p': fakes.pipe('a', 'b', value)}, 'p',
                        'positive, finite number')

    def test_pipe_unknown_end(self):
        self._fails({'a': fakes.server(), 'p': fakes.pipe('a', 'zz', 10)},
                    'p', 'zz')

    def test_pipe_between_groups(self):
        stack = fakes.stack(self.dc, {
            'a': fakes.server(), 'b': fakes.server(),
            'ga': fakes.group('diversity', 'host', ['a']),
            'p': fakes.pipe({'get_resource': 'ga'}, 'b', '100')})
        self.assertEqual(('ga', 'b'), stack.links[0].ends)
        self.assertEqual(100.0, stack.links[0].bandwidth)
