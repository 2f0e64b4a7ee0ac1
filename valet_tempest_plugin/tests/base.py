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

"""Base classes of Valet's tempest tests.

The personas of Valet's policies are tempest's dynamic credentials:
``admin`` (the operator), ``project_member`` (``primary`` is the same
user) and ``project_reader`` of one project, ``project_alt_member`` and
``project_alt_reader`` of another, and ``['service_user', 'service']``, a
user with only the ``service`` role (the Heat and Nova integrations).
Each test class lists those it needs in ``credentials``; tempest creates
the projects and users in Keystone and deletes them afterwards.
"""

from oslo_utils import uuidutils
from tempest import config
from tempest.lib.common import api_version_utils
from tempest.lib.common.utils import data_utils
from tempest.lib.common.utils import test_utils
from tempest import test

from valet_tempest_plugin.services import base_client

CONF = config.CONF

# Valet's base microversion: what every test of the 1.0 API sends.
BASE_MICROVERSION = '1.0'

SERVER = 'OS::Nova::Server'
ASSIGNMENT = 'ATT::Valet::GroupAssignment'

# credentials entry of the service persona (a user with only that role).
SERVICE = ['service_user', 'service']

# The persona attributes of a test class, from its credentials entries.
_PERSONAS = {
    'admin': 'admin',
    'primary': 'member',
    'project_member': 'member',
    'project_reader': 'reader',
    'project_alt_member': 'alt_member',
    'project_alt_reader': 'alt_reader',
    'service_user': 'service',
}


def error_of(exc):
    """The first API-WG error (a dict) of a refused call.

    Tempest's rest client strips a body's only key: an API-WG answer
    ``{"errors": [...]}`` reaches the exception as the list.
    """
    errors = exc.resp_body
    if isinstance(errors, dict):
        errors = errors['errors']
    return errors[0]


def detail_of(exc):
    """The detail of the first API-WG error of a refused call."""
    return error_of(exc)['detail']


class ValetClients(object):
    """The Valet clients of one persona."""

    def __init__(self, manager):
        self.manager = manager
        self.project_id = manager.credentials.project_id
        self.groups = manager.valet.GroupsClient()
        self.plans = manager.valet.PlansClient()
        self.placements = manager.valet.PlacementsClient()
        self.status = manager.valet.StatusClient()


