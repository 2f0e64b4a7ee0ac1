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

"""``valet-manage plan`` on templates as users write them.

The tree under ``templates/``: ``web.yaml`` has a resource group sized by
a parameter, a type that ``env.yaml`` maps to ``lib/db.yaml`` (whose
flavor comes from the environment's ``parameter_defaults``), a nested
template named by its path (``app.yaml``, itself a resource group in a
rack-affinity group), a Nova server group and a ``get_param`` inside
``metadata.valet.groups``.
"""

import argparse
import io
import json
import os

import fixtures

from valet.cmd import plan
from valet.tests import base
from valet.tests.unit.cmd import tables

TEMPLATES = os.path.join(os.path.dirname(__file__), 'templates')


def template(name):
    return os.path.join(TEMPLATES, name)


class PlanTemplatesTest(base.TestCase):

    def run_plan(self, *argv, existing=True):
        parser = argparse.ArgumentParser()
        plan.add_parser(parser.add_subparsers(dest='command'))
        argv = ['plan', '--topology', template('dc.yaml')] + list(argv)
        if existing:
            argv += ['--existing', template('existing.yaml')]
        args = parser.parse_args(argv)
        out, err = io.StringIO(), io.StringIO()
        code = plan.run(self.conf, args, out, err)
        return code, out.getvalue(), err.getvalue()

    def placed(self, *argv):
        code, out, err = self.run_plan(*argv)
        self.assertEqual(0, code, out + err)
        self.assertEqual('', err)
        return json.loads(out)['placements']

    def test_nested_templates_groups_and_environment(self):
        placements = self.placed('--template', template('web.yaml'),
                                 '--environment', template('env.yaml'),
                                 '--environment', template('count3.yaml'))
        self.assertEqual(
            ['app.servers.0', 'app.servers.1', 'cache1', 'cache2',
             'db.server', 'web.0', 'web.1', 'web.2'], sorted(placements))
        # app.yaml's rack affinity holds its resource group's members.
        self.assertEqual(placements['app.servers.0']['rack'],
                         placements['app.servers.1']['rack'])
        # web_tier names the resource group: all its members are diverse.
        self.assertEqual(3, len({placements['web.%d' % i]['host']
                                 for i in range(3)}))

    def test_count_from_the_template_default(self):
        placements = self.placed('--template', template('web.yaml'),
                                 '-e', template('env.yaml'))
        self.assertEqual(['web.0'], sorted(
            n for n in placements if n.startswith('web.')))

    def test_unresolved_image_is_not_an_error(self):
        # web.yaml's "image" has no default and no value: Valet does not
        # read images, so the plan is made all the same.
        code, _out, err = self.run_plan('--template', template('web.yaml'),
                                        '--environment', template('env.yaml'))
        self.assertEqual(0, code, err)

    def test_later_environment_wins(self):
        placements = self.placed('--template', template('web.yaml'),
                                 '-e', template('env.yaml'),
                                 '-e', template('count3.yaml'),
                                 '-e', template('count2.yaml'))
        self.assertEqual(['web.0', 'web.1'], sorted(
            n for n in placements if n.startswith('web.')))

    def test_parameter_wins_over_environments(self):
        placements = self.placed('--template', template('web.yaml'),
                                 '-e', template('count3.yaml'),
                                 '-e', template('env.yaml'),
                                 '--parameter', 'web_count=4',
                                 '--parameter', 'image=cirros')
        self.assertEqual(['web.0', 'web.1', 'web.2', 'web.3'], sorted(
            n for n in placements if n.startswith('web.')))

    def test_get_param_in_metadata_valet_groups(self):
        # The web servers join the named group ops-div through a get_param
        # of metadata.valet.groups; unknown without the existing file.
        code, out, err = self.run_plan('--template', template('web.yaml'),
                                       '-e', template('env.yaml'),
                                       existing=False)
        self.assertEqual(2, code)
        self.assertEqual('', out)
        self.assertIn("unknown group 'ops-div'", err)
        self.assertIn('web.yaml', err)
        self.assertIn('web.0', err)
        self.assertNotIn('Traceback', err)

    def test_table_names_qualified_servers(self):
        code, out, err = self.run_plan('--template', template('web.yaml'),
                                       '-e', template('env.yaml'),
                                       '--format', 'table')
        self.assertEqual(0, code, err)
        rows = {row[0]: row for row in tables.rows(out.splitlines())}
        self.assertEqual('m1.medium', rows['db.server'][3])
        self.assertEqual('app.pod', rows['app.servers.0'][4])

    def test_server_group_anti_affinity(self):
        placements = self.placed('--template', template('web.yaml'),
                                 '-e', template('env.yaml'))
        self.assertNotEqual(placements['cache1']['host'],
                            placements['cache2']['host'])


