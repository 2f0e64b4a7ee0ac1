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

"""Who is calling: keystonemiddleware or noauth, then the RequestContext."""

from keystonemiddleware import auth_token
from oslo_log import log as logging
from oslo_middleware import request_id

from valet.api import errors
from valet.api import util
from valet import context

LOG = logging.getLogger(__name__)

# Answered without credentials: the version document.
PUBLIC_PATHS = frozenset(['', '/', '/v1', '/v1/'])


def is_public(environ):
    """True for the paths that need no authentication."""
    return environ.get('PATH_INFO', '') in PUBLIC_PATHS


class NoAuthMiddleware(object):
    """Trust the X-User-Id, X-Project-Id and X-Roles request headers.

    Only for tests and all-in-one trials: anybody can claim any identity.
    A request without X-User-Id is refused (401) on protected paths, as a
    request without a token would be.
    """

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        if not is_public(environ) and not environ.get('HTTP_X_USER_ID'):
            return errors.Unauthorized(
                'The request you have made requires authentication: with '
                'noauth, send an X-User-Id header.')(environ, start_response)
        return self.application(environ, start_response)


class KeystoneAuthMiddleware(auth_token.AuthProtocol):
    """keystonemiddleware's auth_token, skipped for the public paths."""

    def __init__(self, application, conf):
        self._valet_application = application
        # keystonemiddleware reads [keystone_authtoken] from this very
        # ConfigOpts instead of a global one.
        super().__init__(application, {'oslo_config_config': conf})

    def __call__(self, environ, start_response):
        if is_public(environ):
            return self._valet_application(environ, start_response)
        return super().__call__(environ, start_response)


class ContextMiddleware(object):
    """Build the RequestContext from the identity headers."""

    def __init__(self, application, conf):
        self.application = application
        self.conf = conf

    def __call__(self, environ, start_response):
        environ[util.CONTEXT_ENVIRON] = context.RequestContext.from_environ(
            environ, request_id=environ.get(request_id.ENV_REQUEST_ID),
            config=self.conf)
        environ[errors.APP_REACHED] = True
        return self.application(environ, start_response)
