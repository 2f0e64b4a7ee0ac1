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

"""A keystoneauth plugin for a Valet that runs with ``auth_strategy = noauth``.

Such a Valet (``valet-manage all-in-one``, tests) takes the caller's
identity from the ``X-User-Id``, ``X-Project-Id`` and ``X-Roles`` headers.
This plugin sends them, so that the Heat and Nova plugins and the
``openstack`` command can be tried against it with the configuration they
have in production, ``auth_type`` aside::

    [valet]
    auth_type = valet-noauth
    endpoint = http://127.0.0.1:8090
    user_id = nova
    project_id = service
    roles = service

Never use it against a Valet behind Keystone: it sends no token.
"""

from keystoneauth1 import loading
from keystoneauth1 import plugin


class ValetNoAuth(plugin.BaseAuthPlugin):
    """Identity headers instead of a token; the endpoint as given."""

    def __init__(self, endpoint=None, user_id='valet-noauth',
                 project_id=None, roles=('admin',)):
        super().__init__()
        self.endpoint = endpoint
        self.user_id = user_id
        self.project_id = project_id
        # A loader given a string (openstack.config passes --os-roles as
        # it was typed) or a list (oslo.config, code).
        self.roles = _roles(roles or ())

    def get_headers(self, session, **kwargs):
        headers = {'X-User-Id': self.user_id,
                   'X-Roles': ','.join(self.roles)}
        if self.project_id:
            headers['X-Project-Id'] = self.project_id
        return headers

    def get_endpoint(self, session, **kwargs):
        return self.endpoint

    def get_user_id(self, session, **kwargs):
        return self.user_id

    def get_project_id(self, session, **kwargs):
        return self.project_id


class ValetNoAuthLoader(loading.BaseLoader):
    """Loads :class:`ValetNoAuth` (``auth_type = valet-noauth``)."""

    @property
    def plugin_class(self):
        return ValetNoAuth

    def get_options(self):
        return [
            loading.Opt('endpoint', help='Valet API endpoint.'),
            loading.Opt('user-id', default='valet-noauth',
                        help='User id sent as X-User-Id.'),
            loading.Opt('project-id', help='Project id sent as '
                        'X-Project-Id.'),
            loading.Opt('roles', type=_roles, default='admin',
                        help='Comma-separated roles sent as X-Roles.'),
        ]


def _roles(value):
    if isinstance(value, (list, tuple)):
        return list(value)
    return [r.strip() for r in str(value).split(',') if r.strip()]
