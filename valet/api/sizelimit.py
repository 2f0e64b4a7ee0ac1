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

"""Refuse request bodies over ``[api] max_request_body_size`` (413).

The limit holds before any layer reads the body: ahead of authentication
(a stranger's upload costs nothing); the notifications middleware around
it reads a body to publish it only once this layer has let it through.
A body sent without a length (``Transfer-Encoding: chunked``) is read up
to the limit and no further.
"""

import webob

from valet.api import errors


class RequestBodySizeLimit(object):
    """413 for a body larger than the limit, whatever its framing."""

    def __init__(self, application, conf):
        self.application = application
        self.limit = conf.api.max_request_body_size

    def __call__(self, environ, start_response):
        req = webob.Request(environ)
        length = req.content_length
        if length is not None:
            if length > self.limit:
                return errors.RequestEntityTooLarge(
                    'The request body is %d bytes; the limit is %d.'
                    % (length, self.limit))(environ, start_response)
        elif req.is_body_readable:
            body = req.body_file_raw.read(self.limit + 1)
            if len(body) > self.limit:
                return errors.RequestEntityTooLarge(
                    'The request body is larger than the limit of %d '
                    'bytes.' % self.limit)(environ, start_response)
            # From here on the body has a length and can be read again.
            req.body = body
        return self.application(environ, start_response)
