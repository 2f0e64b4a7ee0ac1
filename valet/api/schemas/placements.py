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

"""JSON Schemas of the /v1/placements requests.

Host names, server ids and their limits are those of the plans schemas.
"""

from valet.api.schemas import plans as plan_schema
from valet.db import hosts as db_hosts
from valet.db import placements as db_placements

ACTIONS = ['reserve', 'replan']
STATES = list(db_hosts.LIVE_STATES) + ['deleted']

POST_PLACEMENT = {
    'type': 'object',
    'properties': {
        'locations': plan_schema.LOCATIONS,
        'resource_id': plan_schema.SERVER_ID,
        # Valet 1.0's Nova filter sends no action: it meant reserve.
        'action': {'type': 'string', 'enum': ACTIONS},
    },
    'required': ['locations', 'resource_id'],
    'additionalProperties': False,
}

# A placement field or a hint value: what the database can hold, and no
# control character (PostgreSQL refuses a NUL in a query).
QUERY_VALUE = {
    'type': 'string', 'pattern': plan_schema.PLAN_NAME['pattern'],
    'description': 'a value is 1 to 255 characters, none of them a '
                   'control character'}
# Hint keys are stored up to this length (valet.db.models.PlacementHint).
HINT_KEY = {
    'type': 'string', 'pattern': '^[^\\x00-\\x1f\\x7f]{1,64}(?![\\s\\S])',
    'description': 'a parameter name is 1 to 64 characters, none of them '
                   'a control character'}

_FIELD_QUERIES = {field: QUERY_VALUE for field in db_placements.FIELDS}
_FIELD_QUERIES['state'] = {'type': 'string', 'enum': STATES}
_FIELD_QUERIES['reserved'] = {'type': 'string', 'enum': ['true', 'false']}

#: Fields match exactly; any other key matches a metadata hint.
LIST_QUERY = {
    'type': 'object',
    'properties': _FIELD_QUERIES,
    'propertyNames': HINT_KEY,
    'additionalProperties': QUERY_VALUE,
}

NO_QUERY = plan_schema.NO_QUERY
