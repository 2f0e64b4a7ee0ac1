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

"""The plan verdicts of ``plan create`` and the plugin module, in-process.

The verdicts must be able to say ``broken``: plans Valet would never make
are judged here, built by hand.
"""

from keystoneauth1 import session as ks_session
import testtools

from valet.common import hot
from valet.osc import plugin
from valet.osc import verdicts

STACK_ID = '5e0f4b1e-6f0a-4f4e-9d1c-0a0c6a3f2b11'


def _template(resources):
    flat = {'resources': {}}
    for name, spec in resources.items():
        rtype, props = spec
        flat['resources'][name] = {'type': rtype, 'properties': props}
    return flat


def _server(**props):
    return ('OS::Nova::Server', dict(flavor='m1.small', **props))


def _group(gtype, level, members, **props):
    return ('ATT::Valet::GroupAssignment',
            dict(group_type=gtype, level=level, resources=members, **props))


def _judge(resources, where, api_groups=()):
    """Judge a plan that puts server ``name`` on ``where[name]``."""
    posted = hot.stack_resources(_template(resources), STACK_ID)
    placements = {}
    for key, res in posted.items():
        if res['name'] in where:
            host = where[res['name']]
            placements[key] = {'name': res['name'], 'location': host,
                               'rack': host.split('-')[0]}
    return verdicts.judge(posted, {'placements': placements}, api_groups)


def _rules(found):
    return {r['name']: r for r in found['rules']}


