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

"""Tests of the request schemas and their error messages."""

import fixtures

from valet.api import errors
from valet.api.schemas import groups as schema
from valet.api import util
from valet.tests import base


def _create(name, group_type='affinity', level='host'):
    return {'name': name, 'type': group_type, 'level': level}


class GroupSchemaTest(base.TestCase):

    def assertInvalid(self, document, document_schema, *fragments):
        error = self.assertRaises(errors.BadRequest, util.validate,
                                  document, document_schema)
        for fragment in fragments:
            self.assertIn(fragment, error.detail)
        return error

    def test_valid_names(self):
        for name in ('a', 'web-1', 'A.b_c~d', '0' * 255, '-._~'):
            util.validate(_create(name), schema.POST_GROUP)

    def test_invalid_names(self):
        for name in ('', 'a' * 256, 'web tier', 'a/b', 'caf\u00e9', 'a?',
                     'a%20b', 'a:b', 'a\nb', 'a' * 255 + '\n'):
            self.assertInvalid(_create(name), schema.POST_GROUP,
                               "field 'name'")

    def test_name_must_be_a_string(self):
        for name in (None, 5, ['a'], {'a': 1}):
            self.assertInvalid(_create(name), schema.POST_GROUP,
                               "field 'name'")

    def test_types_and_levels(self):
        for group_type in schema.GROUP_TYPES:
            for level in schema.GROUP_LEVELS:
                util.validate(_create('g', group_type, level),
                              schema.POST_GROUP)
        self.assertInvalid(_create('g', 'Affinity'), schema.POST_GROUP,
                           "field 'type'")
        self.assertInvalid(_create('g', level='zone'), schema.POST_GROUP,
                           "field 'level'")

    def test_every_error_is_reported(self):
        error = self.assertInvalid({'name': '', 'extra': 1},
                                   schema.POST_GROUP, "field 'name'",
                                   "'type' is a required property",
                                   "'level' is a required property",
                                   "'extra' was unexpected")
        self.assertEqual('valet.invalid', error.code)

    def test_members(self):
        util.validate({'members': ['p1', 'p2']}, schema.PUT_MEMBERS)
        self.assertInvalid({'members': []}, schema.PUT_MEMBERS,
                           "field 'members'")
        self.assertInvalid({'members': ['p1', 'p1']}, schema.PUT_MEMBERS,
                           "field 'members'")
        self.assertInvalid({'members': ['p1', 7]}, schema.PUT_MEMBERS,
                           "field 'members/1'")

    def test_description(self):
        util.validate({'description': None}, schema.PUT_GROUP)
        util.validate({'description': 'x' * 1024}, schema.PUT_GROUP)
        self.assertInvalid({'description': 'x' * 1025}, schema.PUT_GROUP,
                           "field 'description'")

    def test_pattern_error_explains_the_rule(self):
        error = self.assertInvalid(_create('web tier'), schema.POST_GROUP)
        self.assertEqual(
            "Invalid body. Invalid input for field 'name': 'web tier' is "
            "not valid: a name is 1 to 255 characters among A-Z a-z 0-9 "
            "and - . _ ~", error.detail)


def _nested(depth):
    value = 'p1'
    for _ in range(depth):
        value = [value]
    return value


class BoundedValidationTest(base.TestCase):
    """Validation does bounded work and answers a bounded message."""

    UNIQUE = {'type': 'array', 'uniqueItems': True}

    def invalid(self, document, document_schema):
        return self.assertRaises(errors.BadRequest, util.validate,
                                 document, document_schema).detail

    def test_unique_items_follows_json_equality(self):
        for items in (['a', 1, 'a'], [1, 1.0], [None, None],
                      [{'a': 1, 'b': 2}, {'b': 2, 'a': 1}], [[1], [1]]):
            self.assertIn('appears more than once',
                          self.invalid(items, self.UNIQUE), items)
        for items in ([True, 1], [False, 0], ['1', 1], [[1], [1, 1]],
                      [None, 'None'], []):
            util.validate(items, self.UNIQUE)

    def test_duplicate_member_is_named(self):
        detail = self.invalid({'members': ['p1', 'p2', 'p1']},
                              schema.PUT_MEMBERS)
        self.assertIn("field 'members': 'p1' appears more than once",
                      detail)

    def test_errors_are_counted_up_to_a_bound(self):
        detail = self.invalid({'members': list(range(7))},
                              schema.PUT_MEMBERS)
        self.assertIn("field 'members/4'", detail)
        self.assertNotIn("field 'members/5'", detail)
        self.assertTrue(detail.endswith('and 2 more errors'), detail)
        detail = self.invalid({'members': list(range(schema.MAX_MEMBERS))},
                              schema.PUT_MEMBERS)
        self.assertIn('and more than %d other errors'
                      % (util.MAX_COUNTED_ERRORS - util.MAX_REPORTED_ERRORS),
                      detail)
        detail = self.invalid({'members': [1] * (schema.MAX_MEMBERS + 1)},
                              schema.PUT_MEMBERS)
        # A list too long is refused for its length; its items are not
        # looked at one by one.
        self.assertIn("field 'members': the list has more than 1000 items",
                      detail)
        self.assertNotIn("field 'members/", detail)

    def test_many_unexpected_names_are_cut_short(self):
        body = {'n%d' % i + 'x' * 1000: i for i in range(1000)}
        detail = self.invalid(body, schema.PUT_GROUP)
        self.assertIn('and 997 more were unexpected', detail)
        self.assertLess(len(detail), 400)

    def test_deep_nesting_is_refused_before_validation(self):
        util.validate({'members': ['p1'], 'x': _nested(util.MAX_DEPTH - 2)},
                      {'type': 'object'})
        detail = self.invalid({'members': [_nested(util.MAX_DEPTH)]},
                              schema.PUT_MEMBERS)
        self.assertIn("field 'members/0/0/0/...': arrays and objects are "
                      "nested more than 64 levels deep", detail)

    def test_recursion_in_validation_is_a_400(self):
        # Were the nesting not bounded first, jsonschema's messages (a
        # repr of the value) would overflow the stack.
        self.useFixture(fixtures.MockPatch('valet.api.util.MAX_DEPTH',
                                           1000000))
        detail = self.invalid({'members': [_nested(100000)]},
                              schema.PUT_MEMBERS)
        self.assertIn('nested too deeply', detail)