class PlanTemplateErrorsTest(base.TestCase):
    """Every template error: exit 2, one line naming where, no plan."""

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w') as stream:
            stream.write(text)
        return path

    def fails(self, top, *argv):
        parser = argparse.ArgumentParser()
        plan.add_parser(parser.add_subparsers(dest='command'))
        args = parser.parse_args(['plan', '--topology', template('dc.yaml'),
                                  '--template', top] + list(argv))
        out, err = io.StringIO(), io.StringIO()
        code = plan.run(self.conf, args, out, err)
        self.assertEqual(2, code, out.getvalue() + err.getvalue())
        self.assertEqual('', out.getvalue())
        lines = err.getvalue().splitlines()
        self.assertEqual(1, len(lines), lines)
        self.assertTrue(lines[0].startswith('valet-manage plan: '), lines)
        return lines[0]

    def test_parameter_without_value_in_flavor(self):
        top = self.write('t.yaml', SERVER_WITH_PARAM)
        err = self.fails(top)
        self.assertIn("t.yaml, resource 'a', property 'flavor': parameter "
                      "'flavor' has no value", err)

    def test_get_attr_in_a_read_property(self):
        top = self.write('t.yaml', HEADER + '''
resources:
  port: {type: OS::Neutron::Port}
  a:
    type: OS::Nova::Server
    properties:
      flavor: m1.small
      availability_zone: {get_attr: [port, zone]}
''')
        err = self.fails(top)
        self.assertIn("t.yaml, resource 'a', property 'availability_zone': "
                      "get_attr cannot be resolved", err)

    def test_missing_nested_template(self):
        top = self.write('t.yaml', HEADER + '''
resources:
  tier: {type: lib/missing.yaml}
''')
        err = self.fails(top)
        self.assertIn("t.yaml, resource 'tier', property 'type': cannot "
                      "read %s" % os.path.join(self.dir, 'lib',
                                               'missing.yaml'), err)

    def test_nested_file_not_a_template(self):
        self.write('notes.yaml', 'just: some\nyaml: here\n')
        top = self.write('t.yaml', HEADER + '''
resources:
  tier: {type: notes.yaml}
''')
        err = self.fails(top)
        self.assertIn("resource 'tier'", err)
        self.assertIn('notes.yaml: not a HOT template', err)

    def test_nested_template_cycle(self):
        self.write('a.yaml', HEADER + 'resources:\n  b: {type: b.yaml}\n')
        self.write('b.yaml', HEADER + 'resources:\n  a: {type: a.yaml}\n')
        err = self.fails(os.path.join(self.dir, 'a.yaml'))
        self.assertIn("b.yaml, resource 'b.a', property 'type': nested "
                      "template", err)
        self.assertIn('includes itself', err)

    def test_nesting_too_deep(self):
        for level in range(12):
            self.write('l%d.yaml' % level, HEADER + 'resources:\n'
                       '  n: {type: l%d.yaml}\n' % (level + 1))
        self.write('l12.yaml', HEADER + 'resources: {}\n')
        err = self.fails(os.path.join(self.dir, 'l0.yaml'))
        self.assertIn('more than 10 deep', err)

    def test_resource_group_count(self):
        for count in ('-1', 'many', '1.5', 'true'):
            top = self.write('t.yaml', HEADER + '''
parameters:
  n: {type: string, default: "%s"}
resources:
  g:
    type: OS::Heat::ResourceGroup
    properties:
      count: {get_param: n}
      resource_def: {type: OS::Nova::Server, properties: {flavor: m1.small}}
''' % count)
            err = self.fails(top)
            self.assertIn("t.yaml, resource 'g', property 'count': must be "
                          "a non-negative integer", err)

    def test_number_parameter_not_a_number(self):
        top = self.write('t.yaml', HEADER + '''
parameters:
  n: {type: number}
resources:
  g:
    type: OS::Heat::ResourceGroup
    properties:
      count: {get_param: n}
      resource_def: {type: OS::Nova::Server, properties: {flavor: m1.small}}
''')
        err = self.fails(top, '--parameter', 'n=two')
        self.assertIn("property 'count': parameter 'n' of type number", err)

    def test_unknown_custom_type(self):
        top = self.write('t.yaml', HEADER + '''
resources:
  x: {type: My::Custom::Thing}
''')
        err = self.fails(top)
        self.assertIn("t.yaml, resource 'x'", err)
        self.assertIn("unknown resource type 'My::Custom::Thing'", err)

    def test_server_types_valet_cannot_plan(self):
        top = self.write('t.yaml', HEADER + '''
resources:
  x: {type: AWS::EC2::Instance, properties: {InstanceType: m1.small}}
''')
        self.assertIn('AWS::EC2::Instance creates servers', self.fails(top))

    def test_parameter_not_key_value(self):
        top = self.write('t.yaml', SERVER_WITH_PARAM)
        err = self.fails(top, '--parameter', 'flavor')
        self.assertIn("--parameter: 'flavor' is not of the form KEY=VALUE",
                      err)

    def test_parameter_not_declared(self):
        top = self.write('t.yaml', SERVER_WITH_PARAM)
        err = self.fails(top, '--parameter', 'flavour=m1.small')
        self.assertIn("--parameter: parameter 'flavour' is not declared",
                      err)
        env = self.write('env.yaml', 'parameters: {size: 3}\n')
        err = self.fails(top, '-e', env)
        self.assertIn("env.yaml: parameter 'size' is not declared", err)

    def test_nested_property_not_a_parameter(self):
        self.write('n.yaml', SERVER_WITH_PARAM)
        top = self.write('t.yaml', HEADER + '''
resources:
  x: {type: n.yaml, properties: {flavour: m1.small}}
''')
        err = self.fails(top)
        self.assertIn("t.yaml, resource 'x', property 'flavour': not a "
                      "parameter of the nested template", err)

    def test_nested_parameter_not_set(self):
        self.write('n.yaml', SERVER_WITH_PARAM)
        top = self.write('t.yaml', HEADER + 'resources:\n'
                         '  x: {type: n.yaml}\n')
        err = self.fails(top)
        self.assertIn("n.yaml, resource 'x.a', property 'flavor': parameter "
                      "'flavor' has no value (no default, and x of ", err)

    def test_bad_environment(self):
        top = self.write('t.yaml', SERVER_WITH_PARAM)
        env = self.write('env.yaml', 'paramters: {flavor: m1.small}\n')
        self.assertIn('env.yaml: environment has wrong section "paramters"',
                      self.fails(top, '-e', env))
        missing = os.path.join(self.dir, 'nope.yaml')
        self.assertIn('nope.yaml: cannot read', self.fails(top, '-e',
                                                           missing))
        env = self.write('env2.yaml', 'resource_registry: [a, b]\n')
        self.assertIn('env2.yaml: resource_registry: must be a mapping',
                      self.fails(top, '-e', env))

    def test_pipe_end_without_servers(self):
        top = self.write('t.yaml', HEADER + '''
resources:
  a: {type: OS::Nova::Server, properties: {flavor: m1.small}}
  g:
    type: OS::Heat::ResourceGroup
    properties:
      count: 0
      resource_def: {type: OS::Nova::Server, properties: {flavor: m1.small}}
  p:
    type: ATT::Valet::Pipe
    properties: {resources: [{get_resource: a}, {get_resource: g}],
                 bandwidth: {min: 10}}
''')
        self.assertIn("resource 'p', property 'resources': the pipe end g "
                      "holds no server", self.fails(top))

    def test_error_of_the_engine_names_the_nested_file(self):
        self.write('n.yaml', HEADER + 'resources:\n  s: {type: '
                   'OS::Nova::Server, properties: {flavor: m1.huge}}\n')
        top = self.write('t.yaml', HEADER + 'resources:\n'
                         '  x: {type: n.yaml}\n')
        err = self.fails(top)
        self.assertIn('n.yaml: resources.x.s:', err)
        self.assertIn('m1.huge', err)

    def test_top_template_not_a_template(self):
        top = self.write('t.yaml', 'AWSTemplateFormatVersion: 2010-09-09\n'
                         'Resources: {}\n')
        self.assertIn('only HOT templates', self.fails(top))
        top = self.write('t.yaml', 'resources: [\n')
        self.assertIn('t.yaml: not valid YAML', self.fails(top))

    def test_alias_bomb_is_refused_before_it_is_read(self):
        # A few hundred bytes standing for 10**9 values: reading them
        # hung the command.
        lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]']
        for i in range(1, 9):
            lines.append('a%d: &a%d [%s]' % (i, i, ', '.join(
                ['*a%d' % (i - 1)] * 10)))
        top = self.write('t.yaml', HEADER + 'parameters:\n  x:\n'
                         '    type: json\n    default:\n' + ''.join(
                             '      %s\n' % line for line in lines) +
                         'resources: {}\n')
        self.assertIn('more than 5000000 values once its YAML aliases are '
                      'expanded', self.fails(top))

    def test_value_containing_itself_is_refused(self):
        top = self.write('t.yaml', HEADER + 'parameters: &p {x: *p}\n')
        self.assertIn('a value contains itself', self.fails(top))

    def test_group_of_a_hundred_million_is_refused_at_once(self):
        # Expanding it ran out of memory with a traceback.
        top = self.write('t.yaml', HEADER + '''
resources:
  g:
    type: OS::Heat::ResourceGroup
    properties:
      count: 100000000
      resource_def: {type: OS::Nova::Server, properties: {flavor: small}}
''')
        line = self.fails(top)
        self.assertIn("resource 'g', property 'count'", line)
        self.assertIn('more than the 10000 resources', line)


HEADER = 'heat_template_version: 2016-10-14\n'
SERVER_WITH_PARAM = HEADER + '''
parameters:
  flavor: {type: string}
resources:
  a: {type: OS::Nova::Server, properties: {flavor: {get_param: flavor}}}
'''
