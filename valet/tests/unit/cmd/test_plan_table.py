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

"""``valet-manage plan --format table``: the plan, then why it is right.

Lines are compared, never timings: ``elapsed_ms`` is only checked to be
there.
"""

import argparse
import io
import json
import os

import fixtures
import yaml

from valet.cmd import plan
from valet.optimizer import api
from valet.tests import base
from valet.tests.unit.cmd import tables
from valet.tests.unit.optimizer import fakes

SAMPLES = os.path.normpath(os.path.join(
    os.path.dirname(__file__), '..', '..', '..', '..', 'etc', 'valet',
    'samples'))
SAMPLE_TEMPLATES = ('affinity', 'diversity', 'exclusivity', 'quorum',
                    'web-3tier')
MANAGE_DOC = os.path.join(SAMPLES, '..', '..', '..', 'doc', 'source',
                          'admin', 'manage.rst')


def _documented_table():
    """The lines of the table example of manage.rst, unindented."""
    with open(MANAGE_DOC) as stream:
        lines = stream.read().splitlines()
    start = lines.index('   +--------+---------+------+----------+'
                        '--------------+')
    end = next(i for i in range(start, len(lines))
               if lines[i].startswith('   elapsed_ms: '))
    return [line[3:] for line in lines[start:end + 1]]


