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

"""The one error format of the API: the OpenStack API-WG errors document.

Every error response, whoever produced it, has the body::

    {"errors": [{"status": 404, "code": "valet.group.not_found",
                 "title": "Not Found", "detail": "...",
                 "request_id": "req-..."}]}

Handlers raise the :class:`HTTPError` subclasses below (or domain
exceptions, mapped by :func:`from_exception`); :class:`ApiWgErrors` re-shapes
the errors of middleware Valet does not own, such as keystonemiddleware's
401.
"""

import http.client

from keystoneauth1 import exceptions as ks_exc
from oslo_log import log as logging
from oslo_middleware import request_id
from oslo_serialization import jsonutils
import webob
import webob.exc

from valet import exception

LOG = logging.getLogger(__name__)

# The code used when nothing more precise is known, per status.
DEFAULT_CODES = {
    400: 'valet.invalid',
    401: 'valet.unauthenticated',
    403: 'valet.forbidden',
    404: 'valet.not_found',
    405: 'valet.method_not_allowed',
    406: 'valet.not_acceptable',
    409: 'valet.conflict',
    413: 'valet.request_too_large',
    415: 'valet.unsupported_media_type',
    500: 'valet.error',
    503: 'valet.service_unavailable',
}

JSON_TYPE = 'application/json'

# Set by the context middleware: from there inwards Valet shapes its own
# answers (including the documented 503 body of /v1/status).
APP_REACHED = 'valet.api.reached'


def default_code(status):
    """Return the generic error code of an HTTP status."""
    return DEFAULT_CODES.get(status, 'valet.error')


def error_document(environ, status, detail, code=None, title=None,
                   extra=None):
    """Build the API-WG errors document for one error."""
    error = {
        'status': status,
        'code': code or default_code(status),
        'title': title or http.client.responses.get(status, 'Error'),
        'detail': detail,
        'request_id': environ.get(request_id.ENV_REQUEST_ID),
    }
    if extra:
        error.update(extra)
    return {'errors': [error]}


def error_response(environ, status, detail, code=None, headers=None,
                   extra=None):
    """Return a webob Response carrying the API-WG document."""
    response = webob.Response(
        status=status, content_type=JSON_TYPE, charset=None,
        body=jsonutils.dump_as_bytes(
            error_document(environ, status, detail, code, extra=extra)))
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


class HTTPError(webob.exc.HTTPException):
    """An error answer raised from anywhere inside the application.

    It is a webob ``HTTPException`` so that ``webob.dec.wsgify`` turns it
    into a response; unlike webob's own errors it is always JSON, whatever
    the request's Accept header says.
    """

    status = 500

    def __init__(self, detail, code=None, headers=None, extra=None):
        super().__init__(detail, None)
        self.detail = detail
        self.code = code or default_code(self.status)
        self.headers = dict(headers or {})
        self.extra = extra

    def response(self, environ):
        """Return this error as a webob Response for this request."""
        return error_response(environ, self.status, self.detail, self.code,
                              self.headers, self.extra)

    def __call__(self, environ, start_response):
        return self.response(environ)(environ, start_response)


class BadRequest(HTTPError):
    status = 400


class Unauthorized(HTTPError):
    status = 401


class Forbidden(HTTPError):
    status = 403


class NotFound(HTTPError):
    status = 404


class MethodNotAllowed(HTTPError):
    status = 405


class NotAcceptable(HTTPError):
    status = 406


class Conflict(HTTPError):
    status = 409


class RequestEntityTooLarge(HTTPError):
    status = 413


class UnsupportedMediaType(HTTPError):
    status = 415


class InternalServerError(HTTPError):
    status = 500


class ServiceUnavailable(HTTPError):
    status = 503


# Most specific first: the first matching class wins.
_EXCEPTION_MAP = (
    (exception.Invalid, BadRequest),
    (exception.Forbidden, Forbidden),
    (exception.NotFound, NotFound),
    (exception.Conflict, Conflict),
    (exception.ServiceUnavailable, ServiceUnavailable),
)


def from_exception(exc):
    """Map a domain exception to the HTTPError that reports it."""
    for exc_class, http_class in _EXCEPTION_MAP:
        if isinstance(exc, exc_class):
            return http_class(exc.message, code=exc.error_code)
    return InternalServerError(exc.message, code=exc.error_code)


def _is_api_wg(response):
    """True if a response body already is an API-WG errors document."""
    if response.content_type != JSON_TYPE:
        return False
    try:
        document = jsonutils.loads(response.body)
    except ValueError:
        return False
    return (isinstance(document, dict) and
            isinstance(document.get('errors'), list))


def _foreign_detail(response):
    """Extract a human message from another middleware's error body."""
    text = response.body.decode('utf-8', 'replace')
    if response.content_type == JSON_TYPE:
        try:
            document = jsonutils.loads(text)
        except ValueError:
            document = None
        if isinstance(document, dict):
            inner = document.get('error', document)
            if isinstance(inner, dict):
                for key in ('message', 'detail', 'title'):
                    if inner.get(key):
                        return str(inner[key])
    text = webob.exc.strip_tags(text).strip()
    return text or response.status


class ApiWgErrors(object):
    """Re-shape error responses of wrapped middleware into API-WG JSON.

    keystonemiddleware answers 401 with its own JSON shape; this layer,
    placed just outside the auth middleware, rewrites such bodies so that a
    client sees one error format. Headers (WWW-Authenticate, ...) are kept.
    Answers of the application itself (past the context middleware) are
    left alone. An exception escaping the auth layer (outside the fault
    wrapper) is answered here: 503 when Keystone cannot be used, else 500.
    """

    def __init__(self, application):
        self.application = application

    @staticmethod
    def _failure(environ, exc):
        """Answer an exception raised by the wrapped middleware."""
        if isinstance(exc, ks_exc.ClientException):
            # keystonemiddleware could not talk to Keystone (unreachable,
            # or [keystone_authtoken] incomplete).
            LOG.error('Tokens cannot be validated: %s', exc)
            return error_response(
                environ, 503, 'The identity service cannot validate the '
                'token now.')
        LOG.exception('Unexpected error in the authentication layer: %s',
                      exc)
        return error_response(
            environ, 500, 'An unexpected error prevented the request from '
            'being served. The log has the details under the request id.')

    def __call__(self, environ, start_response):
        request = webob.Request(environ)
        try:
            response = request.get_response(self.application)
        except Exception as exc:
            return self._failure(environ, exc)(environ, start_response)
        if (response.status_int >= 400 and not environ.get(APP_REACHED) and
                not _is_api_wg(response)):
            status = response.status_int
            shaped = error_response(environ, status, _foreign_detail(response))
            for name, value in response.headerlist:
                if name.lower() not in ('content-type', 'content-length'):
                    shaped.headers.add(name, value)
            response = shaped
        return response(environ, start_response)
