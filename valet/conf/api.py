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

"""Options of the ``[api]`` group: how valet-api authenticates and listens."""

import functools

from keystonemiddleware import auth_token
from oslo_config import cfg
from oslo_middleware.healthcheck import opts as healthcheck_opts
from oslo_middleware import opts as middleware_opts
from oslo_middleware import sizelimit
from oslo_policy import opts as policy_opts

api_group = cfg.OptGroup(
    'api',
    title='API options',
    help='Options of the valet-api service: authentication and listening '
         'address.')

# Valet's default for [oslo_middleware] max_request_body_size (1 MiB).
MAX_REQUEST_BODY_SIZE = 1024 * 1024

# The oslo.middleware.healthcheck plugin of valet.api.healthcheck.
HEALTHCHECK_DATABASE_BACKEND = 'valet_database'

API_OPTS = [
    cfg.StrOpt(
        'auth_strategy',
        default='keystone',
        choices=[
            ('keystone', 'Validate tokens with keystonemiddleware, configured '
                         'in [keystone_authtoken].'),
            ('noauth', 'Trust the X-User-Id, X-Project-Id and X-Roles '
                       'request headers. For tests and all-in-one trials '
                       'only, never in production.'),
        ],
        help='How valet-api identifies the caller of a request.'),
    cfg.HostAddressOpt(
        'bind_host',
        default='0.0.0.0',
        help='Address on which valet-api listens (the valet-api command '
             'only; a WSGI server such as uwsgi has its own setting).'),
    cfg.PortOpt(
        'bind_port',
        default=8090,
        help='Port on which valet-api listens (the valet-api command only).'),
    cfg.BoolOpt(
        'noauth_verify_projects',
        default=False,
        help='With auth_strategy = noauth, still check that project ids '
             'added to a group exist in Keystone (using the [keystone] '
             'service credentials). With auth_strategy = keystone the '
             'check is always made.'),
    cfg.IntOpt(
        'status_engine_timeout',
        default=10,
        min=1,
        help='Seconds that GET/HEAD /v1/status waits for an engine to '
             'answer its ping before reporting the engine down (503).'),
    cfg.IntOpt(
        'engine_timeout',
        default=60,
        min=1,
        help='Seconds that a plan request (create, update, migrate, '
             'replan, delete) waits for valet-engine to answer; past it '
             'the API answers 503. The call carries this deadline: an '
             'engine that gets it, or finishes planning, after it does '
             'not commit it (only a commit that ends in the last instant '
             'before the deadline, with its answer lost, can be stored '
             'although the caller got a 503; a retry then finds the plan '
             'there). Keep it above the engine\'s [engine] time_limit.'),
    cfg.URIOpt(
        'public_endpoint',
        schemes=['http', 'https'],
        help='The URL clients reach valet-api at, for example '
             'https://cloud.example/valet. When set, the links of the '
             'version document and the Location headers use it instead of '
             'the Host header of the request. When unset, they follow the '
             'request, as rewritten by the proxy headers when '
             '[oslo_middleware] enable_proxy_headers_parsing is true.'),
]


@functools.lru_cache(maxsize=None)
def _middleware_opts():
    """The options of the middleware valet-api composes.

    The libraries' list_opts() deep-copy their options: once per process
    is enough, the copies are registered on every conf.
    """
    return (middleware_opts.list_opts_cors() +
            middleware_opts.list_opts_http_proxy_to_wsgi() +
            middleware_opts.list_opts_healthcheck() +
            middleware_opts.list_opts_sizelimit() +
            auth_token.list_opts())


def register_opts(conf):
    """Register [api] and the options of the API's middleware.

    The middleware would register their own options when built; doing it
    here lets deploy read them first (``[cors] allowed_origin``) and
    reports a bad value in a configuration file at start-up. The sample
    file lists them under their own namespaces (see
    etc/valet/valet-config-generator.conf), not under valet's.
    """
    conf.register_group(api_group)
    conf.register_opts(API_OPTS, group=api_group)
    for group, opts in _middleware_opts():
        conf.register_opts(opts, group=group)
    # /healthcheck reports the database too (valet.api.healthcheck): the
    # API answers nothing but 503 without it.
    conf.set_default('backends', [HEALTHCHECK_DATABASE_BACKEND],
                     group='healthcheck')
    # Plans are larger than oslo.middleware's default of 112 KiB.
    conf.set_default('max_request_body_size', MAX_REQUEST_BODY_SIZE,
                     group='oslo_middleware')
    # [oslo_policy], read by the enforcer that valet.policy builds.
    policy_opts.set_defaults(conf)


def set_library_defaults():
    """Show Valet's defaults for oslo.middleware's options in the sample.

    Part of the ``oslo.config.opts.defaults`` hook of oslo-config-generator
    (it changes the library's option objects: only right in the
    generator's process); Valet's processes get the same defaults from
    :func:`register_opts`, on their own ConfigOpts.
    """
    cfg.set_defaults(sizelimit.OPTS,
                     max_request_body_size=MAX_REQUEST_BODY_SIZE)
    cfg.set_defaults(healthcheck_opts.HEALTHCHECK_OPTS,
                     backends=[HEALTHCHECK_DATABASE_BACKEND])


def list_opts():
    """Return the [api] options for the sample configuration file."""
    return {api_group: API_OPTS}
