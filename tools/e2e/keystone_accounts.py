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

"""Create the accounts and catalog entry of the end-to-end tests.

Run by ``tools/e2e/keystone.sh start`` in the e2e venv, as Keystone's
bootstrap admin. Safe to run again: what exists is kept (passwords and
endpoint URLs are brought up to date). Writes the personas as JSON::

    {"auth_url": ..., "region": ..., "valet_url": ...,
     "projects": {"alpha": "<id>", ...},
     "personas": {"admin": {"username", "password", "project_name",
                            "project_id", "user_id", "roles"}, ...}}
"""

import argparse
import json
import os
import sys

from keystoneauth1 import adapter
from keystoneauth1.identity import v3
from keystoneauth1 import session

DOMAIN = 'default'
REGION = 'RegionOne'
ROLES = ('admin', 'member', 'reader', 'service')
SERVICE_TYPE = 'valet'
INTERFACES = ('public', 'internal', 'admin')

# persona: (user name, project name, roles on that project)
PERSONAS = {
    # Valet's own service user: keystonemiddleware validates tokens with
    # it (Keystone asks for the service role) and the member check reads
    # projects with it (admin).
    'valet': ('valet', 'service', ('service', 'admin')),
    # The Heat and Nova integrations: the service persona of Valet's
    # policies, and nothing more.
    'service': ('valet-integration', 'service', ('service',)),
    'alpha_member': ('valet-e2e-alpha-member', 'valet-e2e-alpha',
                     ('member',)),
    'alpha_reader': ('valet-e2e-alpha-reader', 'valet-e2e-alpha',
                     ('reader',)),
    'beta_member': ('valet-e2e-beta-member', 'valet-e2e-beta',
                    ('member',)),
    'beta_reader': ('valet-e2e-beta-reader', 'valet-e2e-beta',
                    ('reader',)),
}
PROJECTS = {'service': 'service', 'alpha': 'valet-e2e-alpha',
            'beta': 'valet-e2e-beta', 'admin': 'admin'}


class Identity(object):
    """Just enough of the Identity v3 API, as the bootstrap admin."""

    def __init__(self, auth_url, password):
        auth = v3.Password(auth_url=auth_url, username='admin',
                           password=password, project_name='admin',
                           user_domain_id=DOMAIN, project_domain_id=DOMAIN)
        self.api = adapter.Adapter(session.Session(auth=auth),
                                   service_type='identity',
                                   interface='public', region_name=REGION)

    def find(self, collection, **query):
        """The first item of collection matching query, or None."""
        found = self.api.get('/%s' % collection, params=query).json()
        items = found[collection]
        return items[0] if items else None

    def ensure(self, collection, body, **query):
        """Find the item matching query; create it from body if absent."""
        item = self.find(collection, **query)
        if item is None:
            member = collection[:-1]
            item = self.api.post('/%s' % collection,
                                 json={member: body}).json()[member]
        return item

    def ensure_user(self, name, password, project):
        """Find or create user name; set its password."""
        user = self.ensure('users', {'name': name, 'password': password,
                                     'domain_id': DOMAIN,
                                     'default_project_id': project['id']},
                           name=name, domain_id=DOMAIN)
        self.api.patch('/users/%s' % user['id'],
                       json={'user': {'password': password}})
        return user

    def grant(self, project, user, role):
        """Give user role on project (a no-op when it already has it)."""
        self.api.put('/projects/%s/users/%s/roles/%s' %
                     (project['id'], user['id'], role['id']))

    def ensure_endpoints(self, service, url):
        """One endpoint per interface in REGION, pointing at url."""
        for interface in INTERFACES:
            endpoint = self.find('endpoints', service_id=service['id'],
                                 interface=interface)
            if endpoint is None:
                self.api.post('/endpoints', json={'endpoint': {
                    'service_id': service['id'], 'interface': interface,
                    'region_id': REGION, 'url': url}})
            elif endpoint['url'] != url:
                self.api.patch('/endpoints/%s' % endpoint['id'],
                               json={'endpoint': {'url': url}})


def build(identity, password, valet_url):
    """Create everything; return the description written as JSON."""
    roles = {name: identity.ensure('roles', {'name': name}, name=name)
             for name in ROLES}
    projects = {}
    for key, name in PROJECTS.items():
        projects[key] = identity.ensure(
            'projects', {'name': name, 'domain_id': DOMAIN,
                         'description': 'Valet end-to-end tests'},
            name=name, domain_id=DOMAIN)
    by_name = {project['name']: project for project in projects.values()}
    personas = {'admin': {
        'username': 'admin', 'password': password, 'project_name': 'admin',
        'project_id': projects['admin']['id'],
        'user_id': identity.find('users', name='admin',
                                 domain_id=DOMAIN)['id'],
        'roles': ['admin']}}
    for key, (user_name, project_name, role_names) in PERSONAS.items():
        project = by_name[project_name]
        user = identity.ensure_user(user_name, password, project)
        for role_name in role_names:
            identity.grant(project, user, roles[role_name])
        personas[key] = {
            'username': user_name, 'password': password,
            'project_name': project_name, 'project_id': project['id'],
            'user_id': user['id'], 'roles': list(role_names)}
    service = identity.ensure('services', {'type': SERVICE_TYPE,
                                           'name': 'valet',
                                           'description': 'Valet'},
                              type=SERVICE_TYPE)
    identity.ensure_endpoints(service, valet_url)
    return {
        'auth_url': identity.api.session.auth.auth_url,
        'region': REGION,
        'user_domain_name': 'Default',
        'project_domain_name': 'Default',
        'valet_url': valet_url,
        'service_type': SERVICE_TYPE,
        'projects': {key: project['id'] for key, project in projects.items()},
        'personas': personas,
    }


def main(argv=None):
    """Create the accounts and write them to --output."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--auth-url', required=True)
    parser.add_argument('--password', required=True,
                        help='the bootstrap admin password, also given to '
                             'every account created')
    parser.add_argument('--valet-url', required=True)
    parser.add_argument('--output', required=True)
    args = parser.parse_args(argv)
    description = build(Identity(args.auth_url, args.password),
                        args.password, args.valet_url)
    tmp = args.output + '.tmp'
    with open(tmp, 'w') as out:
        json.dump(description, out, indent=2, sort_keys=True)
    os.replace(tmp, args.output)
    return 0


if __name__ == '__main__':
    sys.exit(main())
