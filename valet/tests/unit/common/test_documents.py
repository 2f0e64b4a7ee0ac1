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

"""Bounds on parsed YAML documents: aliases counted, shared values once."""

import os

import fixtures

from valet.common import documents
from valet.optimizer import exception
from valet.tests import base
from valet.topology import static


class TestExpandedSize(base.TestCase):

    def test_plain_document(self):
        self.assertEqual(1, documents.expanded_size('x'))
        # The list, its mapping and the mapping's two values.
        self.assertEqual(4, documents.expanded_size([{'a': 1, 'b': 2}]))

    def test_shared_values_count_each_time_they_appear(self):
        leaf = [1, 2, 3]
        doc = {'a': leaf, 'b': leaf, 'c': [leaf, leaf]}
        self.assertEqual(1 + 4 + 4 + (1 + 4 + 4),
                         documents.expanded_size(doc))

    def test_limit(self):
        doc = [list(range(10))] * 10
        self.assertEqual(111, documents.expanded_size(doc, limit=111))
        self.assertRaises(documents.TooLarge, documents.expanded_size, doc,
                          limit=110)

    def test_exponential_sharing_is_counted_without_walking_it(self):
        doc = ['x'] * 10
        for _ in range(12):
            doc = [doc] * 10
        # 10**13 leaves: counted in a dozen steps, refused.
        exc = self.assertRaises(documents.TooLarge, documents.check, doc)
        self.assertIn('more than 5000000 values', str(exc))

    def test_value_containing_itself(self):
        doc = {'a': []}
        doc['a'].append(doc)
        exc = self.assertRaises(documents.TooLarge, documents.check, doc)
        self.assertIn('contains itself', str(exc))

    def test_text_without_an_alias_is_not_walked(self):
        doc = [['x'] * 10] * 10
        self.assertIs(doc, documents.check(doc, 'no alias here', limit=5))
        self.assertIs(doc, documents.check(doc, b'no alias here', limit=5))
        self.assertRaises(documents.TooLarge, documents.check, doc,
                          '[*a]', limit=5)


class TestStaticFiles(base.TestCase):

    def test_topology_alias_bomb_names_the_file(self):
        path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                            'dc.yaml')
        lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]']
        for i in range(1, 9):
            lines.append('a%d: &a%d [%s]' % (i, i, ', '.join(
                ['*a%d' % (i - 1)] * 10)))
        with open(path, 'w') as stream:
            stream.write('\n'.join(lines) + '\n')
        exc = self.assertRaises(exception.InvalidTopology, static.read_yaml,
                                path)
        self.assertIn('dc.yaml', str(exc))
        self.assertIn('YAML aliases', str(exc))
