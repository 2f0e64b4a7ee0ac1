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

"""The Valet REST API as the Heat, Nova and OpenStackClient plugins use it.

One small client on a keystoneauth :class:`~keystoneauth1.adapter.Adapter`:
the plugin that owns it decides how the session authenticates (Heat: the
stack owner's session from its request context; Nova: a service user from
nova.conf; OpenStackClient: the command line's). Where the endpoint is not
given (``[valet] url``), it is looked up in the service catalog under the
service type ``valet``.

Every call returns the decoded document or raises:

* :class:`ValetError` when Valet answered with an error (its status, its
  API-WG ``code`` and ``detail``);
* :class:`ValetUnavailable` when Valet could not be reached, did not answer
  in time, or answered 503: what ``[valet] failure_mode`` is about.

This module imports only keystoneauth1 and oslo.config, which Heat, Nova
and OpenStackClient all have: it is loaded inside their processes.
"""

import copy

from keystoneauth1 import adapter as ks_adapter
from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import loading as ks_loading
from oslo_config import cfg

SERVICE_TYPE = 'valet'
API_VERSION = 'valet 1.0'
#: The microversion that lets a plan be made for another project.
PROJECT_VERSION = 'valet 1.1'
GROUP = 'valet'

#: keystoneauth's defaults changed for Valet: its service type, and a
#: bounded wait (seconds) for a Valet that does not answer.
_DEFAULTS = {'service_type': SERVICE_TYPE, 'timeout': 60}

_opts = [
    cfg.URIOpt('url', schemes=['http', 'https'],
               help='Valet API endpoint, e.g. http://controller:8090. '
                    'Unset: looked up in the service catalog under '
                    'service_type (default "valet") and valid_interfaces.'),
    cfg.StrOpt('failure_mode', default='reject',
               choices=[
                   ('reject', 'Refuse the request (the stack fails, or no '
                              'host passes the filter) with the reason.'),
                   ('yield', 'Go on without Valet: the stack is built, or '
                             'every host passes the filter, as if Valet '
                             'were not installed; a warning is logged.')],
               help='What to do when Valet cannot be reached, does not '
                    'answer within the timeout, or answers 503. Refusals '
                    'of Valet itself (a rule no host can satisfy) always '
                    'refuse.'),
]


class ValetClientException(Exception):
    """Base of the client's errors."""


class ValetError(ValetClientException):
    """Valet answered with an error document."""

    def __init__(self, status, code, detail, request_id=None):
        self.status = status
        self.code = code
        self.detail = detail
        self.request_id = request_id
        super().__init__('Valet refused (HTTP %s, %s): %s' % (
            status, code, detail))


class ValetUnavailable(ValetClientException):
    """Valet could not be reached, timed out, or answered 503."""

    def __init__(self, reason):
        self.reason = reason
        super().__init__('Valet is unavailable: %s' % reason)


class ValetEndpointNotFound(ValetUnavailable):
    """No endpoint given and none of type ``valet`` in the catalog."""


def register_opts(conf, group=GROUP):
    """Register the ``[valet]`` options: keystoneauth and Valet's own.

    The keystoneauth ones are the session (``timeout``, ``cafile``,
    ``insecure``...), the auth plugin (``auth_type`` and its options) and
    the adapter (``service_type``, ``valid_interfaces``, ``region_name``,
    ``endpoint_override``, ``connect_retries``, ``status_code_retries``).
    """
    conf.register_opts(_opts, group=group)
    ks_loading.register_session_conf_options(conf, group)
    ks_loading.register_auth_conf_options(conf, group)
    ks_loading.register_adapter_conf_options(conf, group)
    for name, value in _DEFAULTS.items():
        conf.set_default(name, value, group=group)


def list_opts(group=GROUP):
    """The ``[valet]`` options, for oslo-config-generator.

    With the defaults :func:`register_opts` gives them.
    """
    opts = copy.deepcopy(
        _opts + ks_loading.get_session_conf_options() +
        ks_loading.get_auth_common_conf_options() +
        ks_loading.get_adapter_conf_options())
    for opt in opts:
        if opt.dest in _DEFAULTS:
            opt.default = _DEFAULTS[opt.dest]
    return [(group, opts)]


def session_from_conf(conf, group=GROUP):
    """A keystoneauth session authenticated as ``[group]`` says."""
    auth = ks_loading.load_auth_from_conf_options(conf, group)
    return ks_loading.load_session_from_conf_options(conf, group, auth=auth)


def adapter(session, conf=None, group=GROUP, **kwargs):
    """An Adapter on ``session`` pointing at Valet.

    With ``conf``, the ``[group]`` adapter options apply (``url`` wins
    over ``endpoint_override``); ``kwargs`` override them.
    """
    options = {'service_type': SERVICE_TYPE}
    if conf is not None:
        section = conf[group]
        options.update(
            service_type=section.service_type,
            interface=section.valid_interfaces,
            region_name=section.region_name,
            endpoint_override=section.url or section.endpoint_override,
            connect_retries=section.connect_retries,
            connect_retry_delay=section.connect_retry_delay,
            status_code_retries=section.status_code_retries,
            status_code_retry_delay=section.status_code_retry_delay)
    options.update({k: v for k, v in kwargs.items() if v is not None})
    return ks_adapter.Adapter(session, **options)


def from_conf(conf, group=GROUP, session=None):
    """A :class:`Client` configured by the ``[group]`` section.

    :param session: the session to use instead of the one ``[group]``'s
        auth options describe (Heat passes the stack owner's).
    """
    if session is None:
        session = session_from_conf(conf, group)
    return Client(adapter(session, conf, group), timeout=conf[group].timeout)


