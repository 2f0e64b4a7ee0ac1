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

"""Assemble the Valet API WSGI application from its middleware.

No paste: the pipeline is written here, in the order a request crosses it.
"""

from oslo_log import log as logging
from oslo_middleware import cors
from oslo_middleware import healthcheck
from oslo_middleware import http_proxy_to_wsgi
from oslo_middleware import request_id

from valet.api import auth
from valet.api import endpoint
from valet.api import errors
from valet.api import fault_wrap
from valet.api import handler
from valet.api import microversion
from valet.api import notifications
from valet.api import sizelimit

LOG = logging.getLogger(__name__)


def _auth_middleware(conf):
    if conf.api.auth_strategy == 'noauth':
        LOG.warning('auth_strategy = noauth: the API trusts the identity '
                    'headers of every request. Never use this in '
                    'production.')
        return auth.NoAuthMiddleware
    return lambda app: auth.KeystoneAuthMiddleware(app, conf)


def _cors_middleware(conf):
    if not conf.cors.allowed_origin:
        return None
    return lambda app: cors.CORS(app, conf)


HEALTHCHECK_PATH = '/healthcheck'


HEALTHCHECK_METHODS = ('GET', 'HEAD')


class HealthcheckRoute(object):
    """Send GET and HEAD /healthcheck to oslo.middleware's healthcheck.

    oslo.middleware's Healthcheck answers any method; mounted on its path
    here, ahead of auth, it gets only GET and HEAD (other methods are an
    API-WG 405). When it declines a request (a caller outside
    ``[healthcheck] allowed_source_ranges``), the request goes on to the
    API, which does not know the path.
    """

    def __init__(self, application, conf):
        self.application = application
        self.healthcheck = healthcheck.Healthcheck(application, conf)

    def __call__(self, environ, start_response):
        if environ.get('PATH_INFO') != HEALTHCHECK_PATH:
            return self.application(environ, start_response)
        method = environ.get('REQUEST_METHOD')
        if method not in HEALTHCHECK_METHODS:
            error = errors.MethodNotAllowed(
                'Method %s not allowed on %s; use %s.' %
                (method, HEALTHCHECK_PATH, ' or '.join(HEALTHCHECK_METHODS)),
                headers={'Allow': ', '.join(HEALTHCHECK_METHODS)})
            return error(environ, start_response)
        return self.healthcheck(environ, start_response)


def deploy(conf):
    """Return the API WSGI application for conf (no database set up)."""
    application = handler.ValetHandler()

    # From the inside out; a request crosses these layers bottom to top:
    #
    # * microversion: parse OpenStack-API-Version (400/406), answer it and
    #   Vary on every response;
    # * fault wrapper: an escaping exception becomes a 503 (backend down)
    #   or a 500 with the traceback only in the log;
    # * context: the RequestContext of the caller, with conf;
    # * auth: keystonemiddleware's auth_token (or noauth), skipped for
    #   the version document; its 401 re-shaped into API-WG JSON;
    # * size limit: oslo.middleware's, 413 for a body over
    #   [oslo_middleware] max_request_body_size, before anything reads it
    #   (chunked bodies included);
    # * notifications: publish every request and final response, errors
    #   included -- the 401s of auth and the 413s of the size limit too;
    #   the caller is read once auth has been through the request;
    # * CORS: only when [cors] allowed_origin is set;
    # * healthcheck: GET/HEAD /healthcheck for load balancers, before any
    #   auth;
    # * version headers: OpenStack-API-Version and Vary on the answers
    #   the microversion layer never sees (401, 413, 500, healthcheck);
    # * public endpoint: only with [api] public_endpoint, the URL links
    #   are built from instead of the request's Host header;
    # * request id: x-openstack-request-id, seen by every inner layer;
    # * proxy headers: the client's scheme and host behind a proxy, so
    #   that the links we build are right (only with [oslo_middleware]
    #   enable_proxy_headers_parsing; public_endpoint, inside, wins).
    layers = (
        microversion.MicroversionMiddleware,
        fault_wrap.FaultWrapper,
        lambda app: auth.ContextMiddleware(app, conf),
        _auth_middleware(conf),
        errors.ApiWgErrors,
        lambda app: sizelimit.RequestBodySizeLimit(app, conf),
        lambda app: notifications.NotificationsMiddleware(app, conf),
        _cors_middleware(conf),
        lambda app: HealthcheckRoute(app, conf),
        microversion.VersionHeaders,
        endpoint.public_endpoint_middleware(conf),
        lambda app: request_id.RequestId(app, conf),
        lambda app: http_proxy_to_wsgi.HTTPProxyToWSGI(app, conf),
    )
    for layer in layers:
        if layer is not None:
            application = layer(application)
    return application


def loadapp(conf):
    """Return the Valet API WSGI application.

    The caller has registered and parsed conf, set up logging and
    configured the database (see :mod:`valet.wsgi`).
    """
    return deploy(conf)
