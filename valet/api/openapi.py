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

"""An OpenAPI 3.1 description of the Valet API, built from its own parts.

The paths and methods come from the route table
(:data:`valet.api.handler.ROUTES`), the request bodies and query strings
from the JSON Schemas the handlers validate with, and the answers' status
codes from :data:`OPERATIONS` below. A unit test compares the document with
the route table, so that neither can change without the other.

It lives in the package, not in ``tools/``, because it is made of runtime
objects (the route table, the schema constants) and the functional fuzz
suite imports it; ``python -m valet.api.openapi`` prints it as JSON.
"""

import copy
import http.client
import json
import re
import sys

from valet.api import handler
from valet.api import microversion
from valet.api.schemas import groups as group_schema
from valet.api.schemas import placements as placement_schema
from valet.api.schemas import plans as plan_schema

OPENAPI_VERSION = '3.1.0'
JSON_TYPE = 'application/json'

#: The API-WG errors document of every error answer (valet.api.errors),
#: except the documented 503 of /v1/status, which is its status document.
ERRORS = {
    'type': 'object',
    'required': ['errors'],
    'properties': {
        'errors': {
            'type': 'array',
            'minItems': 1,
            'items': {
                'type': 'object',
                'required': ['status', 'code', 'title', 'detail',
                             'request_id'],
                'properties': {
                    'status': {'type': 'integer'},
                    'code': {'type': 'string'},
                    'title': {'type': 'string'},
                    'detail': {'type': 'string'},
                    'request_id': {'type': ['string', 'null']},
                },
            },
        },
    },
}

STATUS_DOCUMENT = {
    'type': 'object',
    'required': ['status'],
    'properties': {'status': {'type': 'object'}},
}


def _op(summary, statuses, body=None, query=None, auth=True):
    return {'summary': summary, 'statuses': statuses, 'body': body,
            'query': query, 'auth': auth}


_PUT_PLAN = {'oneOf': [plan_schema.UPDATE_PLAN, plan_schema.MIGRATE_PLAN]}

#: (path, method) -> what the route table cannot say: its schemas and the
#: status codes of its answers other than the errors every protected
#: route may give (see :func:`_common_statuses`). Paths are Routes syntax,
#: as in ROUTES; '' (the mount root) is described as '/'.
OPERATIONS = {
    ('/', 'GET'): _op('Versions', [200], auth=False),
    ('/v1', 'GET'): _op('Versions', [200], auth=False),
    ('/v1/', 'GET'): _op('Versions', [200], auth=False),
    ('/v1/status', 'GET'): _op('Status of the backends', [200, 503]),
    ('/v1/status', 'HEAD'): _op('Status of the backends', [200, 503]),
    ('/v1/groups', 'GET'): _op(
        'List groups', [200], query=group_schema.LIST_QUERY),
    ('/v1/groups', 'POST'): _op(
        'Create a group', [201, 409], body=group_schema.POST_GROUP),
    ('/v1/groups/{group}', 'GET'): _op('Show a group', [200, 404]),
    ('/v1/groups/{group}', 'PUT'): _op(
        'Update a group', [200, 404], body=group_schema.PUT_GROUP),
    ('/v1/groups/{group}', 'DELETE'): _op(
        'Delete a group', [204, 404, 409]),
    ('/v1/groups/{group}/members', 'PUT'): _op(
        'Add members', [200, 404], body=group_schema.PUT_MEMBERS),
    ('/v1/groups/{group}/members', 'DELETE'): _op(
        'Remove all members', [204, 404, 409]),
    ('/v1/groups/{group}/members/{project}', 'GET'): _op(
        'Is a project a member', [204, 404]),
    ('/v1/groups/{group}/members/{project}', 'DELETE'): _op(
        'Remove a member', [204, 404, 409]),
    ('/v1/plans', 'GET'): _op(
        'List plans', [200], query=plan_schema.LIST_QUERY),
    ('/v1/plans', 'POST'): _op(
        'Create a plan', [201, 404, 409], body=plan_schema.POST_PLAN_1_1),
    ('/v1/plans/{plan_or_stack_id}', 'GET'): _op('Show a plan', [200, 404]),
    ('/v1/plans/{plan_or_stack_id}', 'PUT'): _op(
        'Update a plan or migrate a server', [200, 404, 409],
        body=_PUT_PLAN),
    ('/v1/plans/{plan_or_stack_id}', 'DELETE'): _op(
        'Delete a plan', [204, 404]),
    ('/v1/placements', 'GET'): _op(
        'List placements', [200], query=placement_schema.LIST_QUERY),
    ('/v1/placements/{placement_or_orchestration_id}', 'GET'): _op(
        'Show a placement', [200, 404]),
    ('/v1/placements/{placement_or_orchestration_id}', 'POST'): _op(
        'Reserve or replan a placement', [200, 404, 409],
        body=placement_schema.POST_PLACEMENT),
    ('/v1/placements/{placement_or_orchestration_id}', 'DELETE'): _op(
        'Delete a placement', [204, 404]),
}

