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

"""Tests of the route table and dispatcher (valet/api/handler.py)."""

import io
import re

import fixtures
from oslo_serialization import jsonutils
import webob

from valet.api import auth
from valet.api import handler
from valet.db import api as db_api
from valet.tests.unit.api import base

NO_ROLES = {'user': 'nobody', 'project': 'some-project', 'roles': ''}


def _fill(path):
    """Give each {variable} of a route a value."""
    return re.sub(r'\{[^}]+\}', 'something', path)


class RouteTableTest(base.APITestCase):

    def test_every_protected_route_refuses_a_persona_without_roles(self):
        checked = 0
        for path, methods in handler.ROUTES.items():
            if path in auth.PUBLIC_PATHS:
                continue
            for method in methods:
                body = {} if method in ('POST', 'PUT') else None
                response = self.request(method, _fill(path), body=body,
                                        persona=NO_ROLES)
                self.assertEqual(403, response.status_int,
                                 '%s %s' % (method, path))
                if method != 'HEAD':
                    self.assertError(response, 403,
                                     'valet.policy.not_authorized')
                checked += 1
        self.assertGreaterEqual(checked, 20)

    def test_every_protected_route_needs_identity(self):
        for path, methods in handler.ROUTES.items():
            if path in auth.PUBLIC_PATHS:
                continue
            for method in methods:
                response = self.request(method, _fill(path), persona=None)
                self.assertEqual(401, response.status_int,
                                 '%s %s' % (method, path))

    def test_public_paths_need_no_identity(self):
        for path in auth.PUBLIC_PATHS:
            response = self.request('GET', path or '/', persona=None)
            self.assertEqual(200, response.status_int, path)
            self.assertIn('versions', response.json)

    def test_405_lists_the_methods_of_the_table(self):
        for path, methods in handler.ROUTES.items():
            response = self.request('PATCH', _fill(path) or '/')
            self.assertError(response, 405, 'valet.method_not_allowed')
            allowed = set(methods)
            if 'GET' in allowed:
                allowed.add('HEAD')
            self.assertEqual(', '.join(sorted(allowed)),
                             response.headers['Allow'])

    def test_head_wherever_get(self):
        self.request('POST', '/v1/groups', body={
            'name': 'g', 'type': 'affinity', 'level': 'host'})
        for path in ('/', '/v1', '/v1/groups', '/v1/groups/g'):
            response = self.request('HEAD', path)
            self.assertEqual(200, response.status_int, path)
            self.assertEqual(b'', response.body)
        self.assertEqual(404, self.request('HEAD', '/v1/groups/x').status_int)

    def test_unknown_path_is_an_api_wg_404(self):
        self.assertError(self.request('GET', '/v1/nothing/here'), 404,
                         'valet.not_found')


