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

"""The OpenAPI description cannot drift from the route table."""

import jsonschema

from valet.api import handler
from valet.api import openapi
from valet.tests import base

METHODS = ('get', 'head', 'post', 'put', 'delete', 'patch', 'options',
           'trace')


def _described(document):
    found = set()
    for path, item in document['paths'].items():
        for method in item:
            if method in METHODS:
                found.add((path, method.upper()))
    return found


class OpenAPITest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.document = openapi.build()

    def test_every_route_and_nothing_else(self):
        routed = set()
        for path, methods in handler.ROUTES.items():
            for method in methods:
                routed.add((path or '/', method))
            if 'GET' in methods:
                routed.add((path or '/', 'HEAD'))
        self.assertEqual(routed, _described(self.document))

    def test_descriptions_are_all_routed(self):
        # A stale entry (a route removed from ROUTES) is an error too.
        stale = set(openapi.OPERATIONS) - openapi.route_operations()
        self.assertEqual(set(), stale)

    def test_new_route_without_description_is_refused(self):
        routes = dict(handler.ROUTES)
        routes['/v1/widgets'] = {'GET': lambda environ, start: None}
        self.assertRaisesRegex(KeyError, 'GET /v1/widgets',
                               openapi.build, routes)

    def test_path_parameters_match_the_template(self):
        for path, item in self.document['paths'].items():
            for method, operation in item.items():
                names = {p['name'] for p in operation['parameters']
                         if p['in'] == 'path'}
                self.assertEqual(set(openapi._PARAMETER.findall(path)),
                                 names, '%s %s' % (method, path))

    def test_schemas_are_valid_json_schemas(self):
        for path, item in self.document['paths'].items():
            for method, operation in item.items():
                body = operation.get('requestBody')
                if body:
                    jsonschema.Draft202012Validator.check_schema(
                        body['content']['application/json']['schema'])
                for parameter in operation['parameters']:
                    jsonschema.Draft202012Validator.check_schema(
                        parameter['schema'])

    def test_bodies_are_those_the_handlers_validate(self):
        post = self.document['paths']['/v1/groups']['post']
        self.assertEqual(
            openapi.group_schema.POST_GROUP,
            post['requestBody']['content']['application/json']['schema'])
        self.assertNotIn('requestBody',
                         self.document['paths']['/v1/groups']['get'])

    def test_status_codes(self):
        paths = self.document['paths']
        self.assertEqual(['200', '406'],
                         sorted(paths['/']['get']['responses']))
        create = paths['/v1/groups']['post']['responses']
        for status in ('201', '400', '401', '403', '409', '413', '415',
                       '503'):
            self.assertIn(status, create)
        self.assertEqual(
            openapi.STATUS_DOCUMENT,
            paths['/v1/status']['get']['responses']['503']['content']
            ['application/json']['schema'])
        self.assertEqual(
            openapi.ERRORS,
            create['409']['content']['application/json']['schema'])

    def test_query_schema(self):
        self.assertIs(openapi.placement_schema.LIST_QUERY,
                      openapi.query_schema('/v1/placements', 'GET'))
        self.assertIs(openapi.group_schema.NO_QUERY,
                      openapi.query_schema('/v1/groups/{group}', 'DELETE'))
        self.assertIsNone(openapi.query_schema('/v1', 'GET'))
