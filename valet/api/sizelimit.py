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

"""Refuse request bodies over ``[oslo_middleware] max_request_body_size``.

oslo.middleware's :class:`RequestBodySizeLimiter` enforces the limit; this
layer answers its 413 in the API-WG shape, naming the limit, and reads a
body sent without a length (``Transfer-Encoding: chunked``) through the
limiter at once, up to the limit and no further, so that the 413 comes
from here rather than from whichever inner layer reads the body first.

The limit holds before any layer reads the body: ahead of authentication
(a stranger's upload costs nothing); the notifications middleware around
it reads a body to publish it only once this layer has let it through.
"""

from oslo_middleware import sizelimit
import webob

from valet.api import errors

# Set by the inner side of the limiter: the request got through it.
_PASSED = 'valet.api.body_within_limit'


class _ReadWithinLimit(object):
    """The inside of the limiter: read a chunked body before going on."""

    def __init__(self, application, conf):
        self.application = application
        self.conf = conf

    def __call__(self, environ, start_response):
        req = webob.Request(environ)
        if req.content_length is None and req.is_body_readable:
            limit = self.conf.oslo_middleware.max_request_body_size
            # oslo.middleware's reader raises webob's 413 past the limit;
            # the limiter turns it into its answer.
            req.body = req.body_file_raw.read(limit + 1)
        environ[_PASSED] = True
        return self.application(environ, start_response)


class RequestBodySizeLimit(object):
    """413 for a body larger than the limit, whatever its framing."""

    def __init__(self, application, conf):
        self.conf = conf
        self.limiter = sizelimit.RequestBodySizeLimiter(
            _ReadWithinLimit(application, conf), conf)

    def __call__(self, environ, start_response):
        response = webob.Request(environ).get_response(self.limiter)
        if response.status_int == 413 and not environ.get(_PASSED):
            limit = self.conf.oslo_middleware.max_request_body_size
            length = environ.get('CONTENT_LENGTH')
            if length:
                detail = ('The request body is %s bytes; the limit is %d '
                          '([oslo_middleware] max_request_body_size).'
                          % (length, limit))
            else:
                detail = ('The request body is larger than the limit of '
                          '%d bytes ([oslo_middleware] '
                          'max_request_body_size).' % limit)
            response = errors.RequestEntityTooLarge(detail).response(environ)
        return response(environ, start_response)
