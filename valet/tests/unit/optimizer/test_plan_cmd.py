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

"""Tests of ``valet-manage plan`` (valet/cmd/plan.py) and the samples."""

import argparse
import io
import json
import os
import shlex

import fixtures
import yaml

from valet.cmd import manage
from valet.cmd import plan
from valet.optimizer import api
from valet.optimizer import exception
from valet.tests import base
from valet.tests.unit.cmd import tables
from valet.tests.unit.optimizer import fakes
from valet.topology import static

ROOT = os.path.normpath(os.path.join(
    os.path.dirname(__file__), '..', '..', '..', '..'))
SAMPLES = os.path.join(ROOT, 'etc', 'valet', 'samples')
SAMPLE_DIR = 'etc/valet/samples/'
MANAGE_DOC = os.path.join(ROOT, 'doc', 'source', 'admin', 'manage.rst')
SAMPLE_TEMPLATES = ('affinity', 'diversity', 'exclusivity', 'quorum',
                    'web-3tier')


class TestPlanCommand(base.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path

    def write(self, name, doc):
        path = os.path.join(self.dir, name)
        with open(path, 'w') as stream:
            yaml.safe_dump(doc, stream)
        return path

    def run_plan(self, *argv):
        parser = argparse.ArgumentParser()
        plan.add_parser(parser.add_subparsers(dest='command'))
        args = parser.parse_args(['plan'] + list(argv))
        out, err = io.StringIO(), io.StringIO()
        code = plan.run(self.conf, args, out, err)
        return code, out.getvalue(), err.getvalue()

    def sample(self, name):
        return os.path.join(SAMPLES, name)

    def documented_command(self):
        """The sample command of doc/source/admin/manage.rst, as argv."""
        with open(MANAGE_DOC) as stream:
            text = stream.read().replace('\\\n', ' ')
        commands = [line.strip()[2:] for line in text.splitlines()
                    if line.strip().startswith('$ valet-manage plan ')
                    and SAMPLE_DIR in line]
        self.assertEqual(1, len(commands), commands)
        argv = shlex.split(commands[0])[1:]
        return [arg.replace(SAMPLE_DIR, SAMPLES + os.sep) for arg in argv]

    def test_every_sample_places_with_the_documented_command(self):
        documented = self.documented_command()
        shown = [arg for arg in documented if arg.endswith('.yaml')]
        self.assertIn(self.sample('web-3tier.yaml'), shown)
        for name in SAMPLE_TEMPLATES:
            argv = [self.sample(name + '.yaml')
                    if arg == self.sample('web-3tier.yaml') else arg
                    for arg in documented]
            out = self.useFixture(fixtures.MonkeyPatch(
                'sys.stdout', io.StringIO())).new_value
            err = self.useFixture(fixtures.MonkeyPatch(
                'sys.stderr', io.StringIO())).new_value
            self.assertEqual(0, manage.main(argv),
                             '%s: %s' % (name, err.getvalue()))
            self.assertIn('cross_rack_mbps', out.getvalue(), name)

    def test_every_sample_places(self):
        for name in SAMPLE_TEMPLATES:
            code, out, err = self.run_plan(
                '--topology', self.sample('datacenter.yaml'),
                '--existing', self.sample('existing.yaml'),
                '--template', self.sample(name + '.yaml'))
            self.assertEqual(0, code, '%s: %s %s' % (name, out, err))
            doc = json.loads(out)
            self.assertEqual('ok', doc['status'])
            self.assertEqual(['status', 'placements', 'metrics'], list(doc))

    def test_sample_rules_hold(self):
        dc = static.load_datacenter(self.conf,
                                    self.sample('datacenter.yaml'),
                                    self.sample('existing.yaml'))
        for name in SAMPLE_TEMPLATES:
            code, out, _err = self.run_plan(
                '--topology', self.sample('datacenter.yaml'),
                '--existing', self.sample('existing.yaml'),
                '--template', self.sample(name + '.yaml'))
            template = static.read_yaml(self.sample(name + '.yaml'))
            stack = api.stack_from_template(template, dc)
            self.assertEqual([], fakes.violations(
                dc, stack, json.loads(out)['placements']), name)

    def test_web_sample_keeps_tiers_in_a_rack(self):
        code, out, _err = self.run_plan(
            '--topology', self.sample('datacenter.yaml'),
            '--template', self.sample('web-3tier.yaml'))
        self.assertEqual(0, json.loads(out)['metrics']['cross_rack_mbps'])

    def test_table_format(self):
        code, out, _err = self.run_plan(
            '--topology', self.sample('datacenter.yaml'),
            '--existing', self.sample('existing.yaml'),
            '--template', self.sample('affinity.yaml'), '--format', 'table')
        self.assertEqual(0, code)
        lines = out.splitlines()
        rows = tables.rows(lines)
        self.assertEqual(['SERVER', 'HOST', 'RACK', 'FLAVOR', 'GROUPS'],
                         rows[0])
        row = [cells for cells in rows if cells[0] == 'cache']
        self.assertEqual(['cache', 'r02-h01', 'r02', 'm1.small',
                          'cache-aff'], row[0])
        self.assertIn('cross_rack_mbps: 0', lines)

    def test_no_placement_exits_1_with_json(self):
        topo = self.write('dc.yaml', fakes.topology())
        template = self.write('t.yaml', {'resources': {
            'a': fakes.server('big'), 'b': fakes.server('big'),
            'g': fakes.group('affinity', 'host', ['a', 'b'])}})
        code, out, _err = self.run_plan('--topology', topo,
                                        '--template', template)
        self.assertEqual(1, code)
        doc = json.loads(out)
        self.assertEqual('failed', doc['status'])
        self.assertIn('capacity', doc['reason'])
        self.assertIn('capacity', doc['explanation'])

    def test_no_placement_table(self):
        topo = self.write('dc.yaml', fakes.topology())
        template = self.write('t.yaml', {'resources': {
            'a': fakes.server(availability_zone='mars')}})
        code, out, _err = self.run_plan('--topology', topo, '--template',
                                        template, '--format', 'table')
        self.assertEqual(1, code)
        self.assertIn('No placement', out)

    def test_bad_topology_exits_2(self):
        doc = fakes.topology()
        doc['hosts'][0]['vcpus'] = 'many'
        topo = self.write('dc.yaml', doc)
        code, out, err = self.run_plan('--topology', topo, '--template',
                                       self.sample('quorum.yaml'))
        self.assertEqual(2, code)
        self.assertEqual('', out)
        self.assertIn('dc.yaml', err)
        self.assertIn('hosts[0].vcpus', err)

    def test_bad_template_exits_2(self):
        topo = self.write('dc.yaml', fakes.topology())
        template = self.write('t.yaml', {'resources': {
            'a': fakes.server('nano')}})
        code, out, err = self.run_plan('--topology', topo, '--template',
                                       template)
        self.assertEqual(2, code)
        self.assertIn('t.yaml', err)
        self.assertIn('resources.a', err)
        self.assertIn('nano', err)

    def test_template_not_a_mapping_exits_2(self):
        topo = self.write('dc.yaml', fakes.topology())
        template = self.write('t.yaml', ['not', 'a', 'template'])
        code, _out, err = self.run_plan('--topology', topo, '--template',
                                        template)
        self.assertEqual(2, code)
        self.assertIn('t.yaml: (top): must be a mapping', err)

    def test_resources_not_a_mapping_exits_2(self):
        topo = self.write('dc.yaml', fakes.topology())
        template = self.write('t.yaml', {'resources': ['a']})
        code, _out, err = self.run_plan('--topology', topo, '--template',
                                        template)
        self.assertEqual(2, code)
        self.assertIn('t.yaml: resources: must be a mapping', err)

    def test_bad_existing_exits_2(self):
        existing = self.write('ex.yaml', {'servers': [
            {'host': 'nowhere', 'flavor': 'm1.small'}]})
        code, _out, err = self.run_plan(
            '--topology', self.sample('datacenter.yaml'),
            '--existing', existing,
            '--template', self.sample('quorum.yaml'))
        self.assertEqual(2, code)
        self.assertIn('ex.yaml', err)
        self.assertIn('servers[0].host', err)

    def test_unknown_optimizer_exits_2(self):
        code, _out, err = self.run_plan(
            '--topology', self.sample('datacenter.yaml'),
            '--template', self.sample('web-3tier.yaml'),
            '--optimizer', 'magic')
        self.assertEqual(2, code)
        self.assertIn('magic', err)

    def test_main_parses_its_own_arguments(self):
        stdout = self.useFixture(fixtures.StringStream('stdout'))
        self.useFixture(fixtures.MonkeyPatch('sys.stdout', stdout.stream))
        code = plan.main(['plan', '--topology',
                          self.sample('datacenter.yaml'), '--template',
                          self.sample('diversity.yaml'), '--time-limit',
                          '0'])
        self.assertEqual(0, code)


class FromTemplateParamsTest(base.TestCase):
    """heat.from_template on a raw template (without valet.common.hot)."""

    def build(self, resources, parameters):
        dc = fakes.datacenter(self.conf, existing={'groups': [
            {'name': 'ops', 'type': 'diversity', 'level': 'host'}]})
        return api.stack_from_template(
            {'parameters': parameters, 'resources': resources}, dc)

    def test_get_param_in_metadata_valet_groups(self):
        stack = self.build(
            {'a': fakes.server(metadata={'valet': {'groups': {
                'get_param': ['groups', 0]}}}, image={'get_param': 'img'})},
            {'groups': {'type': 'json', 'default': [['ops']]},
             'img': {'type': 'string'}})
        self.assertEqual(['a'], stack.flatten('ops'))

    def test_get_param_without_value_in_a_read_property(self):
        # Left for the property's own check: an error naming the resource
        # (it was a TypeError on a dict used as a group name).
        error = self.assertRaises(
            exception.InvalidStack, self.build,
            {'a': fakes.server(metadata={'valet': {'groups': [{
                'get_param': ['groups', 0]}]}})},
            {'groups': {'type': 'comma_delimited_list'}})
        self.assertEqual('a', error.resource)