class TestPlanTable(base.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path

    def write(self, name, doc):
        path = os.path.join(self.dir, name)
        with open(path, 'w') as stream:
            yaml.safe_dump(doc, stream, sort_keys=False)
        return path

    def run_plan(self, *argv):
        parser = argparse.ArgumentParser()
        plan.add_parser(parser.add_subparsers(dest='command'))
        args = parser.parse_args(['plan'] + list(argv))
        out, err = io.StringIO(), io.StringIO()
        code = plan.run(self.conf, args, out, err)
        return code, out.getvalue(), err.getvalue()

    def sample_table(self, name):
        code, out, err = self.run_plan(
            '--topology', os.path.join(SAMPLES, 'datacenter.yaml'),
            '--existing', os.path.join(SAMPLES, 'existing.yaml'),
            '--template', os.path.join(SAMPLES, name + '.yaml'),
            '--format', 'table')
        self.assertEqual(0, code, err)
        return out.splitlines()

    @staticmethod
    def sections(lines):
        """``{title: [lines]}`` of the sections after the server table."""
        found, title = {'servers': []}, 'servers'
        for i, line in enumerate(lines):
            if i + 1 < len(lines) and lines[i + 1] == '-' * len(line) \
                    and line:
                title = line
                found[title] = []
            elif line and not set(line) == {'-'}:
                found[title].append(line)
        return found

    def test_web_sample(self):
        parts = self.sections(self.sample_table('web-3tier'))
        self.assertEqual(['servers', 'Rules', 'Links', 'Totals'],
                         list(parts))
        host = {row[0]: row[1]
                for row in tables.rows(parts['servers'])[1:]}
        self.assertEqual(['web1', 'web2', 'web3', 'app1', 'app2', 'db1',
                          'db2'], list(host))
        rules = parts['Rules']
        self.assertEqual(5, len(rules), rules)
        # Each tier's verdict names the hosts the server table shows.
        for line, tier in zip(rules, (('web_tier', 'web', 3),
                                      ('app_tier', 'app', 2),
                                      ('db_tier', 'db', 2))):
            name, prefix, n = tier
            expected = ', '.join('%s (%s)' % (h, s) for h, s in sorted(
                (host[s], s) for s in host if s.startswith(prefix)))
            self.assertEqual('diversity host %s (%d servers): holds, %d '
                             'hosts: %s' % (name, n, n, expected), line)
        self.assertEqual('exclusivity of running groups (db-excl, 1 host): '
                         'holds, no server of this stack on r02-h04',
                         rules[3])
        self.assertEqual('capacity: holds, %d hosts used, each within its '
                         'usable capacity' % len(set(host.values())),
                         rules[4])
        self.assertEqual(2, len(parts['Links']))
        self.assertRegex(parts['Links'][0],
                         r'^web_app: web_tier -> app_tier 1000 Mbps: '
                         r'inside r0\d$')
        self.assertRegex(parts['Links'][1],
                         r'^app_db: app_tier -> db_tier 500 Mbps: '
                         r'inside r0\d$')
        totals = parts['Totals']
        self.assertEqual(['cross_rack_mbps: 0',
                          '  no link crosses racks (2 links inside one '
                          'rack)',
                          'hosts_used: %d' % len(set(host.values())),
                          '  ' + ', '.join(sorted(set(host.values())))],
                         totals[:4])
        self.assertTrue(totals[4].startswith('empty_hosts_opened: '))
        self.assertTrue(totals[6].startswith('dominant_fill: '))
        self.assertRegex(totals[6], r'^dominant_fill: \d+%$')
        self.assertRegex(totals[-1], r'^elapsed_ms: [0-9.]+$')

    def test_documented_example(self):
        # manage.rst's example: the three-tier stack of the Heat guide on
        # two racks of two hosts, r01-h01 partly used.
        host = {'rack': 'r01', 'vcpus': 32, 'ram_mb': 65536,
                'disk_gb': 1000}
        topo = self.write('dc.yaml', {
            'name': 'dc1',
            'defaults': {'cpu_allocation_ratio': 4.0,
                         'ram_allocation_ratio': 1.0,
                         'disk_allocation_ratio': 1.0},
            'flavors': {'m1.small': {'vcpus': 1, 'ram_mb': 2048,
                                     'disk_gb': 20},
                        'm1.large': {'vcpus': 4, 'ram_mb': 8192,
                                     'disk_gb': 80}},
            'hosts': [
                dict(host, name='r01-h01', used={
                    'vcpus': 8, 'ram_mb': 16384, 'disk_gb': 100}),
                dict(host, name='r01-h02'),
                dict(host, name='r02-h01', rack='r02'),
                dict(host, name='r02-h02', rack='r02')]})
        template = self.write('t.yaml', {'resources': {
            'web1': fakes.server('m1.small'),
            'web2': fakes.server('m1.small'),
            'app1': fakes.server('m1.large'),
            'app2': fakes.server('m1.large'),
            'web_tier': fakes.group('diversity', 'host', ['web1', 'web2']),
            'app_tier': fakes.group('diversity', 'host', ['app1', 'app2']),
            'pod': fakes.group('affinity', 'rack', ['web_tier', 'app_tier']),
            'web_to_app': fakes.pipe('web_tier', 'app_tier', 1000)}})
        code, out, _err = self.run_plan('--topology', topo, '--template',
                                        template, '--format', 'table')
        self.assertEqual(0, code)
        lines = out.splitlines()
        documented = _documented_table()
        self.assertRegex(lines[-1], r'^elapsed_ms: [0-9.]+$')
        self.assertEqual(documented[:-1], lines[:-1])

    def test_named_group_sample_counts_running_members(self):
        parts = self.sections(self.sample_table('affinity'))
        self.assertIn('affinity rack cache-aff (1 new + 1 running): holds, '
                      '1 rack (r02, with 1 running member)', parts['Rules'])
        self.assertIn('(none)', parts['Links'])
        self.assertIn('  the stack has no links', parts['Totals'])
        parts = self.sections(self.sample_table('exclusivity'))
        self.assertEqual(
            'exclusivity host db_hosts (group db-excl, 2 new + 1 running): '
            'holds, 1 host (r02-h04 already the group\'s), nothing else on '
            'it', parts['Rules'][0])

    def test_every_sample_holds(self):
        for name in SAMPLE_TEMPLATES:
            parts = self.sections(self.sample_table(name))
            self.assertEqual(['servers', 'Rules', 'Links', 'Totals'],
                             list(parts), name)
            for line in parts['Rules']:
                self.assertIn(': holds, ', line, name)

    def test_nova_server_group(self):
        topo = self.write('dc.yaml', fakes.topology())
        template = self.write('t.yaml', {'resources': {
            'sg': {'type': 'OS::Nova::ServerGroup',
                   'properties': {'policies': ['anti-affinity']}},
            'a': fakes.server(scheduler_hints={'group': {
                'get_resource': 'sg'}}),
            'b': fakes.server(scheduler_hints={'group': {
                'get_resource': 'sg'}})}})
        code, out, _err = self.run_plan('--topology', topo, '--template',
                                        template, '--format', 'table')
        self.assertEqual(0, code)
        rules = self.sections(out.splitlines())['Rules']
        self.assertTrue(rules[0].startswith(
            'diversity host sg (Nova anti-affinity, 2 servers): holds, '
            '2 hosts: '), rules)

    def test_a_wrong_search_is_shown(self):
        # The verdicts recount the plan: a search that broke a rule and
        # misreported a total is caught, not echoed.
        real = api.place_stack

        def wrong(conf, dc, stack, **kw):
            result = real(conf, dc, stack, **kw)
            for where in result.placements.values():
                where.update(host='r0-h0', rack='r0')
            result.metrics['cross_rack_mbps'] = 7
            return result

        self.useFixture(fixtures.MonkeyPatch(
            'valet.optimizer.api.place_stack', wrong))
        topo = self.write('dc.yaml', fakes.topology())
        template = self.write('t.yaml', {'resources': {
            'a': fakes.server(), 'b': fakes.server(),
            'g': fakes.group('diversity', 'host', ['a', 'b'])}})
        code, out, _err = self.run_plan('--topology', topo, '--template',
                                        template, '--format', 'table')
        parts = self.sections(out.splitlines())
        self.assertEqual('diversity host g (2 servers): broken, a and b '
                         'share host r0-h0', parts['Rules'][0])
        self.assertEqual('cross_rack_mbps: 0 (the search reported 7)',
                         parts['Totals'][0])

    def test_failed_plan_keeps_its_output(self):
        topo = self.write('dc.yaml', fakes.topology())
        template = self.write('t.yaml', {'resources': {
            'a': fakes.server('big'), 'b': fakes.server('big'),
            'g': fakes.group('affinity', 'host', ['a', 'b'])}})
        code, out, _err = self.run_plan('--topology', topo, '--template',
                                        template, '--format', 'table')
        self.assertEqual(1, code)
        lines = out.splitlines()
        self.assertTrue(lines[0].startswith('No placement: '), lines)
        self.assertTrue(all(line.startswith('  ') for line in lines[1:]))
        self.assertIn('capacity', out)
        self.assertNotIn('Rules', out)

    def test_json_is_unchanged(self):
        code, out, _err = self.run_plan(
            '--topology', os.path.join(SAMPLES, 'datacenter.yaml'),
            '--template', os.path.join(SAMPLES, 'web-3tier.yaml'))
        doc = json.loads(out)
        self.assertEqual(['status', 'placements', 'metrics'], list(doc))
        self.assertEqual(['cross_rack_mbps', 'hosts_used',
                          'empty_hosts_opened', 'elapsed_ms'],
                         list(doc['metrics']))