class ContentChecksTest(base.APITestCase):

    def test_accept_html_only_is_406(self):
        response = self.request('GET', '/v1/groups',
                                headers={'Accept': 'text/html'})
        self.assertError(response, 406, 'valet.not_acceptable')

    def test_accept_json_with_quality(self):
        response = self.request(
            'GET', '/v1/groups',
            headers={'Accept': 'text/html;q=1, application/json;q=0.5'})
        self.assertEqual(200, response.status_int)

    def test_accept_json_with_charset(self):
        for accept in ('application/json;charset=utf-8',
                       'application/json; charset=UTF-8'):
            response = self.request('GET', '/v1/groups',
                                    headers={'Accept': accept})
            self.assertEqual(200, response.status_int, accept)

    def test_accept_json_with_another_charset_is_406(self):
        response = self.request(
            'GET', '/v1/groups',
            headers={'Accept': 'application/json; charset=latin-1'})
        self.assertError(response, 406, 'valet.not_acceptable')

    def test_body_not_json_is_415(self):
        response = self.request('POST', '/v1/groups', raw_body=b'a=b',
                                content_type='application/x-www-form-'
                                             'urlencoded')
        self.assertError(response, 415, 'valet.unsupported_media_type')

    def test_body_without_type_is_415(self):
        response = self.request('POST', '/v1/groups', raw_body=b'{}',
                                content_type='')
        self.assertError(response, 415)

    def test_body_too_large_is_413(self):
        self.flags(group='oslo_middleware', max_request_body_size=1024)
        response = self.request('POST', '/v1/groups',
                                body={'name': 'x' * 2048})
        self.assertError(response, 413, 'valet.request_too_large')

    def _chunked(self, body, persona=base.ADMIN):
        """POST a body (a file) to /v1/groups without a Content-Length."""
        req = webob.Request.blank('/v1/groups', method='POST')
        req.headers['X-User-Id'] = persona['user']
        req.headers['X-Project-Id'] = persona['project']
        req.headers['X-Roles'] = persona['roles']
        req.headers['Content-Type'] = 'application/json'
        req.headers['Transfer-Encoding'] = 'chunked'
        req.environ.pop('CONTENT_LENGTH', None)
        req.environ['wsgi.input'] = body
        req.environ['wsgi.input_terminated'] = True
        return req.get_response(self.app)

    def test_chunked_body_too_large_is_413(self):
        # Without a Content-Length the limit still holds, and nothing
        # past it is read.
        self.flags(group='oslo_middleware', max_request_body_size=1024)
        body = io.BytesIO(jsonutils.dump_as_bytes(
            {'name': 'web', 'type': 'affinity', 'level': 'host',
             'description': 'x' * 4096}))
        response = self._chunked(body)
        self.assertError(response, 413, 'valet.request_too_large')
        self.assertLessEqual(body.tell(), 1025)

    def test_chunked_body_within_the_limit(self):
        self.flags(group='oslo_middleware', max_request_body_size=1024)
        response = self._chunked(io.BytesIO(jsonutils.dump_as_bytes(
            {'name': 'web', 'type': 'affinity', 'level': 'host'})))
        self.assertEqual(201, response.status_int, response.body)
        self.assertEqual('web', response.json['group']['name'])

    def test_body_too_large_needs_no_identity(self):
        # Refused before authentication reads anything.
        self.flags(group='oslo_middleware', max_request_body_size=1024)
        response = self.request('POST', '/v1/groups', persona=None,
                                body={'name': 'x' * 2048})
        self.assertError(response, 413, 'valet.request_too_large')

    def test_error_does_not_echo_a_huge_value(self):
        for body, field in (
                ({'name': 'n' * 256, 'type': 'affinity', 'level': 'host'},
                 'name'),
                ({'name': 'web', 'type': 'affinity', 'level': 'host',
                  'description': 'd' * 500000}, 'description')):
            response = self.request('POST', '/v1/groups', body=body)
            error = self.assertError(response, 400, 'valet.invalid')
            self.assertIn("field '%s'" % field, error['detail'])
            self.assertLess(len(error['detail']), 300)

    def test_path_items_are_utf8(self):
        response = self.request('GET', '/v1/groups/caf%C3%A9')
        error = self.assertError(response, 404, 'valet.group.not_found')
        self.assertIn("'caf\u00e9'", error['detail'])

    def test_path_item_not_utf8_is_404(self):
        response = self.request('GET', '/v1/groups/%FF')
        self.assertError(response, 404, 'valet.not_found')

    def test_deeply_nested_body_is_400(self):
        # Within the size limit, but deeper than the JSON parser's stack.
        response = self.request('POST', '/v1/groups',
                                raw_body=b'[' * 100000 + b']' * 100000)
        error = self.assertError(response, 400, 'valet.malformed_json')
        self.assertIn('nested too deeply', error['detail'])

    def test_query_string_not_utf8_is_400(self):
        for query in ('name=%ff', '%ff=web'):
            response = self.request('GET', '/v1/groups?' + query)
            error = self.assertError(response, 400, 'valet.invalid')
            self.assertIn('query string', error['detail'])


class BackendDownTest(base.APITestCase):

    def test_database_unreachable_is_api_wg_503(self):
        self.useFixture(fixtures.FakeLogger())
        broken = db_api.new_context_manager(
            'sqlite:////nonexistent-directory/valet.db')
        self.addCleanup(db_api.context_manager.patch_factory(broken))
        for method, path, body in (
                ('GET', '/v1/groups', None),
                ('POST', '/v1/groups', {'name': 'g', 'type': 'affinity',
                                        'level': 'host'}),
                ('GET', '/v1/groups/g', None)):
            response = self.request(method, path, body=body)
            error = self.assertError(response, 503,
                                     'valet.service_unavailable')
            self.assertNotIn('Traceback', error['detail'])
