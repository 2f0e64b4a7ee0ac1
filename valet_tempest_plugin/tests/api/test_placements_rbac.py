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

"""Who may do what with placements, with the roles of the real Keystone.

Placements are searched, read, reserved and deleted by the service
persona (Nova's filter) and admin for every project; the owning project's
readers (its members too: Keystone's implied roles) may search and read
them, nothing more (403). Another project sees none of them: its search
answers without them, reading one answers 404, and reserving or deleting
is refused (403) before anything is looked up.
"""

from tempest import config
from tempest.lib import decorators
from tempest.lib import exceptions as lib_exc

from valet_tempest_plugin.tests import base

CONF = config.CONF


class PlacementsRbacTest(base.BaseValetTest):
    """Every /v1/placements route with each persona."""

    credentials = ['admin', 'project_member', 'project_reader',
                   'project_alt_member', 'project_alt_reader', base.SERVICE]

    def setUp(self):
        super().setUp()
        self.plan, self.ids = self.create_plan(names=('app1', 'app2'))
        self.placement = self.admin.placements.show_placement(
            self.ids['app1'])['placement']

    def assertForbidden(self, call, *args, **kwargs):
        exc = self.assertRaises(lib_exc.Forbidden, call, *args, **kwargs)
        self.assertError(exc, 403, 'valet.policy.not_authorized',
                         ['valet:placements:'])

    def assertUnchanged(self):
        self.assertEqual(self.placement, self.admin.placements.show_placement(
            self.placement['id'])['placement'])

    @decorators.idempotent_id('794b1850-9875-49b0-a39b-3b0fed7d9269')
    def test_owning_project_reads(self):
        stack_id = self.plan['stack_id']
        for persona in (self.member, self.reader):
            found = persona.placements.list_placements(
                heat_root_stack_id=stack_id)['placements']
            self.assertEqual(sorted(self.ids.values()), sorted(
                one['orchestration_id'] for one in found))
            self.assertEqual(self.placement, persona.placements.show_placement(
                self.ids['app1'])['placement'])

    @decorators.attr(type=['negative'])
    @decorators.idempotent_id('42afec56-aa9f-48ba-b36f-e118c5ac6232')
    def test_owning_project_may_not_reserve_or_delete(self):
        for persona in (self.member, self.reader):
            self.assertForbidden(persona.placements.reserve_placement,
                                 self.ids['app1'], CONF.valet.hosts,
                                 self.new_id())
            self.assertForbidden(persona.placements.delete_placement,
                                 self.placement['id'])
        self.assertUnchanged()

    @decorators.attr(type=['negative'])
    @decorators.idempotent_id('d54bedb8-7f33-4a5c-a107-1c0d1d1703d1')
    def test_other_project_sees_nothing(self):
        for persona in (self.alt_member, self.alt_reader):
            self.assertEqual([], persona.placements.list_placements(
                heat_root_stack_id=self.plan['stack_id'])['placements'])
            for key in (self.placement['id'], self.ids['app1']):
                exc = self.assertRaises(lib_exc.NotFound,
                                        persona.placements.show_placement,
                                        key)
                self.assertError(exc, 404, 'valet.placement.not_found')
            self.assertForbidden(persona.placements.reserve_placement,
                                 self.ids['app1'], CONF.valet.hosts,
                                 self.new_id())
            self.assertForbidden(persona.placements.delete_placement,
                                 self.placement['id'])
        self.assertUnchanged()

    def _manage(self, persona):
        placements = persona.placements
        found = placements.list_placements(
            heat_root_stack_id=self.plan['stack_id'])['placements']
        self.assertEqual(2, len(found), found)
        self.assertEqual(self.placement, placements.show_placement(
            self.placement['id'])['placement'])
        server = self.new_id()
        reserved = placements.reserve_placement(
            self.ids['app1'], CONF.valet.hosts, server)['placement']
        self.assertEqual(server, reserved['resource_id'])
        placements.delete_placement(reserved['id'])
        self.assertRaises(lib_exc.NotFound, self.admin.placements.
                          show_placement, reserved['id'])

    @decorators.idempotent_id('08c42152-face-4bfb-b3ad-faa3c19f2757')
    def test_service_manages_every_projects_placements(self):
        self._manage(self.service)

    @decorators.idempotent_id('1d537c23-4ad2-4eb1-86b0-2c8af5f42c8f')
    def test_admin_manages_every_projects_placements(self):
        self._manage(self.admin)
