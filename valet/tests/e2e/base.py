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

"""Base of the end-to-end tests: a running Valet, a running Keystone.

The tests talk HTTP to the Valet that ``tools/e2e/run.sh`` started. They
are configured by the environment:

* ``VALET_E2E_ACCOUNTS``: the accounts.json written by
  ``tools/e2e/keystone.sh start`` (Keystone URL, personas, projects, and
  Valet's URL);
* ``VALET_E2E_AUTH``: ``keystone`` (real tokens, the default) or
  ``noauth`` (the identity headers a token would have produced).

Without ``VALET_E2E_ACCOUNTS`` every test is skipped: the suite only
means something against real servers. tools/e2e/run.sh refuses a run
with skipped tests.
"""

import json
import os
import uuid

from keystoneauth1.identity import v3
from keystoneauth1 import session as ks_session
import requests
import testtools

ACCOUNTS_ENV = 'VALET_E2E_ACCOUNTS'
AUTH_ENV = 'VALET_E2E_AUTH'
TIMEOUT = 30

# The roles a Keystone token carries for each assigned role: Keystone's
# bootstrap makes admin imply member (through manager) and member imply
# reader. noauth callers send the same list.
IMPLIED_ROLES = {
    'admin': ['admin', 'manager', 'member', 'reader'],
    'member': ['member', 'reader'],
    'reader': ['reader'],
    'service': ['service'],
}

# One authenticated session per persona and test process: tokens are
# fetched once, as a real client would.
_SESSIONS = {}


def _load_accounts():
    path = os.environ.get(ACCOUNTS_ENV)
    if not path:
        return None
    with open(path) as accounts:
        return json.load(accounts)


class Persona(object):
    """A caller of the Valet API: a real Keystone user, or noauth headers.

    :param accounts: the accounts.json description.
    :param name: a key of its ``personas``, or None for an anonymous
        caller (no token, no identity headers).
    """

    def __init__(self, accounts, name, auth):
        self.accounts = accounts
        self.name = name
        self.auth = auth
        self.info = accounts['personas'][name] if name else None

    @property
    def project_id(self):
        """The id of the project the persona's token is scoped to."""
        return self.info['project_id']

    def _session(self):
        if self.name not in _SESSIONS:
            auth = v3.Password(
                auth_url=self.accounts['auth_url'],
                username=self.info['username'],
                password=self.info['password'],
                project_name=self.info['project_name'],
                user_domain_name=self.accounts['user_domain_name'],
                project_domain_name=self.accounts['project_domain_name'])
            _SESSIONS[self.name] = ks_session.Session(auth=auth,
                                                      timeout=TIMEOUT)
        return _SESSIONS[self.name]

    def _noauth_headers(self):
        roles = []
        for role in self.info['roles']:
            roles.extend(r for r in IMPLIED_ROLES[role] if r not in roles)
        return {'X-User-Id': self.info['user_id'],
                'X-Project-Id': self.info['project_id'],
                'X-Roles': ','.join(roles)}

    def request(self, method, path, body=None, headers=None):
        """Send one request to Valet; return the requests Response."""
        url = self.accounts['valet_url'] + path
        headers = dict(headers or {})
        if body is not None:
            headers.setdefault('Content-Type', 'application/json')
            body = json.dumps(body)
        if self.name is not None and self.auth == 'keystone':
            return self._session().request(
                url, method, data=body, headers=headers, raise_exc=False,
                authenticated=True)
        if self.name is not None:
            headers.update(self._noauth_headers())
        return requests.request(method, url, data=body, headers=headers,
                                timeout=TIMEOUT)

    def get(self, path, **kwargs):
        """GET path."""
        return self.request('GET', path, **kwargs)

    def post(self, path, body=None, **kwargs):
        """POST body to path."""
        return self.request('POST', path, body=body, **kwargs)

    def put(self, path, body=None, **kwargs):
        """PUT body to path."""
        return self.request('PUT', path, body=body, **kwargs)

    def delete(self, path, **kwargs):
        """DELETE path."""
        return self.request('DELETE', path, **kwargs)


class E2ETestCase(testtools.TestCase):
    """A test against the running Valet, with every persona at hand."""

    def setUp(self):
        super().setUp()
        accounts = _load_accounts()
        if accounts is None:
            self.skipTest('%s is not set: the end-to-end tests run from '
                          'tools/e2e/run.sh' % ACCOUNTS_ENV)
        self.accounts = accounts
        self.auth = os.environ.get(AUTH_ENV, 'keystone')
        self.valet_url = accounts['valet_url']
        self.projects = accounts['projects']

        def persona(name):
            return Persona(accounts, name, self.auth)

        self.anonymous = persona(None)
        self.admin = persona('admin')
        self.service = persona('service')
        self.alpha_member = persona('alpha_member')
        self.alpha_reader = persona('alpha_reader')
        self.beta_member = persona('beta_member')
        self.beta_reader = persona('beta_reader')

    # Helpers.

    def unique_name(self, prefix='e2e'):
        """A group name no other test (or run) uses."""
        return '%s-%s' % (prefix, uuid.uuid4().hex[:12])

    def create_group(self, group_type='affinity', level='host', **fields):
        """Create a group as admin; remove it (members first) at cleanup."""
        body = dict(name=self.unique_name(), type=group_type, level=level)
        body.update(fields)
        response = self.admin.post('/v1/groups', body)
        self.assertEqual(201, response.status_code, response.text)
        group = response.json()['group']
        self.addCleanup(self._remove_group, group['id'])
        return group

    def _remove_group(self, group_id):
        self.admin.delete('/v1/groups/%s/members' % group_id)
        self.admin.delete('/v1/groups/%s' % group_id)

    def assertError(self, response, status, code=None, detail_has=()):
        """Check an API-WG error answer: status, code, detail, request id.

        :param detail_has: strings the detail must contain (field names,
            unknown ids...).
        """
        self.assertEqual(status, response.status_code, response.text)
        self.assertEqual('application/json',
                         response.headers['Content-Type'].split(';')[0])
        errors = response.json()['errors']
        self.assertEqual(1, len(errors), errors)
        error = errors[0]
        self.assertEqual(status, error['status'])
        if code is not None:
            self.assertEqual(code, error['code'])
        for text in detail_has:
            self.assertIn(text, error['detail'])
        self.assertEqual(response.headers['x-openstack-request-id'],
                         error['request_id'])
        return error

    def assertGroup(self, expected, group):
        """group has the fields of api-v1.md and the expected values."""
        self.assertEqual(
            {'id', 'name', 'description', 'type', 'level', 'members'},
            set(group))
        for key, value in expected.items():
            self.assertEqual(value, group[key], key)
