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

"""Questions Valet asks Keystone with its own service credentials.

The credentials, session and endpoint come from the ``[keystone]`` group
(see ``valet.conf.keystone``).
"""

from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import loading as ks_loading
from oslo_log import log as logging

from valet.common import per_conf
from valet.conf import keystone as keystone_conf
from valet import exception

LOG = logging.getLogger(__name__)


def _new_service_session(conf):
    group = keystone_conf.GROUP_NAME
    auth = ks_loading.load_auth_from_conf_options(conf, group)
    return ks_loading.load_session_from_conf_options(conf, group, auth=auth)


# One service session per ConfigOpts. The session's auth plugin keeps the
# service token until it nears expiry, so a member check costs Keystone
# one request per project id, not a new token every time.
_SESSIONS = per_conf.PerConf(_new_service_session)


def get_adapter(conf, session=None):
    """Return a keystoneauth Adapter on the Identity v3 API.

    :param session: a keystoneauth Session to use instead of the service
        session built (once per conf) from ``[keystone]``; tests pass a
        fake one.
    """
    if session is None:
        session = _SESSIONS.get(conf)
    return ks_loading.load_adapter_from_conf_options(
        conf, keystone_conf.GROUP_NAME, session=session,
        min_version=(3, 0), max_version=(3, 'latest'))


def _project_exists(adapter, project_id):
    try:
        response = adapter.get('/projects/%s' % project_id, raise_exc=False)
    except ks_exc.ClientException as exc:
        # Connection failures, timeouts, no catalog entry, bad plugin
        # configuration: Keystone cannot answer the question.
        LOG.error('Keystone unreachable while checking project %(id)s: '
                  '%(exc)s', {'id': project_id, 'exc': exc})
        raise exception.ServiceUnavailable(
            reason='Keystone could not be reached to check project ids')
    if response.status_code == 200:
        return True
    if response.status_code == 404:
        return False
    LOG.error('Keystone answered %(status)d while checking project %(id)s',
              {'status': response.status_code, 'id': project_id})
    raise exception.ServiceUnavailable(
        reason='Keystone answered %d while checking project ids' %
        response.status_code)


def check_projects(conf, project_ids, session=None):
    """Check that Keystone knows every project id.

    Every id is asked about, so that the error lists all the unknown ones.

    :raises valet.exception.UnknownProjects: naming every unknown id.
    :raises valet.exception.ServiceUnavailable: Keystone cannot answer.
    """
    try:
        adapter = get_adapter(conf, session=session)
    except ks_exc.ClientException as exc:
        LOG.error('Cannot load the [keystone] credentials: %s', exc)
        raise exception.ServiceUnavailable(
            reason='the [keystone] service credentials are not usable')
    unknown = [project_id for project_id in project_ids
               if not _project_exists(adapter, project_id)]
    if unknown:
        raise exception.UnknownProjects(projects=', '.join(unknown))