class BaseValetTest(api_version_utils.BaseMicroversionTest,
                    test.BaseTestCase):
    """Valet API tests with an admin and a primary (member) project.

    Tempest's dynamic credentials create both projects and users in the
    real Keystone for each test class, and delete them afterwards. Each
    persona's clients are at ``self.<persona>`` (``admin``, ``member``,
    ``reader``, ``alt_member``, ``alt_reader``, ``service``, those of the
    class's credentials).
    """

    credentials = ['admin', 'primary']
    min_microversion = BASE_MICROVERSION
    max_microversion = api_version_utils.LATEST_MICROVERSION

    @classmethod
    def skip_checks(cls):
        """Skip without Valet, or out of the configured microversions."""
        super().skip_checks()
        if not CONF.service_available.valet:
            raise cls.skipException('Valet is not available')
        api_version_utils.check_skip_with_microversion(
            cls.min_microversion, cls.max_microversion,
            CONF.valet.min_microversion, CONF.valet.max_microversion)

    @classmethod
    def setup_clients(cls):
        """The Valet clients of each persona of the class."""
        super().setup_clients()
        for entry in cls.credentials:
            label = entry[0] if isinstance(entry, list) else entry
            attribute = _PERSONAS.get(label)
            if attribute:
                setattr(cls, attribute,
                        ValetClients(getattr(cls, 'os_%s' % label)))
        # The groups clients, under the names the groups tests use.
        cls.admin_client = cls.admin.groups
        if hasattr(cls, 'member'):
            cls.client = cls.member.groups

    @classmethod
    def resource_setup(cls):
        """The microversion this class's requests carry."""
        super().resource_setup()
        cls.request_microversion = (
            api_version_utils.select_request_microversion(
                cls.min_microversion, CONF.valet.min_microversion))

    def setUp(self):
        """Send the class's microversion for the length of the test."""
        super().setUp()
        self.useFixture(base_client.MicroversionFixture(
            self.request_microversion))

    # Groups.

    @classmethod
    def group_name(cls):
        """A unique group name made of the characters Valet accepts."""
        return data_utils.rand_name(prefix='tempest',
                                    name=cls.__name__.lower())

    def create_group(self, group_type='affinity', level='host', **kwargs):
        """Create a group as admin; delete it (and its members) at cleanup.

        :returns: the group (the body's ``group`` object).
        """
        kwargs.setdefault('name', self.group_name())
        group = self.admin_client.create_group(
            type=group_type, level=level, **kwargs)['group']
        self.addCleanup(test_utils.call_and_ignore_notfound_exc,
                        self.admin_client.delete_group, group['id'])
        # Runs first: a group with members cannot be deleted.
        self.addCleanup(test_utils.call_and_ignore_notfound_exc,
                        self.admin_client.remove_all_members, group['id'])
        return group

    # Plans.

    @staticmethod
    def new_id():
        """A new orchestration (or stack, or server) id."""
        return uuidutils.generate_uuid()

    @staticmethod
    def server(name, stack_id, flavor=None, groups=None, stack_name=None):
        """A server resource of a plan, with Heat's scheduler hints.

        :param groups: names or ids of API groups it joins (its
            ``metadata.valet.groups``).
        """
        properties = {'flavor': flavor or CONF.valet.flavor}
        if groups:
            properties['metadata'] = {'valet': {'groups': list(groups)}}
        return {'name': name, 'type': SERVER, 'properties': properties,
                'metadata': {
                    'heat_root_stack_id': stack_id,
                    'heat_resource_name': name,
                    'heat_path_in_stack': ',%s' % (stack_name or name)}}

    @staticmethod
    def assignment(name, group_type, level, members, group_name=None):
        """A GroupAssignment resource over members (resource names)."""
        properties = {'group_type': group_type, 'level': level,
                      'resources': list(members)}
        if group_name:
            properties['group_name'] = group_name
        return {'name': name, 'type': ASSIGNMENT, 'properties': properties}

    def stack(self, names, stack_id=None, rule=None, groups=None):
        """Resources of a stack of servers; (stack id, resources, ids).

        :param names: the servers' names.
        :param rule: (group type, level) of a GroupAssignment over them.
        :param groups: API groups every server joins.
        :returns: the stack id, the resources keyed by orchestration id
            and a dict server name -> orchestration id.
        """
        stack_id = stack_id or self.new_id()
        resources = {}
        ids = {}
        for name in names:
            ids[name] = self.new_id()
            resources[ids[name]] = self.server(name, stack_id,
                                               groups=groups)
        if rule:
            resources[self.new_id()] = self.assignment(
                'rule-%s' % rule[0], rule[0], rule[1], names)
        return stack_id, resources, ids

    def plan_name(self):
        """A unique plan name."""
        return data_utils.rand_name(prefix='tempest', name='plan')

    def create_plan(self, clients=None, names=('web1', 'web2'), rule=None,
                    groups=None, locations=None, stack_id=None,
                    resources=None):
        """Place a stack (as clients, default the project member).

        The plan is deleted, as admin, at cleanup.

        :returns: (plan, ids): the body's ``plan`` object and the
            orchestration id of each server by name.
        """
        clients = clients or self.member
        if resources is None:
            stack_id, resources, ids = self.stack(names, stack_id, rule,
                                                  groups)
        else:
            ids = {one['name']: key for key, one in resources.items()
                   if one['type'] == SERVER}
            stack_id = stack_id or self.new_id()
        plan = clients.plans.create_plan(
            self.plan_name(), stack_id, resources,
            locations=locations)['plan']
        self.addCleanup(test_utils.call_and_ignore_notfound_exc,
                        self.admin.plans.delete_plan, plan['id'])
        return plan, ids

    def assertPlaced(self, plan, ids, hosts=None):
        """Every server of ids is placed on a host (among hosts)."""
        hosts = hosts or CONF.valet.hosts
        self.assertEqual(sorted(ids.values()),
                         sorted(plan['placements']))
        for name, orchestration_id in ids.items():
            placement = plan['placements'][orchestration_id]
            self.assertEqual(name, placement['name'])
            self.assertIn(placement['location'], hosts)
            self.assertTrue(placement['rack'])

    def assertError(self, exc, status, code=None, detail_has=()):
        """A refused call's API-WG error: status, code, detail."""
        error = error_of(exc)
        self.assertEqual(status, error['status'])
        if code is not None:
            self.assertEqual(code, error['code'])
        for text in detail_has:
            self.assertIn(text, error['detail'])
        self.assertTrue(error['request_id'].startswith('req-'))
        return error
