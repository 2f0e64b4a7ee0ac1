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

"""Build links from ``[api] public_endpoint`` rather than the request.

Handlers build their links (the version document, ``Location`` headers)
from ``req.application_url``: the request's scheme, its ``Host`` header
and ``SCRIPT_NAME``. A ``Host`` header is whatever the caller sent, so an
operator who knows the public URL sets ``[api] public_endpoint``, and this
layer makes every request look as if it came through that URL.
"""

from urllib import parse


class PublicEndpoint(object):
    """Make ``req.application_url`` the configured public endpoint.

    Only the parts of the environ that URLs are built from change: routing
    reads ``PATH_INFO``, which is left alone.
    """

    def __init__(self, application, endpoint):
        self.application = application
        url = parse.urlsplit(endpoint)
        self.scheme = url.scheme
        self.host = url.netloc
        # application_url appends paths with a slash of their own.
        self.script_name = url.path.rstrip('/')

    def __call__(self, environ, start_response):
        environ['wsgi.url_scheme'] = self.scheme
        environ['HTTP_HOST'] = self.host
        environ['SCRIPT_NAME'] = self.script_name
        return self.application(environ, start_response)


def public_endpoint_middleware(conf):
    """Return the layer for conf's ``[api] public_endpoint``, or None."""
    endpoint = conf.api.public_endpoint
    if not endpoint:
        return None
    return lambda app: PublicEndpoint(app, endpoint)
