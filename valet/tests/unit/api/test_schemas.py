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
