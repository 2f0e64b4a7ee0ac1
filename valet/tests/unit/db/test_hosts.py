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

"""Host usage and generations: the guard of every commit."""

from valet import context
from valet.db import api
from valet.db import hosts as db_hosts
from valet import exception
from valet.tests import base
from valet.tests.fixtures import database


@api.writer
def _touch_all(ctx, deltas, expected=None, racks=None):
    db_hosts.touch_all(ctx, deltas, expected, racks)


class TouchAllTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(database.Database())
        self.ctx = context.RequestContext(config=self.conf)
        db_hosts.sync_hosts(self.ctx, {'h1': 'r1', 'h2': 'r1', 'h3': 'r2'})

    def usage(self):
        return {host: (row['generation'],) + db_hosts.demand_of(row)
                for host, row in db_hosts.usage(self.ctx).items()}

    def test_one_statement_adds_each_hosts_delta(self):
        _touch_all(self.ctx, {'h1': (2, 1024, 10), 'h3': (1, 0, 5)},
                   expected={'h1': 0, 'h2': 0, 'h3': 0})
        self.assertEqual({'h1': (1, 2, 1024, 10), 'h2': (1, 0, 0, 0),
                          'h3': (1, 1, 0, 5)}, self.usage())
        _touch_all(self.ctx, {'h1': (-2, -1024, -10)},
                   expected={'h1': 1, 'h3': 1})
        self.assertEqual({'h1': (2, 0, 0, 0), 'h2': (1, 0, 0, 0),
                          'h3': (2, 1, 0, 5)}, self.usage())

    def test_one_stale_host_among_many_is_a_conflict(self):
        db_hosts.adjust(self.ctx, {'h2': (1, 0, 0)})
        before = self.usage()
        self.assertRaises(exception.GenerationConflict, _touch_all,
                          self.ctx, {'h1': (1, 0, 0), 'h2': (1, 0, 0)},
                          expected={'h1': 0, 'h2': 0, 'h3': 0})
        self.assertEqual(before, self.usage())

    def test_a_generation_moved_by_one_is_still_a_conflict(self):
        # Planned with h1 at 0; another commit moved it to 1 meanwhile.
        db_hosts.adjust(self.ctx, {'h1': (1, 0, 0)})
        self.assertRaises(exception.GenerationConflict, _touch_all,
                          self.ctx, {'h1': (1, 0, 0), 'h3': (1, 0, 0)},
                          expected={'h1': 0, 'h3': 0})

    def test_host_with_no_row_gets_one(self):
        _touch_all(self.ctx, {'h1': (1, 0, 0), 'h9': (4, 512, 8)},
                   expected={'h1': 0, 'h9': 0}, racks={'h9': 'r9'})
        usage = db_hosts.usage(self.ctx)
        self.assertEqual(('r9', 1, 4, 512, 8),
                         (usage['h9']['rack'], usage['h9']['generation']) +
                         db_hosts.demand_of(usage['h9']))
        self.assertEqual(1, usage['h1']['generation'])

    def test_missing_host_expected_at_a_later_generation_conflicts(self):
        self.assertRaises(exception.GenerationConflict, _touch_all,
                          self.ctx, {'h1': (1, 0, 0), 'h9': (1, 0, 0)},
                          expected={'h1': 0, 'h9': 4})
