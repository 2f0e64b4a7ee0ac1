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

"""Tests of the template loader of valet-manage plan (valet/common/hot)."""

import os

import fixtures

from valet.common import hot
from valet.common import hot_functions
from valet.tests import base

TEMPLATES = os.path.join(os.path.dirname(__file__), 'templates')
HEADER = 'heat_template_version: 2016-10-14\n'


class LoadTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w') as stream:
            stream.write(HEADER + text if name.startswith('t') else text)
        return path

    def resources(self, text, *envs, parameters=()):
        flat, _origins = hot.load(self.write('t.yaml', text), envs,
                                  parameters)
        return flat['resources']

    def test_tree_of_the_plan_tests(self):
        flat, origins = hot.load(
            os.path.join(TEMPLATES, 'web.yaml'),
            [os.path.join(TEMPLATES, 'env.yaml'),
             os.path.join(TEMPLATES, 'count3.yaml')])
        res = flat['resources']
        self.assertEqual(['web.0', 'web.1', 'web.2', 'db.server',
                          'app.servers.0', 'app.servers.1', 'app.pod',
                          'cache_sg', 'cache1', 'cache2', 'web_tier',
                          'web_db'], list(res))
        # parameter_defaults reach the nested template of the registry.
        self.assertEqual({'flavor': 'm1.medium', 'availability_zone': 'nova'},
                         res['db.server']['properties'])
        self.assertEqual(os.path.join(TEMPLATES, 'lib', 'db.yaml'),
                         origins['db.server'])
        # Only metadata.valet is read; the rest (role) is dropped.
        self.assertEqual({'valet': {'groups': ['ops-div']}},
                         res['web.1']['properties']['metadata'])
        self.assertEqual({'group': {'get_resource': 'cache_sg'}},
                         res['cache2']['properties']['scheduler_hints'])
        self.assertEqual({'policies': ['anti-affinity']},
                         res['cache_sg']['properties'])
        self.assertEqual(['web.0', 'web.1', 'web.2'],
                         res['web_tier']['properties']['resources'])
        self.assertEqual([['web.0', 'web.1', 'web.2'], 'db.server'],
                         res['web_db']['properties']['resources'])
        self.assertEqual(['app.servers.0', 'app.servers.1'],
                         res['app.pod']['properties']['resources'])

    def test_index_var_and_get_param_paths(self):
        res = self.resources('''
parameters:
  flavors: {type: comma_delimited_list, default: "m1.small, m1.medium"}
  zones: {type: json, default: {"0": az0, "1": az1}}
resources:
  g:
    type: OS::Heat::ResourceGroup
    properties:
      count: 2
      resource_def:
        type: OS::Nova::Server
        properties:
          flavor: {get_param: [flavors, "%index%"]}
          availability_zone: {get_param: [zones, "%index%"]}
          metadata: {valet: {groups: "grp-%index%"}}
''')
        self.assertEqual(
            {'flavor': 'm1.medium', 'availability_zone': 'az1',
             'metadata': {'valet': {'groups': 'grp-1'}}},
            res['g.1']['properties'])
        self.assertEqual('m1.small', res['g.0']['properties']['flavor'])

    def test_resource_group_of_nested_templates(self):
        self.write('member.yaml', HEADER + '''
parameters:
  index: {type: number}
resources:
  vm:
    type: OS::Nova::Server
    properties:
      flavor: {list_join: ['.', [m1, small]]}
      availability_zone:
        str_replace: {template: zone-N, params: {N: {get_param: index}}}
''')
        res = self.resources('''
resources:
  g:
    type: OS::Heat::ResourceGroup
    properties:
      count: 2
      resource_def: {type: member.yaml, properties: {index: "%index%"}}
  all:
    type: ATT::Valet::GroupAssignment
    properties: {group_type: diversity, level: host,
                 resources: [{get_resource: g}]}
''')
        self.assertEqual({'flavor': 'm1.small',
                          'availability_zone': 'zone-1'},
                         res['g.1.vm']['properties'])
        self.assertEqual(['g.0.vm', 'g.1.vm'],
                         res['all']['properties']['resources'])

    def test_autoscaling_group(self):
        res = self.resources('''
resources:
  asg:
    type: OS::Heat::AutoScalingGroup
    properties:
      min_size: 1
      desired_capacity: 3
      max_size: 5
      resource: {type: OS::Nova::Server, properties: {flavor: m1.small}}
  low:
    type: OS::Heat::AutoScalingGroup
    properties:
      min_size: 2
      max_size: 5
      resource: {type: OS::Nova::Server, properties: {flavor: m1.small}}
''')
        self.assertEqual(['asg.0', 'asg.1', 'asg.2', 'low.0', 'low.1'],
                         list(res))

    def test_registry_globs_aliases_and_per_resource_entries(self):
        self.write('lib/server.yaml', HEADER + '''
resources:
  vm: {type: OS::Nova::Server, properties: {flavor: m1.small}}
''')
        env = self.write('envs/env.yaml', '''
resource_registry:
  "Site::*": ../lib/server.yaml
  "Alias::Server": "OS::Nova::Server"
  "Site::Off": "OS::Heat::None"
  resources:
    special: {"Alias::Server": ../lib/server.yaml}
''')
        res = self.resources('''
resources:
  a: {type: Site::Anything}
  b: {type: Alias::Server, properties: {flavor: m1.medium}}
  off: {type: Site::Off}
  special: {type: Alias::Server}
''', env)
        self.assertEqual(['a.vm', 'b', 'special.vm'], list(res))
        self.assertEqual('m1.medium', res['b']['properties']['flavor'])

    def test_parameter_types_as_heat_reads_them(self):
        text = '''
parameters:
  n: {type: number}
  enabled: {type: boolean}
resources:
  g:
    type: OS::Heat::ResourceGroup
    properties:
      count: {get_param: n}
      resource_def:
        type: OS::Nova::Server
        condition: {get_param: enabled}
        properties: {flavor: m1.small}
  solo:
    type: OS::Nova::Server
    condition: {get_param: enabled}
    properties: {flavor: m1.small}
'''
        self.assertEqual(['g.0', 'g.1', 'solo'], list(self.resources(
            text, parameters=['n=2', 'enabled=yes'])))
        self.assertEqual(['g.0', 'g.1'], list(self.resources(
            text, parameters=['n=2', 'enabled=false'])))

    def test_conditions_section(self):
        res = self.resources('''
parameters:
  env: {type: string, default: prod}
conditions:
  is_prod: {equals: [{get_param: env}, prod]}
  not_prod: {not: is_prod}
resources:
  big:
    type: OS::Nova::Server
    condition: is_prod
    properties:
      flavor: {if: [is_prod, m1.medium, m1.small]}
  small: {type: OS::Nova::Server, condition: not_prod,
          properties: {flavor: m1.small}}
''')
        self.assertEqual({'big': {'type': 'OS::Nova::Server',
                                  'properties': {'flavor': 'm1.medium'}}},
                         res)

    def test_unread_properties_are_never_evaluated(self):
        res = self.resources('''
parameters:
  image: {type: string}
resources:
  a:
    type: OS::Nova::Server
    properties:
      flavor: m1.small
      image: {get_param: image}
      user_data: {get_file: boot.sh}
      networks: [{port: {get_attr: [p, id]}}]
      metadata: {stack: {get_param: "OS::stack_id"}, valet: {groups: [g]}}
      scheduler_hints: {near: {get_attr: [p, id]}}
''')
        self.assertEqual({'flavor': 'm1.small',
                          'metadata': {'valet': {'groups': ['g']}},
                          'scheduler_hints': {}},
                         res['a']['properties'])

    def test_nested_parameters_from_the_parent(self):
        self.write('n.yaml', HEADER + '''
parameters:
  sg: {type: string}
  members: {type: comma_delimited_list}
resources:
  vm:
    type: OS::Nova::Server
    properties: {flavor: m1.small, scheduler_hints: {group: {get_param: sg}}}
  grp:
    type: ATT::Valet::GroupAssignment
    properties: {group_type: affinity, level: rack,
                 resources: {get_param: members}}
''')
        res = self.resources('''
resources:
  sg: {type: OS::Nova::ServerGroup, properties: {policies: [affinity]}}
  x: {type: OS::Nova::Server, properties: {flavor: m1.small}}
  n:
    type: n.yaml
    properties:
      sg: {get_resource: sg}
      members: [{get_resource: x}]
''')
        self.assertEqual({'group': {'get_resource': 'sg'}},
                         res['n.vm']['properties']['scheduler_hints'])
        self.assertEqual(['x'], res['n.grp']['properties']['resources'])

    def test_qualified_name_clash(self):
        error = self.assertRaises(hot.TemplateError, self.resources, '''
resources:
  g:
    type: OS::Heat::ResourceGroup
    properties:
      count: 1
      resource_def: {type: OS::Nova::Server, properties: {flavor: m1.small}}
  g.0: {type: OS::Nova::Server, properties: {flavor: m1.small}}
''')
        self.assertIn('two resources get this qualified name', str(error))

    def test_get_resource_inside_a_string(self):
        error = self.assertRaises(hot.TemplateError, self.resources, '''
resources:
  x: {type: OS::Nova::Server, properties: {flavor: m1.small}}
  y:
    type: OS::Nova::Server
    properties:
      flavor: {list_join: ['-', [{get_resource: x}]]}
''')
        self.assertEqual('y', error.resource)
        self.assertEqual('flavor', error.prop)
        self.assertIn('the id exists only once the stack does', str(error))

    def test_environments_that_do_not_merge(self):
        one = self.write('one.yaml', 'parameter_defaults: {a: x}\n')
        two = self.write('two.yaml', 'parameter_defaults: {a: {b: c}}\n')
        error = self.assertRaises(hot.TemplateError, self.resources,
                                  'resources: {}\n', one, two)
        self.assertEqual(two, error.source)


class ConvertTest(base.TestCase):

    def test_types(self):
        convert = hot_functions.convert
        self.assertEqual(3, convert('number', '3'))
        self.assertEqual(2.5, convert('number', '2.5'))
        self.assertEqual(['a', 'b'], convert('comma_delimited_list',
                                             'a, b'))
        self.assertEqual([], convert('comma_delimited_list', ''))
        self.assertEqual({'a': 1}, convert('json', '{"a": 1}'))
        self.assertIs(True, convert('boolean', 'On'))
        self.assertIs(False, convert('boolean', 0))
        self.assertEqual('8', convert('string', 8))
        for ptype, value in (('number', True), ('number', 'x'),
                             ('json', '3'), ('json', '{'),
                             ('boolean', 'maybe'), ('string', [1]),
                             ('comma_delimited_list', 3), ('colour', 'x')):
            self.assertRaises(ValueError, convert, ptype, value)
