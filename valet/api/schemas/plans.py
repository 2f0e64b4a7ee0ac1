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

"""JSON Schemas of the /v1/plans requests.

The limits of plan and placement requests live here, once: the placements
schemas reuse the host names and ids defined in this module. The engine
checks what a schema cannot (group rules, flavors, named groups).
"""

import copy

from valet.api.schemas import groups as group_schema

#: Most resources (servers, assignments and anything else) in one stack.
MAX_RESOURCES = 10000
#: Most hosts a request may name (locations, excluded hosts): more than
#: any cloud the engine models, so that no real request is refused; each
#: name costs a pattern match and a set lookup, and at the default body
#: limit of 1 MB the limit on the body is reached first.
MAX_HOSTS = 100000

# Patterns end with "nothing follows" rather than "$": jsonschema runs
# Python's re, where "$" also matches before a trailing newline.
_TEXT_1_255 = '^[^\\x00-\\x1f\\x7f]{1,255}(?![\\s\\S])'
_TOKEN_1_255 = '^[^\\s\\x00-\\x1f\\x7f]{1,255}(?![\\s\\S])'

# "description" is what a client is told when the pattern fails.
PLAN_NAME = {
    'type': 'string', 'pattern': _TEXT_1_255,
    'description': 'a plan name is 1 to 255 characters, none of them a '
                   'control character'}
STACK_ID = {
    'type': 'string', 'pattern': group_schema.UNRESERVED_1_255,
    'description': 'a stack id is 1 to 255 characters among A-Z a-z 0-9 '
                   'and - . _ ~'}
ORCHESTRATION_ID = {
    'type': 'string', 'pattern': group_schema.UNRESERVED_1_255,
    'description': 'an orchestration id is 1 to 255 characters among '
                   'A-Z a-z 0-9 and - . _ ~'}
HOST_NAME = {
    'type': 'string', 'pattern': _TOKEN_1_255,
    'description': 'a host name is 1 to 255 characters, none of them a '
                   'space or a control character'}
SERVER_ID = {
    'type': 'string', 'pattern': _TOKEN_1_255,
    'description': 'a server id is 1 to 255 characters, none of them a '
                   'space or a control character'}

# In every list, maxItems comes before items: jsonschema checks in this
# order and valet.api.util stops looking after a bounded number of
# errors, so that an over-long list is reported as such.

#: Candidate hosts: when given, never empty.
LOCATIONS = {
    'type': 'array', 'minItems': 1, 'maxItems': MAX_HOSTS,
    'items': HOST_NAME, 'uniqueItems': True,
}

RESOURCE = {
    'type': 'object',
    'properties': {
        'name': PLAN_NAME,
        'type': {'type': 'string', 'minLength': 1, 'maxLength': 255},
        # A Heat resource's own content: the engine reads what it knows
        # and ignores the rest, so that any template is accepted.
        'properties': {'type': 'object'},
        # The Heat scheduler hints, stored as the placement's metadata.
        'metadata': {'type': 'object'},
    },
    'required': ['type'],
    'additionalProperties': False,
}

#: A stack's resources keyed by orchestration id (Heat resource uuid).
RESOURCES = {
    'type': 'object',
    'maxProperties': MAX_RESOURCES,
    'propertyNames': ORCHESTRATION_ID,
    'additionalProperties': RESOURCE,
}

POST_PLAN = {
    'type': 'object',
    'properties': {
        'plan_name': PLAN_NAME,
        'stack_id': STACK_ID,
        'resources': RESOURCES,
        'locations': LOCATIONS,
    },
    'required': ['plan_name', 'stack_id', 'resources'],
    'additionalProperties': False,
}

#: Microversion 1.1: the project the plan is made for, when the caller
#: (Nova's filter, an operator) acts for another project.
POST_PLAN_1_1 = copy.deepcopy(POST_PLAN)
POST_PLAN_1_1['properties']['project_id'] = {
    'type': 'string', 'pattern': group_schema.UNRESERVED_1_255,
    'description': 'a project id is 1 to 255 characters among A-Z a-z '
                   '0-9 and - . _ ~'}

ACTIONS = ['update', 'migrate']

#: Read first, so that the body is then checked against its action's
#: schema and the errors speak of that action only.
PUT_ACTION = {
    'type': 'object',
    'properties': {
        'action': {'type': 'string', 'enum': ACTIONS},
    },
    'required': ['action'],
}

UPDATE_PLAN = {
    'type': 'object',
    'properties': {
        'action': {'const': 'update'},
        'resources': RESOURCES,
        'original_resources': {
            'type': 'object',
            'maxProperties': MAX_RESOURCES,
            'description': "accepted for Valet 1.0's Heat plugin; the "
                           "engine compares with the plan it stored",
        },
    },
    'required': ['action', 'resources'],
    'additionalProperties': False,
}

MIGRATE_PLAN = {
    'type': 'object',
    'properties': {
        'action': {'const': 'migrate'},
        # One server per call; a list, as Valet 1.0's clients send it.
        'resources': {
            'type': 'array', 'minItems': 1, 'maxItems': 1,
            'items': SERVER_ID,
        },
        'excluded_hosts': {
            'type': 'array', 'maxItems': MAX_HOSTS,
            'items': HOST_NAME, 'uniqueItems': True,
        },
    },
    'required': ['action', 'resources'],
    'additionalProperties': False,
}

PUT_SCHEMAS = {'update': UPDATE_PLAN, 'migrate': MIGRATE_PLAN}

LIST_QUERY = {
    'type': 'object',
    'properties': {
        'name': PLAN_NAME,
        'stack_id': STACK_ID,
    },
    'additionalProperties': False,
}

NO_QUERY = group_schema.NO_QUERY
