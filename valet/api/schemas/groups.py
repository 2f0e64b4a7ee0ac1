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

"""JSON Schemas of the /v1/groups requests."""

from valet.db import groups as db_groups

# The data layer's vocabulary, as JSON lists.
GROUP_TYPES = list(db_groups.GROUP_TYPES)
GROUP_LEVELS = list(db_groups.GROUP_LEVELS)

# 1 to 255 unreserved URI characters (RFC 3986), so that a name can
# always stand for the id in a path. The pattern ends with "nothing
# follows" rather than "$": jsonschema runs Python's re, where "$" also
# matches before a trailing newline.
UNRESERVED_1_255 = '^[A-Za-z0-9._~-]{1,255}(?![\\s\\S])'

# "description" is what a client is told when the pattern fails.
NAME = {'type': 'string', 'pattern': UNRESERVED_1_255,
        'description': 'a name is 1 to 255 characters among A-Z a-z 0-9 '
                       'and - . _ ~'}
DESCRIPTION = {'type': ['string', 'null'], 'maxLength': 1024}
PROJECT_ID = {'type': 'string', 'pattern': UNRESERVED_1_255,
              'description': 'a project id is 1 to 255 characters among '
                             'A-Z a-z 0-9 and - . _ ~'}

#: Most projects one request may add to a group. Each new one is looked
#: up in Keystone, one call per project: a thousand bounds that work and
#: fits a body of the default size limit (a project id is up to 255
#: characters); a group shared more widely grows over several requests,
#: as members are a union.
MAX_MEMBERS = 1000

# Fields that identify a group's rule: set at creation, never changed.
IMMUTABLE_FIELDS = ('name', 'type', 'level')

POST_GROUP = {
    'type': 'object',
    'properties': {
        'name': NAME,
        'type': {'type': 'string', 'enum': GROUP_TYPES},
        'level': {'type': 'string', 'enum': GROUP_LEVELS},
        'description': DESCRIPTION,
    },
    'required': ['name', 'type', 'level'],
    'additionalProperties': False,
}

PUT_GROUP = {
    'type': 'object',
    'properties': {
        'description': DESCRIPTION,
    },
    'required': ['description'],
    'additionalProperties': False,
}

PUT_MEMBERS = {
    'type': 'object',
    'properties': {
        # maxItems comes before items: jsonschema checks in this order
        # and valet.api.util stops looking after a bounded number of
        # errors, so that an over-long list is reported as such.
        'members': {
            'type': 'array',
            'minItems': 1,
            'maxItems': MAX_MEMBERS,
            'items': PROJECT_ID,
            'uniqueItems': True,
        },
    },
    'required': ['members'],
    'additionalProperties': False,
}

LIST_QUERY = {
    'type': 'object',
    'properties': {
        'name': NAME,
        'type': {'type': 'string', 'enum': GROUP_TYPES},
        'level': {'type': 'string', 'enum': GROUP_LEVELS},
    },
    'additionalProperties': False,
}

NO_QUERY = {
    'type': 'object',
    'additionalProperties': False,
}