_PARAMETER = re.compile(r'{(\w+)}')


def route_operations(routes=None):
    """Return the set of (path, METHOD) the route table serves.

    HEAD is served wherever GET is (see handler.make_map), and the mount
    root '' is the same resource as '/'.
    """
    found = set()
    for path, methods in (handler.ROUTES if routes is None
                          else routes).items():
        methods = set(methods)
        if 'GET' in methods:
            methods.add('HEAD')
        for method in methods:
            found.add((path or '/', method))
    return found


def _described(path, method):
    """The OPERATIONS entry of (path, method); HEAD falls back to GET."""
    if (path, method) in OPERATIONS:
        return OPERATIONS[(path, method)]
    if method == 'HEAD' and (path, 'GET') in OPERATIONS:
        return OPERATIONS[(path, 'GET')]
    raise KeyError('%s %s is routed but not described in '
                   'valet.api.openapi.OPERATIONS' % (method, path))


def _common_statuses(path, method, described):
    statuses = set(described['statuses'])
    statuses.add(406)
    if described['auth']:
        # Any protected call: a bad query string, no identity, a policy
        # refusal, a database that does not answer.
        statuses.update((400, 401, 403, 503))
    if described['body'] is not None:
        statuses.update((400, 413, 415))
    return sorted(statuses)


def _response(path, method, status):
    answer = {'description': http.client.responses.get(status, 'Answer')}
    if method == 'HEAD' or status == 204:
        return answer
    if status >= 400:
        schema = ERRORS
        if path == '/v1/status' and status == 503:
            schema = STATUS_DOCUMENT
    else:
        schema = {'type': 'object'}
    answer['content'] = {JSON_TYPE: {'schema': schema}}
    return answer


def _query_parameters(query):
    if query is None:
        return []
    if query.get('additionalProperties') is False:
        return [{'name': name, 'in': 'query', 'required': False,
                 'schema': copy.deepcopy(schema)}
                for name, schema in sorted(query['properties'].items())]
    # Open-ended filters (placement hints): one free-form object.
    return [{'name': 'filters', 'in': 'query', 'required': False,
             'style': 'form', 'explode': True,
             'schema': copy.deepcopy(query)}]


def query_schema(path, method):
    """The JSON Schema of the query string of (path, METHOD)."""
    described = _described(path, method)
    if described['query'] is not None:
        return described['query']
    if described['auth']:
        return group_schema.NO_QUERY
    return None


def _operation(path, method):
    described = _described(path, method)
    operation = {
        'summary': described['summary'],
        'operationId': '%s %s' % (method.lower(), path),
        'parameters': [
            {'name': name, 'in': 'path', 'required': True,
             'schema': {'type': 'string', 'minLength': 1}}
            for name in _PARAMETER.findall(path)] +
        _query_parameters(described['query']),
        'responses': {
            str(status): _response(path, method, status)
            for status in _common_statuses(path, method, described)},
    }
    if described['body'] is not None:
        operation['requestBody'] = {
            'required': True,
            'content': {JSON_TYPE: {
                'schema': copy.deepcopy(described['body'])}}}
    if described['auth']:
        operation['security'] = [{'keystone': []}]
    return operation


def build(routes=None):
    """Return the OpenAPI 3.1 document (a dict) of the route table."""
    paths = {}
    for path, method in sorted(route_operations(routes)):
        paths.setdefault(path, {})[method.lower()] = _operation(path,
                                                                method)
    return {
        'openapi': OPENAPI_VERSION,
        'info': {
            'title': 'Valet placement API',
            'version': microversion.max_version_string(),
            'description': 'Generated from valet.api.handler.ROUTES and '
                           'the JSON Schemas of valet.api.schemas. Bodies '
                           'are those of the newest microversion (this '
                           'version); ask for it with the header '
                           'OpenStack-API-Version: valet %s.'
                           % microversion.max_version_string(),
        },
        'paths': paths,
        'components': {
            'securitySchemes': {
                'keystone': {'type': 'apiKey', 'in': 'header',
                             'name': 'X-Auth-Token'},
            },
        },
    }


def main(argv=None):
    """Print the document as JSON (``python -m valet.api.openapi``)."""
    json.dump(build(), sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write('\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