class TestVerdicts(testtools.TestCase):

    def test_affinity(self):
        resources = {'a': _server(), 'b': _server(), 'c': _server(),
                     'pair': _group('affinity', 'host', ['a', 'b']),
                     'pod': _group('affinity', 'rack', ['pair', 'c'])}
        held = _rules(_judge(resources, {'a': 'r1-h1', 'b': 'r1-h1',
                                         'c': 'r1-h2'}))
        self.assertEqual(('holds', '1 host (r1-h1)'),
                         (held['pair']['verdict'], held['pair']['evidence']))
        self.assertEqual('affinity rack pod (3 servers): holds, 1 rack (r1)',
                         held['pod']['text'])
        broken = _rules(_judge(resources, {'a': 'r1-h1', 'b': 'r1-h2',
                                           'c': 'r2-h1'}))
        self.assertEqual(('broken', 'spans 2 hosts: r1-h1 (a), r1-h2 (b)',
                          ['a', 'b']),
                         (broken['pair']['verdict'],
                          broken['pair']['evidence'],
                          broken['pair']['servers']))
        self.assertEqual('broken', broken['pod']['verdict'])

    def test_diversity_of_groups(self):
        resources = {'a1': _server(), 'a2': _server(), 'b1': _server(),
                     'pod_a': _group('affinity', 'rack', ['a1', 'a2']),
                     'pod_b': _group('affinity', 'rack', ['b1']),
                     'spread': _group('diversity', 'rack',
                                      ['pod_a', 'pod_b'])}
        held = _rules(_judge(resources, {'a1': 'r1-h1', 'a2': 'r1-h2',
                                         'b1': 'r2-h1'}))
        self.assertEqual(('holds', '2 racks: r1 (pod_a), r2 (pod_b)'),
                         (held['spread']['verdict'],
                          held['spread']['evidence']))
        broken = _rules(_judge(resources, {'a1': 'r1-h1', 'a2': 'r1-h2',
                                           'b1': 'r1-h3'}))
        self.assertEqual(('broken', 'pod_a, pod_b share rack r1',
                          ['a1', 'a2', 'b1']),
                         (broken['spread']['verdict'],
                          broken['spread']['evidence'],
                          broken['spread']['servers']))

    def test_exclusivity(self):
        resources = {'db1': _server(), 'db2': _server(), 'app': _server(),
                     'db_hosts': _group('exclusivity', 'host',
                                        ['db1', 'db2'],
                                        group_name='db-excl')}
        held = _rules(_judge(resources, {'db1': 'r1-h1', 'db2': 'r1-h1',
                                         'app': 'r1-h2'}))
        self.assertEqual(
            'exclusivity host db_hosts (group db-excl, 2 servers): holds, '
            '1 host (r1-h1), no other server of the stack on it',
            held['db_hosts']['text'])
        broken = _rules(_judge(resources, {'db1': 'r1-h1', 'db2': 'r1-h2',
                                           'app': 'r1-h2'}))
        self.assertEqual(('broken', 'r1-h1, r1-h2 of the group also hold '
                          'app', ['app', 'db1', 'db2']),
                         (broken['db_hosts']['verdict'],
                          broken['db_hosts']['evidence'],
                          broken['db_hosts']['servers']))

    def test_api_group_joined_by_id_and_nova_policies(self):
        api = [{'id': 'f00d', 'name': 'quorum', 'type': 'diversity',
                'level': 'rack', 'description': None, 'members': []}]
        joins = {'metadata': {'valet': {'groups': ['f00d']}}}
        resources = {
            'q1': _server(**joins), 'q2': _server(**joins),
            'w1': _server(scheduler_hints={'group': 'soft'}),
            'w2': _server(scheduler_hints={'group': 'soft'}),
            'soft': ('OS::Nova::ServerGroup',
                     {'policies': ['soft-anti-affinity']}),
            'hard': ('OS::Nova::ServerGroup', {'policies': ['affinity']})}
        found = _rules(_judge(resources, {'q1': 'r1-h1', 'q2': 'r1-h2',
                                          'w1': 'r2-h1', 'w2': 'r2-h1'},
                              api))
        self.assertEqual('diversity rack quorum (2 servers, new servers '
                         'only): broken, q1, q2 share rack r1',
                         found['quorum']['text'])
        self.assertEqual(
            'soft-anti-affinity host soft (Nova, 2 servers): broken, 1 host: '
            'r2-h1 (w1, w2) (a wish, the plan stands)', found['soft']['text'])
        self.assertTrue(found['soft']['soft'])
        # A Nova server group no server names is no rule.
        self.assertNotIn('hard', found)

    def test_links(self):
        resources = {'a': _server(), 'b': _server(), 'c': _server(),
                     'ab': ('ATT::Valet::Pipe',
                            {'resources': ['a', 'b'],
                             'bandwidth': {'min': 100}}),
                     'ac': ('ATT::Valet::Pipe',
                            {'resources': ['a', 'c'],
                             'bandwidth': {'min': 10}})}
        links = {k['name']: k for k in _judge(
            resources, {'a': 'r1-h1', 'b': 'r1-h2', 'c': 'r2-h1'})['links']}
        self.assertEqual('ab (a <-> b, 100 Mbps): within rack r1',
                         links['ab']['text'])
        self.assertEqual((True, ['r1', 'r2']),
                         (links['ac']['crosses'], links['ac']['racks']))

    def test_what_cannot_be_judged_says_why(self):
        resources = {'a': _server(), 'b': _server(),
                     'pair': _group('affinity', 'host', ['a', 'b'])}
        found = _judge(resources, {'a': 'r1-h1'})
        self.assertEqual(([], ['every rule: the plan places no server '
                               'named b']),
                         (found['rules'], found['not_judged']))
        resources['pair'] = _group('togetherness', 'host', ['a', 'b'])
        found = _judge(resources, {'a': 'r1-h1', 'b': 'r1-h1'})
        self.assertEqual([], found['rules'])
        self.assertIn('togetherness', found['not_judged'][0])
        found = _judge({'a': _server()}, {'a': 'r1-h1'})
        self.assertEqual(list(verdicts.NOT_JUDGED), found['not_judged'])


class _ClientManager(object):
    """What make_client reads of OpenStackClient's ClientManager."""

    def __init__(self, config):
        self.session = ks_session.Session()
        self.interface = 'internal'
        self.region_name = 'RegionTwo'
        self._config = config

    def get_configuration(self):
        return dict(self._config)


class TestPlugin(testtools.TestCase):

    def test_endpoint_override(self):
        self.assertIsNone(plugin.endpoint_override({}))
        self.assertEqual('http://b:8090', plugin.endpoint_override(
            {'valet_endpoint_override': 'http://b:8090'}))
        self.assertEqual('http://a:8090', plugin.endpoint_override(
            {'valet_url': 'http://a:8090',
             'valet_endpoint_override': 'http://b:8090'}))

    def test_make_client(self):
        client = plugin.make_client(_ClientManager({}))
        adapter = client.adapter
        self.assertEqual(('valet', 'internal', 'RegionTwo', None),
                         (adapter.service_type, adapter.interface,
                          adapter.region_name, adapter.endpoint_override))
        client = plugin.make_client(_ClientManager(
            {'valet_url': 'http://valet:8090'}))
        self.assertEqual('http://valet:8090',
                         client.adapter.endpoint_override)