def _error_from_response(response):
    try:
        document = response.json()
        error = document['errors'][0]
        return error.get('code'), error.get('detail'), error.get('request_id')
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return None, (response.text or '').strip()[:500] or response.reason, \
            response.headers.get('x-openstack-request-id')


class Client(object):
    """The calls of Valet's v1 API that the plugins make.

    :param timeout: seconds to wait for each answer (None: the session's),
        so that a hung Valet never holds the caller for ever, whatever
        session it lends.
    """

    def __init__(self, ks_adapter_, timeout=None):
        self.adapter = ks_adapter_
        self.timeout = timeout

    def request(self, method, path, body=None, ok=(200, 201, 204),
                version=API_VERSION):
        """One call; the decoded JSON document, or None for no body."""
        kwargs = {'raise_exc': False,
                  'headers': {'OpenStack-API-Version': version,
                              'Accept': 'application/json'}}
        if body is not None:
            kwargs['json'] = body
        if self.timeout is not None:
            kwargs['timeout'] = self.timeout
        try:
            response = self.adapter.request(path, method, **kwargs)
        except ks_exc.EndpointNotFound as e:
            raise ValetEndpointNotFound(
                'no Valet endpoint in the service catalog (set [valet] '
                'url): %s' % e)
        except ks_exc.ConnectTimeout as e:
            # keystoneauth's name for a request that got no answer in time
            # (connecting or reading).
            if self.timeout is None:
                raise ValetUnavailable(str(e))
            raise ValetUnavailable('%s: no answer within %g seconds' % (
                e, self.timeout))
        except ks_exc.ConnectionError as e:
            raise ValetUnavailable(str(e))
        if response.status_code in ok:
            if response.status_code == 204 or not response.content:
                return None
            return response.json()
        code, detail, request_id = _error_from_response(response)
        if response.status_code in (502, 503, 504):
            raise ValetUnavailable('HTTP %d: %s' % (response.status_code,
                                                    detail))
        raise ValetError(response.status_code, code, detail, request_id)

    # Plans.

    def create_plan(self, plan_name, stack_id, resources, locations=None,
                    project_id=None):
        """Plan a stack; for ``project_id`` (microversion 1.1) if given."""
        body = {'plan_name': plan_name, 'stack_id': stack_id,
                'resources': resources}
        version = API_VERSION
        if locations is not None:
            body['locations'] = list(locations)
        if project_id is not None:
            body['project_id'] = project_id
            version = PROJECT_VERSION
        return self.request('POST', '/v1/plans', body,
                            version=version)['plan']

    def update_plan(self, plan, resources, original_resources=None):
        body = {'action': 'update', 'resources': resources}
        if original_resources is not None:
            body['original_resources'] = original_resources
        return self.request('PUT', '/v1/plans/%s' % plan, body)['plan']

    def migrate(self, plan, server, excluded_hosts=()):
        body = {'action': 'migrate', 'resources': [server],
                'excluded_hosts': list(excluded_hosts)}
        return self.request('PUT', '/v1/plans/%s' % plan, body)['plan']

    def get_plan(self, plan):
        return self.request('GET', '/v1/plans/%s' % plan)['plan']

    def list_plans(self, **filters):
        return self.request('GET', _with_query('/v1/plans', filters))['plans']

    def delete_plan(self, plan, missing_ok=False):
        try:
            self.request('DELETE', '/v1/plans/%s' % plan)
        except ValetError as e:
            if not (missing_ok and e.status == 404):
                raise

    # Placements.

    def list_placements(self, **filters):
        return self.request(
            'GET', _with_query('/v1/placements', filters))['placements']

    def get_placement(self, placement):
        return self.request('GET', '/v1/placements/%s' % placement)[
            'placement']

    def reserve_placement(self, placement, locations, resource_id=None,
                          action='reserve'):
        body = {'locations': list(locations), 'action': action}
        if resource_id is not None:
            body['resource_id'] = resource_id
        return self.request('POST', '/v1/placements/%s' % placement,
                            body)['placement']

    # Groups.

    def create_group(self, name, group_type, level, description=None):
        body = {'name': name, 'type': group_type, 'level': level}
        if description is not None:
            body['description'] = description
        return self.request('POST', '/v1/groups', body)['group']

    def list_groups(self):
        return self.request('GET', '/v1/groups')['groups']

    def get_group(self, group):
        return self.request('GET', '/v1/groups/%s' % group)['group']

    def update_group(self, group, description):
        return self.request('PUT', '/v1/groups/%s' % group,
                            {'description': description})['group']

    def delete_group(self, group, missing_ok=False):
        try:
            self.request('DELETE', '/v1/groups/%s' % group)
        except ValetError as e:
            if not (missing_ok and e.status == 404):
                raise

    def add_members(self, group, members):
        return self.request('PUT', '/v1/groups/%s/members' % group,
                            {'members': list(members)})['group']

    def is_member(self, group, project):
        try:
            self.request('GET', '/v1/groups/%s/members/%s' % (group, project))
        except ValetError as e:
            if e.status == 404 and e.code != 'valet.group.not_found':
                return False
            raise
        return True

    def remove_member(self, group, project):
        self.request('DELETE', '/v1/groups/%s/members/%s' % (group, project))

    def remove_all_members(self, group):
        self.request('DELETE', '/v1/groups/%s/members' % group)

    # Status.

    def status(self):
        """The status document, whether Valet is healthy (200) or not."""
        return self.request('GET', '/v1/status', ok=(200, 503))['status']


def _with_query(path, filters):
    from urllib import parse

    filters = {k: v for k, v in filters.items() if v is not None}
    if not filters:
        return path
    return path + '?' + parse.urlencode(sorted(filters.items()))
