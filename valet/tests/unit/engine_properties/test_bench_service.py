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

"""The service benchmark's data, judgements, targets and tables.

No service is started here: ``tox -e bench -- --only service`` does that.
"""

from tools.benchmarks import engine_driver
from tools.benchmarks import generator
from tools.benchmarks import report
from tools.benchmarks import run
from tools.benchmarks import service_data as data
from tools.benchmarks import targets
from valet.optimizer import api as optimizer
from valet.tests import base


def _figures(extra_ms=50.0, per_s=350.0, p99=80.0, lost=(), over=0):
    return {
        'hosts': 1024, 'family': 'web', 'uwsgi': (2, 16), 'cores': 2,
        'notifications': 'real', 'loadavg': [1.0, 2.0],
        'overhead': {'servers': 100, 'runs': 30, 'same_plan': 30,
                     'library_p50': 60.0, 'library_p99': 70.0,
                     'search_p50': 50.0, 'search_p99': 55.0,
                     'rpc_p50': 90.0, 'rpc_p99': 100.0,
                     'http_p50': 100.0, 'http_p99': 70.0 + extra_ms,
                     'delete_p50': 20.0, 'delete_p99': 30.0},
        'hot': {'threads': 32, 'pairs': 2000, 'plans': 20,
                'check': {'sent': 2000, 'reserved': 2000 - len(lost),
                          'lost': list(lost), 'doubled': [], 'stray': []},
                'floor': {'done': 2000, 'errors': 0, 'per_s': 900.0,
                          'p50_ms': 10.0, 'p99_ms': 30.0},
                'hot': {'done': 2000, 'errors': 0, 'per_s': per_s,
                        'p50_ms': 40.0, 'p99_ms': p99}},
        'engines': [
            {'engines': 1, 'requests': 40, 'placed': 40, 'refused': 0,
             'errors': [], 'plans_per_s': 4.0, 'p50_ms': 900.0,
             'p99_ms': 1200.0, 'overcommitted': 0,
             'overcommitted_hosts': []},
            {'engines': 2, 'requests': 40, 'placed': 40, 'refused': 0,
             'errors': [], 'plans_per_s': 5.0, 'p50_ms': 700.0,
             'p99_ms': 1000.0, 'overcommitted': over,
             'overcommitted_hosts': [('h1', (9, 0, 0), (8, 0, 0))] * over}]}


class TestServiceData(base.TestCase):

    def test_api_resources_carry_the_hints_and_place(self):
        template = generator.make_stack('web', 20, 0)
        resources = data.api_resources(template, 'stack-1')
        self.assertEqual(len(template['resources']), len(resources))
        servers = [r for r in resources.values() if r['type'] == data.SERVER]
        self.assertEqual(20, len(servers))
        for res in servers:
            self.assertEqual({'heat_root_stack_id': 'stack-1',
                              'heat_resource_name': res['name']},
                             res['metadata'])
        # New orchestration ids each time: a stack is never planned twice.
        self.assertFalse(set(resources) & set(
            data.api_resources(template, 'stack-1')))
        topology, _existing = generator.make_datacenter(64, 0.7, 0,
                                                        known_share=0.0)
        conf = engine_driver.make_conf()
        dc = engine_driver.load_datacenter(conf, topology)
        result = optimizer.place_stack(
            conf, dc, optimizer.stack_from_resources(resources, dc, {}))
        self.assertTrue(result.ok, result.reason)
        self.assertEqual(20, len(result.placements))

    def test_usable_capacity(self):
        topology = {'defaults': {'cpu_allocation_ratio': 4.0},
                    'hosts': [{'name': 'a', 'vcpus': 8, 'ram_mb': 1000,
                               'disk_gb': 10, 'used': {'vcpus': 2}},
                              {'name': 'b', 'vcpus': 8, 'ram_mb': 1000,
                               'disk_gb': 10, 'ram_allocation_ratio': 1.0,
                               'cpu_allocation_ratio': 1.0}]}
        self.assertEqual({'a': (30.0, 1500.0, 10.0),
                          'b': (8.0, 1000.0, 10.0)},
                         data.usable_capacity(topology))
        topology['aggregates'] = {'x': {'hosts': ['a'], 'metadata': {
            'cpu_allocation_ratio': '2.0'}}}
        self.assertRaises(ValueError, data.usable_capacity, topology)

    def test_overcommitted(self):
        usable = {'a': (8.0, 100.0, 10.0), 'b': (4.0, 100.0, 10.0)}
        self.assertEqual([], data.overcommitted(
            usable, {'a': (8, 100, 10), 'b': (1, 1, 1)}))
        self.assertEqual(
            [('a', (8, 101, 10), usable['a']), ('z', (1, 1, 1), None)],
            data.overcommitted(usable, {'a': (8, 101, 10),
                                        'b': (4, 100, 10),
                                        'z': (1, 1, 1)}))

    def test_reservation_check(self):
        sent = {'p1': 'r1', 'p2': 'r2', 'p3': 'r3'}
        rows = [('p1', True, 'r1'), ('p2', 1, 'r2'), ('p3', True, 'r3'),
                ('p4', False, None)]
        self.assertEqual({'sent': 3, 'reserved': 3, 'lost': [],
                          'doubled': [], 'stray': []},
                         data.reservation_check(sent, rows))
        rows = [('p1', True, 'r1'), ('p2', False, None),
                ('p3', True, 'r1'), ('p4', True, 'r9')]
        found = data.reservation_check(sent, rows)
        self.assertEqual(['p2', 'p3'], found['lost'])
        self.assertEqual(['r1'], found['doubled'])
        self.assertEqual(['p4'], found['stray'])
        self.assertEqual(1, found['reserved'])


class TestServiceTargets(base.TestCase):

    def test_not_run(self):
        found = targets.service_targets(None)
        self.assertEqual(5, len(found))
        self.assertEqual({'not run'}, {t['result'] for t in found})

    def test_pass(self):
        found = targets.service_targets(_figures())
        self.assertEqual(['PASS'] * 5, [t['result'] for t in found])

    def test_each_target_fails_on_its_figure(self):
        for figures, index in ((_figures(extra_ms=101.0), 0),
                               (_figures(per_s=299.0), 1),
                               (_figures(p99=101.0), 2),
                               (_figures(lost=['p1']), 3),
                               (_figures(over=1), 4)):
            results = [t['result'] for t in targets.service_targets(figures)]
            self.assertEqual('FAIL', results[index], index)
            self.assertEqual(4, results.count('PASS'), index)

    def test_report_prints_the_tables_and_targets(self):
        results = report.summarize([], [], None, None, _figures(over=1))
        results['machine'] = {}
        text = report.text(results)
        for words in ('Service overhead', 'Hot path of the Nova filter',
                      'Engines on one topic', 'x 1.25', 'on 2 cores',
                      'Service targets (issue #7)', 'FAIL [0 over-committed',
                      'uwsgi 2 processes x 16 threads'):
            self.assertIn(words, text)
        self.assertIn('Service targets', report.rst(results))

    def test_tiny_runs_no_service(self):
        self.assertIsNone(run.TINY['service'])
        self.assertIn('service', run.PARTS)
        self.assertEqual(1024, run.FULL['service']['hosts'])
