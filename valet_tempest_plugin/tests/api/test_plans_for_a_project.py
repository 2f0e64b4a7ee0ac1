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

"""Microversion 1.1: a plan made for another project (``project_id``).

Nova's filter (the ``service`` role) plans a server that Heat did not
create for the server's own project; a project member may name only its
own project.
"""

from tempest.lib.common.utils import data_utils
from tempest.lib.common.utils import test_utils
from tempest.lib import decorators
from tempest.lib import exceptions as lib_exc

from valet_tempest_plugin.tests import base


class PlansForAProjectTest(base.BaseValetTest):
    """POST /v1/plans with project_id, through real Keystone identities."""

    min_microversion = '1.1'
    credentials = ['admin', 'project_member', 'project_alt_member',
                   base.SERVICE]

    def _create_for(self, clients, project_id, names=('vm1',)):
        stack_id, resources, ids = self.stack(list(names))
        plan = clients.plans.create_plan_raw({
            'plan_name': self.plan_name(), 'stack_id': stack_id,
            'resources': resources, 'project_id': project_id})['plan']
        self.addCleanup(test_utils.call_and_ignore_notfound_exc,
                        self.admin.plans.delete_plan, plan['id'])
        return plan, ids

    @decorators.idempotent_id('0f2b8e61-5d4c-4a39-9c7e-1b6a3f8d2e40')
    def test_service_plans_for_a_project(self):
        plan, ids = self._create_for(self.service, self.member.project_id)
        self.assertEqual(self.member.project_id, plan['project_id'])
        self.assertPlaced(plan, ids)
        # The project's own members see it as theirs; others do not.
        self.assertEqual(plan, self.member.plans.show_plan(plan['id'])[
            'plan'])
        self.assertRaises(lib_exc.NotFound, self.alt_member.plans.show_plan,
                          plan['id'])

    @decorators.idempotent_id('6a4d2c18-3e7f-4b91-8d05-2f9c1e7a4b63')
    def test_member_plans_for_its_own_project(self):
        plan, ids = self._create_for(self.member, self.member.project_id)
        self.assertEqual(self.member.project_id, plan['project_id'])

    @decorators.attr(type=['negative'])
    @decorators.idempotent_id('c9e17a35-8b2d-4f60-a4c1-5d3e9b0f7a26')
    def test_member_may_not_plan_for_another_project(self):
        exc = self.assertRaises(lib_exc.Forbidden, self._create_for,
                                self.member, self.alt_member.project_id)
        self.assertError(exc, 403, 'valet.policy.not_authorized',
                         ['valet:plans:create'])

    @decorators.attr(type=['negative'])
    @decorators.idempotent_id('e2b5f7c0-1a8d-4c3e-9f64-7d0b2a5c8e19')
    def test_named_projects_memberships_apply(self):
        # A group open to the alt project only: the service may not place
        # the member's server in it, the alt project's it may.
        group = self.admin.groups.create_group(
            name=data_utils.rand_name('tempest-div'), type='diversity',
            level='rack')['group']
        self.addCleanup(test_utils.call_and_ignore_notfound_exc,
                        self.admin.groups.delete_group, group['id'])
        self.admin.groups.add_members(group['id'],
                                      [self.alt_member.project_id])
        self.addCleanup(test_utils.call_and_ignore_notfound_exc,
                        self.admin.groups.remove_all_members, group['id'])
        stack_id, resources, _ids = self.stack(['vm1'],
                                               groups=[group['name']])
        document = {'plan_name': self.plan_name(), 'stack_id': stack_id,
                    'resources': resources,
                    'project_id': self.member.project_id}
        exc = self.assertRaises(lib_exc.Forbidden,
                                self.service.plans.create_plan_raw, document)
        self.assertError(exc, 403, 'valet.group.not_member')
        document['project_id'] = self.alt_member.project_id
        plan = self.service.plans.create_plan_raw(document)['plan']
        self.addCleanup(test_utils.call_and_ignore_notfound_exc,
                        self.admin.plans.delete_plan, plan['id'])
        self.assertEqual(self.alt_member.project_id, plan['project_id'])
