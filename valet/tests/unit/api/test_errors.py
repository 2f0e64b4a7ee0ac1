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

"""Tests of the API-WG error format (valet/api/errors.py)."""

import fixtures
from oslo_middleware import request_id
from oslo_serialization import jsonutils
import webob
import webob.dec
import webob.exc

from valet.api import errors
from valet import exception
from valet.tests import base


class ErrorDocumentTest(base.TestCase):

    def test_document_shape(self):
        environ = {request_id.ENV_REQUEST_ID: 'req-1'}
        document = errors.error_document(environ, 404, 'gone', 'valet.x')
        self.assertEqual(
            {'errors': [{'status': 404, 'code': 'valet.x',
                         'title': 'Not Found', 'detail': 'gone',
                         'request_id': 'req-1'}]},
            document)

    def test_default_code_per_status(self):
        document = errors.error_document({}, 409, 'busy')
        self.assertEqual('valet.conflict', document['errors'][0]['code'])

    def test_http_error_is_json_whatever_accept_says(self):
        req = webob.Request.blank('/', headers={'Accept': 'text/html'})
        response = req.get_response(errors.NotFound('nope', code='valet.y'))
        self.assertEqual(404, response.status_int)
        self.assertEqual('application/json', response.content_type)
        self.assertEqual('valet.y', response.json['errors'][0]['code'])
        self.assertEqual('nope', response.json['errors'][0]['detail'])

    def test_http_error_keeps_headers(self):
        error = errors.MethodNotAllowed('no', headers={'Allow': 'GET'})
        response = webob.Request.blank('/').get_response(error)
        self.assertEqual('GET', response.headers['Allow'])

    def test_wsgify_turns_it_into_a_response(self):
        @webob.dec.wsgify
        def app(req):
            raise errors.Conflict('taken')
        response = webob.Request.blank('/').get_response(app)
        self.assertEqual(409, response.status_int)
        self.assertEqual('taken', response.json['errors'][0]['detail'])


class FromExceptionTest(base.TestCase):

    def _check(self, exc, http_class, code):
        error = errors.from_exception(exc)
        self.assertIsInstance(error, http_class)
        self.assertEqual(code, error.code)
        self.assertEqual(exc.message, error.detail)

    def test_not_found(self):
        self._check(exception.GroupNotFound(group='web'), errors.NotFound,
                    'valet.group.not_found')

    def test_conflict(self):
        self._check(exception.GroupInUse(group='g', reason='r'),
                    errors.Conflict, 'valet.group.in_use')

    def test_invalid(self):
        self._check(exception.UnknownProjects(projects='a, b'),
                    errors.BadRequest, 'valet.group.unknown_projects')

    def test_forbidden(self):
        self._check(exception.PolicyNotAuthorized(action='x'),
                    errors.Forbidden, 'valet.policy.not_authorized')

    def test_unavailable(self):
        self._check(exception.ServiceUnavailable(reason='db'),
                    errors.ServiceUnavailable, 'valet.service_unavailable')

    def test_other_domain_error_is_500(self):
        self._check(exception.ValetException('odd'),
                    errors.InternalServerError, 'valet.error')


def _keystone_401(environ, start_response):
    body = jsonutils.dump_as_bytes({'error': {
        'code': 401, 'title': 'Unauthorized',
        'message': 'The request you have made requires authentication.'}})
    start_response('401 Unauthorized',
                   [('Content-Type', 'application/json'),
                    ('WWW-Authenticate', 'Keystone uri="http://ks"')])
    return [body]


class ApiWgErrorsTest(base.TestCase):

    def _get(self, app, environ=None):
        req = webob.Request.blank('/v1/groups', environ=environ)
        req.environ[request_id.ENV_REQUEST_ID] = 'req-abc'
        return req.get_response(errors.ApiWgErrors(app))

    def test_keystone_401_reshaped(self):
        response = self._get(_keystone_401)
        self.assertEqual(401, response.status_int)
        self.assertEqual('Keystone uri="http://ks"',
                         response.headers['WWW-Authenticate'])
        self.assertEqual(
            [{'status': 401, 'code': 'valet.unauthenticated',
              'title': 'Unauthorized',
              'detail': 'The request you have made requires '
                        'authentication.',
              'request_id': 'req-abc'}],
            response.json['errors'])

    def test_plain_text_error_reshaped(self):
        response = self._get(webob.exc.HTTPForbidden('go away'))
        self.assertEqual(403, response.status_int)
        self.assertIn('go away', response.json['errors'][0]['detail'])
        self.assertEqual('valet.forbidden', response.json['errors'][0]['code'])

    def test_api_wg_body_left_alone(self):
        response = self._get(errors.NotFound('x', code='valet.keep'))
        self.assertEqual('valet.keep', response.json['errors'][0]['code'])

    def test_application_answers_left_alone(self):
        def app(environ, start_response):
            environ[errors.APP_REACHED] = True
            start_response('503 Service Unavailable',
                           [('Content-Type', 'application/json')])
            return [b'{"status": {}}']
        response = self._get(app)
        self.assertEqual({'status': {}}, response.json)

    def test_success_left_alone(self):
        def app(environ, start_response):
            start_response('200 OK', [('Content-Type', 'text/plain')])
            return [b'fine']
        self.assertEqual(b'fine', self._get(app).body)

    def test_exception_of_the_auth_layer_is_500(self):
        self.useFixture(fixtures.FakeLogger())

        def app(environ, start_response):
            raise RuntimeError('internal detail')
        response = self._get(app)
        self.assertEqual(500, response.status_int)
        self.assertEqual('valet.error', response.json['errors'][0]['code'])
        self.assertNotIn(b'internal detail', response.body)
