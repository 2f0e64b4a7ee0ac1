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

"""Heat's own validation of Valet's resource types (no Valet needed)."""

import testtools

from valet.plugins import noauth
from valet.tests.plugins import fixtures as valet_fixtures
from valet.tests.plugins.heat import base
from valet.tests.plugins.heat import heat_engine

HEAD = '''heat_template_version: 2015-04-30
resources:
  s1: {type: OS::Nova::Server, properties: {flavor: m1.small, image: cirros}}
  s2: {type: OS::Nova::Server, properties: {flavor: m1.small, image: cirros}}
  s3: {type: OS::Nova::Server, properties: {flavor: m1.small, image: cirros}}
  other: {type: OS::Heat::TestResource, properties: {value: x}}
'''


def assignment(name, **props):
    body = ', '.join('%s: %s' % item for item in sorted(props.items()))
    return '  %s:\n    type: ATT::Valet::GroupAssignment\n' \
           '    properties: {%s}\n' % (name, body)


class TestValidation(testtools.TestCase):

    def setUp(self):
        super().setUp()
        heat_engine.setup()
        # Heat checks that each type's service has an endpoint: any will
        # do, nothing is asked of it.
        self.ctx = heat_engine.context(noauth.ValetNoAuth(
            endpoint=valet_fixtures.unused_url()))

    def validate(self, template):
        stk = heat_engine.make_stack(self.ctx, 'valid', template)
        stk.validate()
        return stk

    def refused(self, template):
        stk = heat_engine.make_stack(self.ctx, 'invalid', template)
        e = self.assertRaises(heat_engine.ValidationFailed, stk.validate)
        return str(e)

    def test_valid_template(self):
        stk = self.validate(
            HEAD + assignment('g', group_type='affinity', level='host',
                              resources='[s1, {get_resource: s2}]'))
        self.assertEqual(['s1', 's2'], stk['g'].properties['resources'])

    def test_every_sample_is_valid(self):
        files = {name: base.sample(name) for name in ('tier.yaml', 'db.yaml')}
        for name in ('affinity.yaml', 'diversity-of-affinity.yaml',
                     'exclusivity.yaml', 'quorum.yaml', 'pipes.yaml',
                     'nested.yaml', 'resource-group.yaml',
                     'server-group.yaml', 'valet-group.yaml',
                     'join-group.yaml'):
            stk = heat_engine.make_stack(self.ctx, 'sample',
                                         base.sample(name), files=files)
            stk.validate()

    def test_bad_group_type(self):
        message = self.refused(HEAD + assignment(
            'g', group_type='togetherness', level='host', resources='[s1]'))
        self.assertIn('resources.g.properties.group_type', message)
        self.assertIn('"togetherness" is not an allowed value', message)

    def test_bad_level(self):
        message = self.refused(HEAD + assignment(
            'g', group_type='affinity', level='galaxy', resources='[s1]'))
        self.assertIn('resources.g.properties.level', message)
        self.assertIn('"galaxy" is not an allowed value', message)

    def test_level_is_required(self):
        message = self.refused(HEAD + assignment(
            'g', group_type='affinity', resources='[s1]'))
        self.assertIn('resources.g.properties: Property level not assigned',
                      message)

    def test_exclusivity_needs_a_group_name(self):
        message = self.refused(HEAD + assignment(
            'g', group_type='exclusivity', level='host', resources='[s1]'))
        self.assertIn('resources.g.properties.group_name', message)
        self.assertIn('required when group_type is exclusivity', message)

    def test_member_not_a_server(self):
        message = self.refused(HEAD + assignment(
            'g', group_type='affinity', level='host',
            resources='[s1, other]'))
        self.assertIn('resources.g.properties.resources', message)
        self.assertIn("'other' is a OS::Heat::TestResource", message)

    def test_member_not_in_the_stack(self):
        message = self.refused(HEAD + assignment(
            'g', group_type='affinity', level='host',
            resources='[s1, ghost]'))
        self.assertIn('resources.g.properties.resources', message)
        self.assertIn("'ghost' is not a resource of the stack", message)

    def test_nested_level_higher_than_parent(self):
        message = self.refused(
            HEAD + assignment('inner', group_type='affinity', level='rack',
                              resources='[s1, s2]') +
            assignment('outer', group_type='affinity', level='host',
                       resources='[inner, s3]'))
        self.assertIn('resources.outer.properties.resources', message)
        self.assertIn("'inner' is a rack-level group inside this host-level",
                      message)

    def test_diversity_inside_diversity(self):
        message = self.refused(
            HEAD + assignment('inner', group_type='diversity', level='host',
                              resources='[s1, s2]') +
            assignment('outer', group_type='diversity', level='rack',
                       resources='[inner, s3]'))
        self.assertIn('resources.outer.properties.resources', message)
        self.assertIn('diversity group inside this diversity group', message)

    def test_exclusivity_inside_diversity(self):
        message = self.refused(
            HEAD + assignment('inner', group_type='exclusivity',
                              group_name='x', level='host',
                              resources='[s1, s2]') +
            assignment('outer', group_type='diversity', level='rack',
                       resources='[inner, s3]'))
        self.assertIn('exclusivity group inside this diversity group',
                      message)

    def test_affinity_inside_diversity_is_fine(self):
        self.validate(
            HEAD + assignment('inner', group_type='affinity', level='host',
                              resources='[s1, s2]') +
            assignment('outer', group_type='diversity', level='rack',
                       resources='[inner, s3]'))

    def pipe(self, ends, bandwidth='{min: 100}'):
        return HEAD + ('  p:\n    type: ATT::Valet::Pipe\n'
                       '    properties: {resources: %s, bandwidth: %s}\n'
                       % (ends, bandwidth))

    def test_pipe(self):
        stk = self.validate(self.pipe('[s1, s2]'))
        self.assertEqual({'min': 100}, stk['p'].properties['bandwidth'])

    def test_pipe_with_three_ends(self):
        message = self.refused(self.pipe('[s1, s2, s3]'))
        self.assertIn('resources.p.properties.resources', message)
        self.assertIn('A pipe has exactly two ends', message)

    def test_pipe_end_not_a_server(self):
        message = self.refused(self.pipe('[s1, other]'))
        self.assertIn('resources.p.properties.resources', message)
        self.assertIn("'other' is a OS::Heat::TestResource", message)

    def test_pipe_negative_bandwidth(self):
        message = self.refused(self.pipe('[s1, s2]', '{min: -5}'))
        self.assertIn('resources.p.properties.bandwidth.min', message)

    def test_pipe_bandwidth_needs_min(self):
        message = self.refused(self.pipe('[s1, s2]', '{max: 5}'))
        self.assertIn('resources.p.properties.bandwidth', message)

    def test_valet_group_bad_type(self):
        message = self.refused(
            'heat_template_version: 2015-04-30\nresources:\n'
            '  g: {type: OS::Valet::Group, properties: '
            '{name: web, type: closeness, level: host}}\n')
        self.assertIn('resources.g.properties.type', message)
        self.assertIn('"closeness" is not an allowed value', message)

    def test_valet_group_bad_name(self):
        message = self.refused(
            'heat_template_version: 2015-04-30\nresources:\n'
            '  g: {type: OS::Valet::Group, properties: '
            '{name: "a b", type: affinity, level: host}}\n')
        self.assertIn('resources.g.properties.name', message)
