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

"""Who may do what with plans, with the roles of the real Keystone.

A project member creates, reads, changes and deletes its own project's
plans; the service persona and admin those of every project. A project
reader may do none of it (403). Another project's member is refused what
its own project may not do, and does not see the plan at all: reading,
changing or deleting it answers 404, as for a plan that does not exist,
so that plan ids of other projects cannot be probed.
"""

from tempest import config
from tempest.lib import decorators
from tempest.lib import exceptions as lib_exc

from valet_tempest_plugin.tests import base

CONF = config.CONF


class PlansRbacTest(base.BaseValetTest):
    """Every /v1/plans route with each persona."""

    credentials = ['admin', 'project_member', 'project_reader',
                   'project_alt_member', base.SERVICE]

    def assertForbidden(self, call, *args, **kwargs):
        exc = self.assertRaises(lib_exc.Forbidden, call, *args, **kwargs)
        self.assertError(exc, 403, 'valet.policy.not_authorized',
                         ['valet:plans:'])

    @decorators.attr(type=['negative'])
    @decorators.idempotent_id('3486b165-0a5a-48bd-b23f-4cf4e019a3b7')
    def test_reader_is_refused_every_route(self):
        plan, ids = self.create_plan(names=('web1',))
        stack_id, resources, _ids = self.stack(['web2'])
        plans = self.reader.plans
        self.assertForbidden(plans.create_plan, self.plan_name(), stack_id,
                             resources)
        self.assertForbidden(plans.list_plans)
        self.assertForbidden(plans.show_plan, plan['id'])
        self.assertForbidden(plans.update_plan, plan['id'], resources)
        self.assertForbidden(plans.migrate_server, plan['id'], ids['web1'])
        self.assertForbidden(plans.delete_plan, plan['id'])
        self.assertEqual(plan, self.member.plans.show_plan(plan['id'])['plan'])
        self.assertEqual([], self.admin.plans.list_plans(
            stack_id=stack_id)['plans'])

    @decorators.attr(type=['negative'])
    @decorators.idempotent_id('7c46eb42-de84-426a-943c-424b29ce3be9')
    def test_other_project_does_not_see_the_plan(self):
        plan, ids = self.create_plan(names=('web1',))
        plans = self.alt_member.plans
        self.assertNotIn(plan['id'], [
            one['id'] for one in plans.list_plans()['plans']])
        self.assertEqual([], plans.list_plans(
            stack_id=plan['stack_id'])['plans'])
        for call, args in ((plans.show_plan, ()),
                           (plans.update_plan, ({},)),
                           (plans.migrate_server, (ids['web1'],)),
                           (plans.delete_plan, ())):
            for key in (plan['id'], plan['stack_id']):
                exc = self.assertRaises(lib_exc.NotFound, call, key, *args)
                self.assertError(exc, 404, 'valet.plan.not_found')
        self.assertEqual(plan, self.member.plans.show_plan(plan['id'])['plan'])

    @decorators.idempotent_id('72e05b10-968a-45ed-ba39-be5f639444df')
    def test_other_project_plans_for_itself(self):
        plan, ids = self.create_plan(self.alt_member, names=('web1',))
        self.assertEqual(self.alt_member.project_id, plan['project_id'])
        self.assertPlaced(plan, ids)
        self.assertNotIn(plan['id'], [
            one['id'] for one in self.member.plans.list_plans()['plans']])

    def _manage_another_projects_plan(self, persona):
        plan, ids = self.create_plan(names=('web1', 'web2'))
        plans = persona.plans
        self.assertIn(plan, plans.list_plans()['plans'])
        self.assertEqual(plan, plans.show_plan(plan['stack_id'])['plan'])
        moved = plans.migrate_server(plan['id'], ids['web1'])['plan']
        self.assertNotEqual(plan['placements'][ids['web1']]['location'],
                            moved['placements'][ids['web1']]['location'])
        stack_id = plan['stack_id']
        kept = {ids['web2']: self.server('web2', stack_id)}
        updated = plans.update_plan(plan['id'], kept)['plan']
        self.assertEqual([ids['web2']], list(updated['placements']))
        self.assertEqual(self.member.project_id, updated['project_id'])
        plans.delete_plan(plan['id'])
        self.assertRaises(lib_exc.NotFound, self.member.plans.show_plan,
                          plan['id'])

    @decorators.idempotent_id('dce75353-8d12-410f-9cf8-43fd555b35f1')
    def test_service_manages_every_projects_plans(self):
        self._manage_another_projects_plan(self.service)

    @decorators.idempotent_id('e747184e-359f-47c6-a1e7-bfe30d3ac576')
    def test_admin_manages_every_projects_plans(self):
        self._manage_another_projects_plan(self.admin)

    @decorators.idempotent_id('a14fb9f1-ee60-4d7a-95f8-b03fda9e5c81')
    def test_service_places_a_stack(self):
        # Heat's lifecycle plugin: the plan is the service's project's.
        plan, ids = self.create_plan(self.service, names=('web1',))
        self.assertEqual(self.service.project_id, plan['project_id'])
        self.assertPlaced(plan, ids)
