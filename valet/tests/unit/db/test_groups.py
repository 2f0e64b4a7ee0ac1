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

"""Tests of the group data functions (valet/db/groups.py).

The same tests run on MySQL/MariaDB and PostgreSQL from
valet/tests/functional/db/test_groups.py, which overrides
:meth:`GroupsTestCase.database_fixture`.
"""

from unittest import mock

from oslo_db import exception as db_exc
from oslo_utils import uuidutils
import sqlalchemy as sa
from sqlalchemy import orm

from valet import context
from valet.db import groups
from valet.db import models
from valet import exception
from valet.tests import base
from valet.tests.fixtures import database


class GroupsTestCase(base.TestCase):
    """Every group function against a database of the test's own."""

    def database_fixture(self):
        """Return the database fixture; subclasses pick other backends."""
        return database.Database()

    def setUp(self):
        super().setUp()
        self.db = self.useFixture(self.database_fixture())
        self.ctx = context.RequestContext(config=self.conf)

    def _create(self, name='web', group_type='affinity', level='host',
                description=None):
        return groups.create_group(self.ctx, name, group_type, level,
                                   description=description)

    def _place_server(self, group_id, project_id, orchestration_id=None,
                      host='host-a'):
        """Record a placed server, as the plans code will."""
        with self.db.engine.begin() as conn:
            conn.execute(sa.insert(models.GroupServer).values(
                group_id=group_id, project_id=project_id,
                orchestration_id=(orchestration_id or
                                  uuidutils.generate_uuid()),
                host=host, created_at=models._utcnow()))

    def _count(self, model):
        with self.db.engine.connect() as conn:
            return conn.scalar(sa.select(sa.func.count()).select_from(model))

    # create_group

    def test_create_group(self):
        group = self._create(description='web tier')
        self.assertTrue(uuidutils.is_uuid_like(group['id']))
        self.assertEqual({'id': group['id'], 'name': 'web',
                          'description': 'web tier', 'type': 'affinity',
                          'level': 'host', 'members': []}, group)
        self.assertEqual(group, groups.get_group(self.ctx, group['id']))

    def test_create_group_sets_created_at(self):
        group = self._create()
        with self.db.engine.connect() as conn:
            row = conn.execute(sa.select(models.Group).where(
                models.Group.id == group['id'])).one()
        self.assertIsNotNone(row.created_at)
        self.assertIsNone(row.updated_at)

    def test_create_group_all_types_and_levels(self):
        for group_type in groups.GROUP_TYPES:
            for level in groups.GROUP_LEVELS:
                name = '%s-%s' % (group_type, level)
                group = self._create(name, group_type, level)
                self.assertEqual((group_type, level),
                                 (group['type'], group['level']))

    def test_create_group_name_taken(self):
        self._create(description='first')
        error = self.assertRaises(exception.GroupNameExists, self._create,
                                  group_type='diversity')
        self.assertEqual('valet.group.duplicate_name', error.error_code)
        self.assertIn("'web'", str(error))
        [group] = groups.list_groups(self.ctx)
        self.assertEqual('first', group['description'])

    def test_create_group_name_is_case_preserving(self):
        self._create('Web')
        self.assertEqual('Web', groups.get_group(self.ctx, 'Web')['name'])

    def test_create_group_unicode_description(self):
        group = self._create(description='caf\u00e9 \U0001f600')
        self.assertEqual('caf\u00e9 \U0001f600',
                         groups.get_group(self.ctx, group['id'])[
                             'description'])

    def test_create_group_longest_name(self):
        name = 'n' * models.NAME_LENGTH
        self.assertEqual(name, self._create(name)['name'])

    def test_create_group_longest_description(self):
        description = 'd' * models.DESCRIPTION_BYTES
        group = self._create(description=description)
        self.assertEqual(description, groups.get_group(
            self.ctx, group['id'])['description'])

    def test_create_group_bad_input(self):
        cases = [
            ({'name': ''}, 'name'),
            ({'name': 'n' * (models.NAME_LENGTH + 1)}, 'name'),
            ({'name': None}, 'name'),
            ({'name': 'a\x00b'}, 'name'),
            ({'group_type': 'anti-affinity'}, 'type'),
            ({'level': 'zone'}, 'level'),
            ({'description': 42}, 'description'),
            ({'description': '\u00e9' * 32768}, 'description'),
            ({'description': 'a\x00b'}, 'description'),
            ({'description': 'a\ud800b'}, 'description'),
        ]
        for kwargs, field in cases:
            error = self.assertRaises(exception.Invalid, self._create,
                                      **kwargs)
            self.assertIn('Invalid %s' % field, str(error))
        self.assertEqual(0, self._count(models.Group))

    # get_group / list_groups

    def test_get_group_by_name(self):
        group = self._create()
        self.assertEqual(group, groups.get_group(self.ctx, 'web'))

    def test_get_group_not_found(self):
        error = self.assertRaises(exception.GroupNotFound,
                                  groups.get_group, self.ctx, 'nope')
        self.assertEqual('valet.group.not_found', error.error_code)
        self.assertIn("'nope'", str(error))

    def test_get_group_impossible_names_are_not_found(self):
        for id_or_name in ('a\x00b', '', 'n' * (models.NAME_LENGTH + 1)):
            self.assertRaises(exception.GroupNotFound, groups.get_group,
                              self.ctx, id_or_name)
            self.assertRaises(exception.GroupNotFound, groups.delete_group,
                              self.ctx, id_or_name)

    def test_get_group_id_wins_over_name(self):
        first = self._create('first')
        # A group whose *name* is the other group's id.
        self._create(first['id'])
        self.assertEqual(first, groups.get_group(self.ctx, first['id']))

    def test_list_groups_ordered_by_name(self):
        for name in ('b', 'c', 'a'):
            self._create(name)
        self.assertEqual(['a', 'b', 'c'],
                         [g['name'] for g in groups.list_groups(self.ctx)])

    def test_list_groups_empty(self):
        self.assertEqual([], groups.list_groups(self.ctx))

    def test_list_groups_filtered(self):
        self._create('web')
        self._create('Web', group_type='diversity')
        self._create('db', group_type='diversity', level='rack')

        def names(**filters):
            return [g['name'] for g in groups.list_groups(self.ctx, filters)]

        self.assertEqual(['web'], names(name='web'))
        self.assertEqual(['Web'], names(name='Web'))
        self.assertEqual(['Web', 'db'], sorted(names(type='diversity')))
        self.assertEqual(['db'], names(type='diversity', level='rack'))
        self.assertEqual([], names(name='web', type='diversity'))

    def test_list_groups_unknown_filter(self):
        error = self.assertRaises(exception.Invalid, groups.list_groups,
                                  self.ctx, {'members': 'p1'})
        self.assertIn("'members'", str(error))

    def test_list_groups_include_members(self):
        group = self._create()
        groups.add_members(self.ctx, group['id'], ['p2', 'p1'])
        [listed] = groups.list_groups(self.ctx)
        self.assertEqual(['p1', 'p2'], listed['members'])

    # update_group

    def test_update_group(self):
        group = self._create(description='old')
        updated = groups.update_group(self.ctx, group['id'], 'new')
        self.assertEqual(dict(group, description='new'), updated)
        self.assertEqual(updated, groups.get_group(self.ctx, group['id']))
        with self.db.engine.connect() as conn:
            row = conn.execute(sa.select(models.Group)).one()
        self.assertIsNotNone(row.updated_at)

    def test_update_group_clear_description(self):
        group = self._create(description='old')
        self.assertIsNone(
            groups.update_group(self.ctx, group['id'], None)['description'])

    def test_update_group_not_found(self):
        self.assertRaises(exception.GroupNotFound, groups.update_group,
                          self.ctx, uuidutils.generate_uuid(), 'x')

    def test_update_group_bad_description(self):
        group = self._create(description='old')
        error = self.assertRaises(exception.Invalid, groups.update_group,
                                  self.ctx, group['id'], ['x'])
        self.assertIn('description', str(error))
        self.assertEqual(
            'old', groups.get_group(self.ctx, group['id'])['description'])

    # delete_group

    def test_delete_group(self):
        group = self._create()
        self.assertIsNone(groups.delete_group(self.ctx, group['id']))
        self.assertRaises(exception.GroupNotFound, groups.get_group,
                          self.ctx, group['id'])

    def test_delete_group_frees_the_name(self):
        group = self._create()
        groups.delete_group(self.ctx, group['id'])
        self.assertNotEqual(group['id'], self._create()['id'])

    def test_delete_group_not_found(self):
        self.assertRaises(exception.GroupNotFound, groups.delete_group,
                          self.ctx, uuidutils.generate_uuid())

    def test_delete_group_with_members(self):
        group = self._create()
        groups.add_members(self.ctx, group['id'], ['p1'])
        error = self.assertRaises(exception.GroupInUse, groups.delete_group,
                                  self.ctx, group['id'])
        self.assertEqual('valet.group.in_use', error.error_code)
        self.assertIn('1 member project', str(error))
        self.assertEqual(group['id'],
                         groups.get_group(self.ctx, 'web')['id'])

    def test_delete_group_with_servers(self):
        group = self._create()
        self._place_server(group['id'], 'p1')
        self._place_server(group['id'], 'p2')
        error = self.assertRaises(exception.GroupInUse, groups.delete_group,
                                  self.ctx, group['id'])
        self.assertIn('2 server(s) are placed', str(error))
        self.assertEqual(1, self._count(models.Group))

    # add_members / is_member

    def test_add_members_is_a_sorted_union(self):
        group = self._create()
        result = groups.add_members(self.ctx, group['id'], ['p3', 'p1'])
        self.assertEqual(['p1', 'p3'], result['members'])
        result = groups.add_members(self.ctx, group['id'], ['p2', 'p1', 'p2'])
        self.assertEqual(['p1', 'p2', 'p3'], result['members'])
        self.assertEqual(3, self._count(models.GroupMember))

    def test_add_members_empty_list(self):
        group = self._create()
        self.assertEqual([], groups.add_members(self.ctx, group['id'],
                                                [])['members'])

    def test_add_members_group_not_found(self):
        self.assertRaises(exception.GroupNotFound, groups.add_members,
                          self.ctx, 'nope', ['p1'])
        self.assertEqual(0, self._count(models.GroupMember))

    def test_add_members_bad_ids_add_nothing(self):
        group = self._create()
        for bad in (['p1', ''], ['p1', None], ['p' * 256], 'p1'):
            error = self.assertRaises(exception.Invalid, groups.add_members,
                                      self.ctx, group['id'], bad)
            self.assertIn('member', str(error))
        self.assertEqual(0, self._count(models.GroupMember))

    def test_is_member(self):
        group = self._create()
        groups.add_members(self.ctx, group['id'], ['p1'])
        self.assertTrue(groups.is_member(self.ctx, group['id'], 'p1'))
        self.assertFalse(groups.is_member(self.ctx, group['id'], 'p2'))

    def test_is_member_group_not_found(self):
        self.assertRaises(exception.GroupNotFound, groups.is_member,
                          self.ctx, 'nope', 'p1')

    def test_membership_is_per_group(self):
        web = self._create('web')
        db = self._create('db')
        groups.add_members(self.ctx, web['id'], ['p1'])
        groups.add_members(self.ctx, db['id'], ['p1', 'p2'])
        self.assertFalse(groups.is_member(self.ctx, web['id'], 'p2'))
        groups.remove_all_members(self.ctx, db['id'])
        self.assertEqual(['p1'], groups.get_group(self.ctx,
                                                  web['id'])['members'])

    # remove_member

    def test_remove_member(self):
        group = self._create()
        groups.add_members(self.ctx, group['id'], ['p1', 'p2'])
        self.assertIsNone(groups.remove_member(self.ctx, group['id'], 'p1'))
        self.assertEqual(['p2'],
                         groups.get_group(self.ctx, group['id'])['members'])

    def test_remove_member_not_member(self):
        group = self._create()
        groups.add_members(self.ctx, group['id'], ['p1'])
        error = self.assertRaises(exception.MemberNotFound,
                                  groups.remove_member, self.ctx,
                                  group['id'], 'p2')
        self.assertEqual('valet.group.member_not_found', error.error_code)
        self.assertIn("'p2'", str(error))

    def test_remove_member_group_not_found(self):
        self.assertRaises(exception.GroupNotFound, groups.remove_member,
                          self.ctx, 'nope', 'p1')

    def test_remove_member_with_servers(self):
        group = self._create()
        groups.add_members(self.ctx, group['id'], ['p1', 'p2'])
        self._place_server(group['id'], 'p1')
        error = self.assertRaises(exception.MemberInUse,
                                  groups.remove_member, self.ctx,
                                  group['id'], 'p1')
        self.assertEqual('valet.group.member_in_use', error.error_code)
        self.assertIn("'p1'", str(error))
        self.assertTrue(groups.is_member(self.ctx, group['id'], 'p1'))
        # Servers of another project do not hold this one back.
        groups.remove_member(self.ctx, group['id'], 'p2')

    # remove_all_members

    def test_remove_all_members(self):
        group = self._create()
        groups.add_members(self.ctx, group['id'], ['p1', 'p2'])
        self.assertIsNone(groups.remove_all_members(self.ctx, group['id']))
        self.assertEqual([],
                         groups.get_group(self.ctx, group['id'])['members'])
        self.assertEqual(0, self._count(models.GroupMember))

    def test_remove_all_members_none(self):
        group = self._create()
        groups.remove_all_members(self.ctx, group['id'])
        self.assertEqual([],
                         groups.get_group(self.ctx, group['id'])['members'])

    def test_remove_all_members_removes_nothing_when_one_is_busy(self):
        group = self._create()
        groups.add_members(self.ctx, group['id'], ['p1', 'p2', 'p3'])
        self._place_server(group['id'], 'p2')
        self._place_server(group['id'], 'p3')
        error = self.assertRaises(exception.MemberInUse,
                                  groups.remove_all_members, self.ctx,
                                  group['id'])
        self.assertIn("'p2, p3'", str(error))
        self.assertEqual(['p1', 'p2', 'p3'],
                         groups.get_group(self.ctx, group['id'])['members'])

    def test_remove_all_members_is_one_transaction(self):
        # Fail after the members are deleted: nothing may stay deleted.
        group = self._create()
        groups.add_members(self.ctx, group['id'], ['p1', 'p2'])
        with mock.patch.object(orm.Session, 'expire',
                               side_effect=db_exc.DBError('boom')):
            self.assertRaises(db_exc.DBError, groups.remove_all_members,
                              self.ctx, group['id'])
        self.assertEqual(['p1', 'p2'],
                         groups.get_group(self.ctx, group['id'])['members'])
        self.assertEqual(2, self._count(models.GroupMember))

    def _work(self, function, *args):
        """Run function; return (statements sent, values bound to them)."""
        statements = []

        def record(conn, cursor, statement, parameters, context,
                   executemany):
            sets = parameters if executemany else [parameters]
            statements.append(sum(len(values or ()) for values in sets))

        sa.event.listen(self.db.engine, 'before_cursor_execute', record)
        try:
            function(self.ctx, *args)
        finally:
            sa.event.remove(self.db.engine, 'before_cursor_execute', record)
        return len(statements), sum(statements)

    def test_member_changes_are_bulk_statements(self):
        # 50,000 members took 107 s to remove: a statement or a bound
        # value per member, and a list scan per removal. The statements
        # sent must not grow with the members, nor must removal's values.
        few = self._create('few')['id']
        many = self._create('many')['id']
        added_few = self._work(groups.add_members, few, ['p1', 'p2', 'p3'])
        added_many = self._work(groups.add_members, many,
                                ['p%04d' % i for i in range(300)])
        self.assertEqual(added_few[0], added_many[0])
        self.assertEqual(300, len(groups.get_group(self.ctx,
                                                   many)['members']))
        removed_few = self._work(groups.remove_all_members, few)
        removed_many = self._work(groups.remove_all_members, many)
        self.assertEqual(removed_few, removed_many)
        self.assertEqual(0, self._count(models.GroupMember))

    def test_remove_all_members_group_not_found(self):
        self.assertRaises(exception.GroupNotFound, groups.remove_all_members,
                          self.ctx, 'nope')

    # group_servers

    def test_group_servers(self):
        group = self._create()
        other = self._create('other')
        self._place_server(group['id'], 'p2', 'srv-2', 'host-b')
        self._place_server(group['id'], 'p1', 'srv-1', 'host-a')
        self._place_server(other['id'], 'p1', 'srv-3', 'host-c')
        servers = groups.group_servers(self.ctx, group['id'])
        self.assertEqual(
            [{'group_id': group['id'], 'orchestration_id': 'srv-1',
              'project_id': 'p1', 'host': 'host-a'},
             {'group_id': group['id'], 'orchestration_id': 'srv-2',
              'project_id': 'p2', 'host': 'host-b'}], servers)
        self.assertEqual(
            ['srv-2'],
            [s['orchestration_id'] for s in
             groups.group_servers(self.ctx, 'web', project_id='p2')])
        self.assertEqual([], groups.group_servers(self.ctx, 'web',
                                                  project_id='p9'))

    def test_group_servers_group_not_found(self):
        self.assertRaises(exception.GroupNotFound, groups.group_servers,
                          self.ctx, 'nope')

    def test_group_server_unique_per_group(self):
        group = self._create()
        self._place_server(group['id'], 'p1', 'srv-1')
        self.assertRaises(db_exc.DBDuplicateEntry, self._place_server,
                          group['id'], 'p1', 'srv-1')

    def test_group_server_needs_an_existing_group(self):
        self.assertRaises(db_exc.DBReferenceError, self._place_server,
                          uuidutils.generate_uuid(), 'p1')
