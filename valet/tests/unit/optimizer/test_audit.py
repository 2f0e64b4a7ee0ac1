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

"""Tests of the queries over running servers (valet.optimizer.audit)."""

from valet.optimizer import audit
from valet.tests import base
from valet.tests.unit.optimizer import fakes


def _server(sid, host, name=None, gtype=None, level='host'):
    doc = {'id': sid, 'host': host, 'flavor': 'small'}
    if name:
        doc['groups'] = [{'name': name, 'type': gtype, 'level': level}]
    return doc


class TestAudit(base.TestCase):

    def audit(self, servers, **host_extra):
        doc = fakes.topology(racks=2, hosts_per_rack=2)
        doc['hosts'][3].update(host_extra)
        dc = fakes.datacenter(self.conf, doc, {'servers': servers})
        return dc, [(f['server'], f['rule']) for f in
                    audit.broken_rules(dc)]

    def test_group_servers(self):
        dc, _found = self.audit([_server('a', 'r0-h0', 'g', 'affinity'),
                                 _server('b', 'r0-h1')])
        self.assertEqual([('a', 'r0-h0')], audit.group_servers(dc, 'g'))
        self.assertEqual([], audit.group_servers(dc, 'nope'))

    def test_rules_that_hold(self):
        _dc, found = self.audit([
            _server('a', 'r0-h0', 'aff', 'affinity', 'rack'),
            _server('b', 'r0-h1', 'aff', 'affinity', 'rack'),
            _server('c', 'r0-h0', 'div', 'diversity', 'host'),
            _server('d', 'r1-h0', 'div', 'diversity', 'host'),
            _server('e', 'r1-h1', 'ex', 'exclusivity', 'host'),
            _server('f', 'r1-h1', 'ex', 'exclusivity', 'host')])
        self.assertEqual([], found)

    def test_affinity_outlier(self):
        _dc, found = self.audit([
            _server('a', 'r0-h0', 'aff', 'affinity', 'rack'),
            _server('b', 'r0-h1', 'aff', 'affinity', 'rack'),
            _server('c', 'r1-h0', 'aff', 'affinity', 'rack')])
        self.assertEqual([('c', 'affinity')], found)

    def test_diversity_sharing(self):
        _dc, found = self.audit([
            _server('a', 'r0-h0', 'div', 'diversity', 'rack'),
            _server('b', 'r0-h1', 'div', 'diversity', 'rack'),
            _server('c', 'r1-h0', 'div', 'diversity', 'rack')])
        self.assertEqual([('a', 'diversity'), ('b', 'diversity')], found)

    def test_exclusivity_with_foreign_server_or_usage(self):
        _dc, found = self.audit([
            _server('a', 'r0-h0', 'ex', 'exclusivity', 'host'),
            _server('b', 'r0-h0'),
            _server('c', 'r1-h1', 'ex', 'exclusivity', 'host')],
            used={'vcpus': 1})
        self.assertEqual([('a', 'exclusivity'), ('c', 'exclusivity')],
                         found)
