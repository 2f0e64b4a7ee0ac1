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

"""The route table of the Valet API and its dispatcher.

``ROUTES`` maps each path (Routes syntax) to ``{METHOD: handler}``; the
handlers are plain functions, one module per noun. A path that matches
with a method not in its entry gets 405 with an ``Allow`` header built from
the same table, so the table is the single statement of the API surface.
"""

from oslo_log import log as logging
import routes
import webob

from valet.api import errors
from valet.api.handlers import groups
from valet.api.handlers import placements
from valet.api.handlers import plans
from valet.api.handlers import root
from valet.api.handlers import status
from valet import exception

LOG = logging.getLogger(__name__)

ROUTES = {
    # The service may be mounted under a prefix (e.g. /valet): '' is then
    # its root, as is '/'.
    '': {'GET': root.home},
    '/': {'GET': root.home},
    '/v1': {'GET': root.home},
    '/v1/': {'GET': root.home},
    '/v1/status': {
        'GET': status.show_status,
        'HEAD': status.head_status,
    },
    '/v1/groups': {
        'GET': groups.list_groups,
        'POST': groups.create_group,
    },
    '/v1/groups/{group}': {
        'GET': groups.show_group,
        'PUT': groups.update_group,
        'DELETE': groups.delete_group,
    },
    '/v1/groups/{group}/members': {
        'PUT': groups.add_members,
        'DELETE': groups.remove_all_members,
    },
    '/v1/groups/{group}/members/{project}': {
        'GET': groups.show_member,
        'DELETE': groups.remove_member,
    },
    '/v1/plans': {
        'GET': plans.list_plans,
        'POST': plans.create_plan,
    },
    '/v1/plans/{plan_or_stack_id}': {
        'GET': plans.show_plan,
        'PUT': plans.update_plan,
        'DELETE': plans.delete_plan,
    },
    '/v1/placements': {
        'GET': placements.list_placements,
    },
    '/v1/placements/{placement_or_orchestration_id}': {
        'GET': placements.show_placement,
        'POST': placements.reserve_placement,
        'DELETE': placements.delete_placement,
    },
}

JSON_TYPE = 'application/json'
#: The longest path a 404 quotes.
MAX_QUOTED_PATH = 100
# What the API answers, as an Accept header may name it: webob matches
# media type parameters exactly, and every answer is UTF-8.
JSON_OFFERS = [JSON_TYPE, JSON_TYPE + '; charset=utf-8',
               JSON_TYPE + '; charset=UTF-8']


def _method_not_allowed(allowed):
    def handle_405(environ, start_response):
        raise errors.MethodNotAllowed(
            'The method %s is not allowed for this resource; allowed: %s.'
            % (environ['REQUEST_METHOD'], allowed),
            headers={'Allow': allowed})
    return handle_405


def make_map(declarations):
    """Return a routes.Mapper for a route table, with the 405 fallbacks."""
    mapper = routes.Mapper()
    for path, methods in declarations.items():
        methods = dict(methods)
        # HTTP: HEAD is GET without the body (webob drops it).
        if 'GET' in methods and 'HEAD' not in methods:
            methods['HEAD'] = methods['GET']
        for method, handler in methods.items():
            mapper.connect(path, action=handler,
                           conditions={'method': [method]})
        allowed = ', '.join(sorted(methods))
        mapper.connect(path, action=_method_not_allowed(allowed))
    return mapper


def _check_content(req):
    """Refuse what the handlers would misread: 406, 415."""
    if req.accept and not req.accept.acceptable_offers(JSON_OFFERS):
        raise errors.NotAcceptable(
            'Only application/json responses are available; the Accept '
            'header asked for %s.' % req.headers.get('Accept'))
    length = req.content_length
    if length or (req.is_body_readable and req.method in ('POST', 'PUT')):
        if req.content_type != JSON_TYPE:
            raise errors.UnsupportedMediaType(
                'The request body must be application/json, not %r.'
                % (req.content_type or 'unspecified'))
        _read_body(req, length)


def _read_body(req, length):
    """Read the whole body now: 400 if it is shorter than announced.

    A client that closes its side before sending all the Content-Length
    it announced makes webob raise in the middle of a handler otherwise.
    The size limit layer has already bounded length.
    """
    try:
        req.make_body_seekable()
    except webob.request.DisconnectionError:
        # The outer layers (notifications) read the body too: they see
        # none rather than the same failure again.
        req.body = b''
        raise errors.BadRequest(
            'The request body ended before the %d bytes announced by its '
            'Content-Length.' % length)


class ValetHandler(object):
    """The innermost WSGI application: route, check, call the handler."""

    def __init__(self):
        self._map = make_map(ROUTES)

    def __call__(self, environ, start_response):
        result = self._map.match(environ=environ)
        if result is None:
            path = environ.get('PATH_INFO', '')
            if len(path) > MAX_QUOTED_PATH:
                # An answer never quotes a huge request whole.
                path = path[:MAX_QUOTED_PATH - 3] + '...'
            raise errors.NotFound(
                'The resource could not be found: %s' % path)
        handler = result.pop('action')
        environ['wsgiorg.routing_args'] = ((), result)
        req = webob.Request(environ)
        _check_content(req)
        try:
            return handler(environ, start_response)
        except exception.ValetException as exc:
            # The data layer and the policy speak in domain exceptions;
            # each carries its API-WG error code.
            raise errors.from_exception(exc)
