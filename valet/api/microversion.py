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

"""Microversion handling: ``OpenStack-API-Version: valet X.Y``.

The version list starts at 1.0. Each new microversion appends an entry
here with a one-line comment, and handlers compare
``req.environ[MICROVERSION_ENVIRON]`` with ``Version(1, N)``. Parsing is
done by ``microversion_parse``; this middleware only adds the API-WG
errors and the response headers (the version answered and ``Vary``), which
it puts on every response, errors included.
"""

import microversion_parse
import webob

from valet.api import errors

SERVICE_TYPE = 'valet'
MICROVERSION_ENVIRON = '%s.microversion' % SERVICE_TYPE

VERSIONS = [
    '1.0',  # Groups, status; the Valet 1.0 paths with the 1.0 defects fixed.
    '1.1',  # POST /v1/plans: project_id, the project a plan is made for.
]


def min_version_string():
    """Return the lowest microversion served."""
    return VERSIONS[0]


def max_version_string():
    """Return the highest microversion served."""
    return VERSIONS[-1]


def requested(req):
    """The microversion of a request (a ``microversion_parse.Version``)."""
    return req.environ[MICROVERSION_ENVIRON]


def at_least(req, major, minor):
    """True when the request asked for microversion major.minor or later."""
    return requested(req) >= microversion_parse.Version(major, minor)


def _version_range():
    return {'min_version': min_version_string(),
            'max_version': max_version_string()}


class MicroversionMiddleware(object):
    """Put the requested microversion in the environ and echo it back."""

    def __init__(self, application):
        self.application = application

    def _extract(self, request):
        try:
            return microversion_parse.extract_version(
                request.headers, SERVICE_TYPE, VERSIONS)
        except ValueError as exc:
            # A well formed version outside [min, max].
            raise errors.NotAcceptable(
                'Unacceptable microversion: %s' % exc,
                code='valet.microversion.unsupported',
                extra=_version_range())
        except TypeError as exc:
            raise errors.BadRequest(
                'Invalid microversion: %s' % exc,
                code='valet.microversion.invalid',
                extra=_version_range())

    def __call__(self, environ, start_response):
        request = webob.Request(environ)
        header = microversion_parse.STANDARD_HEADER
        try:
            version = self._extract(request)
        except errors.HTTPError as exc:
            response = exc.response(environ)
            response.headers.add('Vary', header)
            return response(environ, start_response)

        environ[MICROVERSION_ENVIRON] = version
        try:
            response = request.get_response(self.application)
        except errors.HTTPError as exc:
            response = exc.response(environ)
        response.headers[header] = '%s %s' % (SERVICE_TYPE, version)
        response.headers.add('Vary', header)
        return response(environ, start_response)


def _answered_version(environ):
    """Return the version header value of an answer, or None.

    The version parsed for this request, when it got that far; otherwise
    the one its header asks for (the minimum without the header). A
    request asking for a version not served gets none: no version applies
    (the microversion layer answers it 400 or 406 when it gets there).
    """
    version = environ.get(MICROVERSION_ENVIRON)
    if version is None:
        try:
            version = microversion_parse.extract_version(
                webob.Request(environ).headers, SERVICE_TYPE, VERSIONS)
        except (ValueError, TypeError):
            return None
    return '%s %s' % (SERVICE_TYPE, version)


def _with_version(headers, version):
    """Return headers plus the version header if any, and Vary naming it."""
    header = microversion_parse.STANDARD_HEADER
    vary = [value for name, value in headers if name.lower() == 'vary']
    headers = [(name, value) for name, value in headers
               if name.lower() != 'vary']
    if header.lower() not in ', '.join(vary).lower():
        vary.append(header)
    if version is not None:
        headers.append((header, version))
    headers.append(('Vary', ', '.join(vary)))
    return headers


class VersionHeaders(object):
    """Put OpenStack-API-Version and Vary on every answer.

    :class:`MicroversionMiddleware` sits just outside the handlers; the
    answers of the layers around it (auth's 401, the size limit's 413,
    the fault wrapper's 500, /healthcheck) never cross it. This layer,
    outside all of them, adds the headers those answers lack.
    """

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        header = microversion_parse.STANDARD_HEADER

        def versioned_start_response(status, headers, exc_info=None):
            names = [name.lower() for name, _value in headers]
            if header.lower() not in names:
                headers = _with_version(headers, _answered_version(environ))
            return start_response(status, headers, exc_info)

        return self.application(environ, versioned_start_response)
