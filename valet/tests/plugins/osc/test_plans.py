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

"""``openstack placement plan ...``, for real, with the sample templates."""

import os
import uuid

from valet.plugins import client as valet_client
from valet.tests.plugins.osc import base

SHOP = os.path.join(base.SAMPLES, 'shop.yaml')
WEB = os.path.join(base.SAMPLES, 'web-3tier.yaml')
AFFINITY = os.path.join(base.SAMPLES, 'affinity.yaml')


class TestPlans(base.OpenStackTestCase):

    def setUp(self):
        super().setUp()
        self.client = self.running.client()

    def plan_later_deleted(self, stack_id):
        self.addCleanup(self.client.delete_plan, stack_id, missing_ok=True)

    def hosts(self, stack_id):
        """``{server: (host, rack)}`` of the plan Valet stored."""
        plan = self.client.get_plan(stack_id)
        return {p['name']: (p['location'], p['rack'])
                for p in plan['placements'].values()}

    def test_create_with_environment_and_parameters(self):
        group = self.client.create_group('db-spread', 'diversity', 'rack')
        self.addCleanup(self.client.delete_group, group['id'])
        environment = self.temp_file(
            'parameters:\n  web_flavor: no.such.flavor\n')
        stack_id = str(uuid.uuid4())
        self.plan_later_deleted(stack_id)

        # The environment's value reaches Valet, which refuses it...
        refused = self.openstack('placement', 'plan', 'create', 'shop',
                                 '-t', SHOP, '-e', environment,
                                 '--stack-id', stack_id)
        self.assertOneLine(refused, 1, "Resource 'web1': unknown flavor "
                           "'no.such.flavor'", 'HTTP 400', 'valet.invalid')

        # ...and --parameter wins over it.
        created = self.openstack(
            'placement', 'plan', 'create', 'shop', '--template', SHOP,
            '--environment', environment, '--parameter',
            'web_flavor=m1.small', '--stack-id', stack_id, '-f', 'json')
        self.assertOk(created)
        shown = created.json()
        self.assertEqual(('shop', stack_id, 'admin-project'),
                         (shown['name'], shown['stack_id'],
                          shown['project_id']))
        stored = self.hosts(stack_id)
        self.assertEqual(stored, {p['server']: (p['host'], p['rack'])
                                  for p in shown['placements']})
        self.assertEqual({'web1', 'web2', 'web3', 'app1', 'app2', 'db1',
                          'db2', 'db3'}, set(stored))

        # The verdicts, and the rules checked here on Valet's own answer.
        rules = {r['name']: r for r in shown['rules']}
        self.assertEqual({'web_tier', 'app_tier', 'db_spread'}, set(rules))
        self.assertEqual({'holds'}, {r['verdict'] for r in rules.values()})
        self.assertEqual(('diversity', 'rack'),
                         (rules['db_spread']['rule'],
                          rules['db_spread']['level']))
        self.assertEqual(3, len({stored[s][0] for s in
                                 ('web1', 'web2', 'web3')}))
        self.assertEqual(3, len({stored[s][1] for s in
                                 ('db1', 'db2', 'db3')}))
        links = {k['name']: k for k in shown['links']}
        self.assertEqual({'web_app', 'app_db'}, set(links))
        app_racks = {stored[s][1] for s in ('app1', 'app2')}
        db_racks = {stored[s][1] for s in ('db1', 'db2', 'db3')}
        self.assertEqual(sorted(app_racks | db_racks),
                         links['app_db']['racks'])
        self.assertTrue(links['app_db']['crosses'])
        self.assertIn('capacity: room on each host', shown['not_judged'])

    def test_table_list_show_delete(self):
        stack_id = str(uuid.uuid4())
        self.plan_later_deleted(stack_id)
        created = self.openstack('placement', 'plan', 'create', 'web',
                                 '-t', WEB, '--stack-id', stack_id)
        self.assertOk(created)
        stored = self.hosts(stack_id)
        for server, (host, rack) in stored.items():
            self.assertIn('%s: %s (rack %s)' % (server, host, rack),
                          created.stdout)
        web = ', '.join('%s (%s)' % (stored[s][0], s)
                        for s in ('web1', 'web2', 'web3'))
        self.assertIn('diversity host web_tier (3 servers): holds, 3 hosts: '
                      + web, created.stdout)
        self.assertIn('web_app (web_tier <-> app_tier, 1000 Mbps):',
                      created.stdout)
        self.assertIn('| not_judged |', created.stdout)

        listed = self.openstack('placement', 'plan', 'list', '--stack-id',
                                stack_id, '-f', 'json')
        self.assertOk(listed)
        plan_id = self.client.get_plan(stack_id)['id']
        self.assertEqual([{'ID': plan_id, 'Name': 'web',
                           'Stack ID': stack_id,
                           'Project ID': 'admin-project', 'Servers': 7}],
                         listed.json())

        # By plan id; the server lines by stack id are the same.
        shown = self.openstack('placement', 'plan', 'show', plan_id,
                               '-f', 'json', '-c', 'stack_id', '-c',
                               'placements')
        self.assertOk(shown)
        self.assertEqual(stack_id, shown.json()['stack_id'])
        self.assertEqual(stored, {p['server']: (p['host'], p['rack'])
                                  for p in shown.json()['placements']})

        self.assertOk(self.openstack('placement', 'plan', 'delete',
                                     stack_id))
        error = self.assertRaises(valet_client.ValetError,
                                  self.client.get_plan, stack_id)
        self.assertEqual(404, error.status)
        gone = self.openstack('placement', 'plan', 'delete', stack_id)
        self.assertOneLine(gone, 1, 'HTTP 404', 'valet.plan.not_found')

    def test_show_and_delete_by_name(self):
        # The name given to "plan create" finds the plan, while it names
        # one plan only.
        first, second = str(uuid.uuid4()), str(uuid.uuid4())
        for stack_id in (first, second):
            self.plan_later_deleted(stack_id)
        self.assertOk(self.openstack('placement', 'plan', 'create',
                                     'named-once', '-t', WEB,
                                     '--stack-id', first))
        shown = self.openstack('placement', 'plan', 'show', 'named-once',
                               '-f', 'value', '-c', 'stack_id')
        self.assertOk(shown)
        self.assertEqual(first, shown.stdout.strip())

        self.assertOk(self.openstack('placement', 'plan', 'create',
                                     'named-once', '-t', WEB,
                                     '--stack-id', second))
        ids = sorted(self.client.get_plan(s)['id'] for s in (first, second))
        twice = self.openstack('placement', 'plan', 'delete', 'named-once')
        self.assertOneLine(twice, 1, "2 plans are named 'named-once'",
                           ', '.join(ids))
        self.assertEqual(2, len(self.client.list_plans(name='named-once')))

        self.assertOk(self.openstack('placement', 'plan', 'delete', second))
        self.assertOk(self.openstack('placement', 'plan', 'delete',
                                     'named-once'))
        self.assertEqual([], self.client.list_plans(name='named-once'))
        unknown = self.openstack('placement', 'plan', 'show', 'named-once')
        self.assertOneLine(unknown, 1, 'HTTP 404', 'valet.plan.not_found')

    def test_refused_with_valets_reason(self):
        # Three web servers on different hosts, one host allowed: 409.
        refused = self.openstack('placement', 'plan', 'create', 'web',
                                 '-t', WEB, '--location', 'r01-h01')
        self.assertOneLine(refused, 1, 'No placement satisfies the rules',
                           "No host satisfies rule 'diversity' of group",
                           'HTTP 409', 'valet.plan.no_placement')
        self.assertEqual('', refused.stdout)

        stack_id = str(uuid.uuid4())
        self.plan_later_deleted(stack_id)
        self.assertOk(self.openstack('placement', 'plan', 'create', 'web',
                                     '-t', WEB, '--stack-id', stack_id,
                                     '-f', 'value', '-c', 'id'))
        again = self.openstack('placement', 'plan', 'create', 'web', '-t',
                               WEB, '--stack-id', stack_id)
        self.assertOneLine(again, 1, "Stack '%s' already has a plan"
                           % stack_id, 'HTTP 409',
                           'valet.plan.duplicate_stack')

        unknown = self.openstack('placement', 'plan', 'create', 'aff',
                                 '-t', AFFINITY)
        self.assertOneLine(unknown, 1, "Group 'cache-aff' not found",
                           'HTTP 404', 'valet.group.not_found')

    def test_bad_local_input_exits_2(self):
        before = self.client.list_plans()
        missing = os.path.join(self.home.name, 'no-such-stack.yaml')
        cases = [
            (['-t', missing], [missing, 'No such file or directory']),
            (['-t', WEB, '--parameter', 'web_flavor'],
             ['--parameter', "'web_flavor' is not of the form KEY=VALUE"]),
            (['-t', WEB, '--parameter', 'colour=blue'],
             ['--parameter', "parameter 'colour' is not declared by"]),
            (['-t', self.temp_file('- just\n- a list\n')],
             ['must be a mapping']),
        ]
        for args, parts in cases:
            result = self.openstack('placement', 'plan', 'create', 'bad',
                                    *args)
            self.assertOneLine(result, 2, *parts)
            self.assertEqual('', result.stdout)
        self.assertEqual(before, self.client.list_plans())
