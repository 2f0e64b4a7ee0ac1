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

"""Valet plans API: the calls that are refused, and why."""

from tempest import config
from tempest.lib import decorators
from tempest.lib import exceptions as lib_exc

from valet_tempest_plugin.tests import base

CONF = config.CONF


class PlansNegativeTest(base.BaseValetTest):
    """400, 403, 404 and 409 answers of /v1/plans."""

    @decorators.attr(type=['negative'])
    @decorators.idempotent_id('0f9a90b6-cc54-4017-83d8-560fcbb59380')
    def test_create_plan_bad_bodies(self):
        stack_id, resources, _ids = self.stack(['web1'])
        good = {'plan_name': 'web', 'stack_id': stack_id,
                'resources': resources}
        bad = [
            # (what is wrong, the field the error names)
            (dict(good, plan_name=''), 'plan_name'),
            (dict(good, stack_id='two words'), 'stack_id'),
            ({'plan_name': 'web', 'stack_id': stack_id}, 'resources'),
            (dict(good, resources={'x': {'name': 'web1'}}), 'type'),
            (dict(good, resources={'x': {'type': base.SERVER,
                                         'flavor': CONF.valet.flavor}}),
             'flavor'),
            (dict(good, locations=[]), 'locations'),
            (dict(good, extra='field'), 'extra'),
        ]
        for document, field in bad:
            exc = self.assertRaises(lib_exc.BadRequest,
                                    self.member.plans.create_plan_raw,
                                    document)
            self.assertError(exc, 400, 'valet.invalid', [field])
        exc = self.assertRaises(lib_exc.BadRequest,
                                self.member.plans.create_plan_raw,
                                '{"plan_name": ')
        self.assertError(exc, 400)
        # Nothing was stored.
        self.assertEqual([], self.member.plans.list_plans(
            stack_id=stack_id)['plans'])

    @decorators.attr(type=['negative'])
    @decorators.idempotent_id('b0d7e29e-107f-4838-ab4d-bd71617e88c7')
    def test_create_plan_unknown_flavor(self):
        stack_id, resources, ids = self.stack(['web1'])
        resources[ids['web1']]['properties']['flavor'] = 'no-such-flavor'
        exc = self.assertRaises(lib_exc.BadRequest,
                                self.member.plans.create_plan,
                                self.plan_name(), stack_id, resources)
        self.assertError(exc, 400, detail_has=['no-such-flavor'])

    @decorators.attr(type=['negative'])
    @decorators.idempotent_id('8f51fe4e-85a4-4b60-93f7-24d39602ebe5')
    def test_create_plan_malformed_group_rule(self):
        stack_id, resources, _ids = self.stack(['b1'])
        resources[self.new_id()] = self.assignment(
            'bad', 'friendship', 'host', ['b1'])
        exc = self.assertRaises(lib_exc.BadRequest,
                                self.member.plans.create_plan,
                                self.plan_name(), stack_id, resources)
        self.assertError(exc, 400, 'valet.invalid', ['friendship'])

    @decorators.attr(type=['negative'])
    @decorators.idempotent_id('b6311f85-7c63-454f-a99f-8712897fbb10')
    def test_create_plan_stack_has_a_plan(self):
        plan, _ids = self.create_plan(names=('web1',))
        _stack_id, resources, _ids = self.stack(['web2'])
        exc = self.assertRaises(lib_exc.Conflict,
                                self.member.plans.create_plan,
                                self.plan_name(), plan['stack_id'],
                                resources)
        self.assertError(exc, 409, 'valet.plan.duplicate_stack',
                         [plan['stack_id']])

    @decorators.attr(type=['negative'])
    @decorators.idempotent_id('b8967758-4f83-43d4-a616-4d082594dae5')
    def test_create_plan_server_has_a_plan(self):
        stack_id, resources, _ids = self.stack(['web1'])
        self.create_plan(resources=resources, stack_id=stack_id)
        exc = self.assertRaises(lib_exc.Conflict,
                                self.member.plans.create_plan,
                                self.plan_name(), self.new_id(), resources)
        self.assertError(exc, 409, 'valet.plan.duplicate_server')

    @decorators.attr(type=['negative'])
    @decorators.idempotent_id('a827edd6-53da-4a33-9015-ee8cc7a31c58')
    def test_create_plan_no_placement(self):
        # One server more than there are hosts, on different hosts.
        hosts = CONF.valet.hosts
        names = ['d%d' % index for index in range(len(hosts) + 1)]
        stack_id, resources, _ids = self.stack(
            names, rule=('diversity', 'host'))
        exc = self.assertRaises(lib_exc.Conflict,
                                self.member.plans.create_plan,
                                self.plan_name(), stack_id, resources,
                                locations=hosts)
        error = self.assertError(exc, 409, 'valet.plan.no_placement',
                                 ['diversity'])
        self.assertRegex(error['detail'], r'excluded \d+ host')
        self.assertEqual([], self.member.plans.list_plans(
            stack_id=stack_id)['plans'])

    @decorators.attr(type=['negative'])
    @decorators.idempotent_id('ac6291ef-1b63-49fa-8e84-4d489629163f')
    def test_create_plan_unknown_group(self):
        name = self.group_name()
        stack_id, resources, _ids = self.stack(['u1'])
        resources[self.new_id()] = self.assignment(
            'u-excl', 'exclusivity', 'host', ['u1'], group_name=name)
        exc = self.assertRaises(lib_exc.NotFound,
                                self.member.plans.create_plan,
                                self.plan_name(), stack_id, resources)
        self.assertError(exc, 404, 'valet.group.not_found', [name])

    @decorators.attr(type=['negative'])
    @decorators.idempotent_id('84a976e2-1800-44bc-9d8c-b3b5413aadb9')
    def test_create_plan_not_a_group_member(self):
        group = self.create_group(group_type='exclusivity')
        self.admin.groups.add_members(group['id'], [self.admin.project_id])
        stack_id, resources, _ids = self.stack(['i1'],
                                               groups=[group['name']])
        exc = self.assertRaises(lib_exc.Forbidden,
                                self.member.plans.create_plan,
                                self.plan_name(), stack_id, resources)
        self.assertError(exc, 403, 'valet.group.not_member',
                         [self.member.project_id, group['name']])

    @decorators.attr(type=['negative'])
    @decorators.idempotent_id('807c2f43-9994-4983-9bfb-8cdc380b595c')
    def test_unknown_plan(self):
        unknown = self.new_id()
        for call, args in (
                (self.member.plans.show_plan, ()),
                (self.member.plans.update_plan, ({},)),
                (self.member.plans.migrate_server, (self.new_id(),)),
                (self.member.plans.delete_plan, ())):
            exc = self.assertRaises(lib_exc.NotFound, call, unknown, *args)
            self.assertError(exc, 404, 'valet.plan.not_found', [unknown])

    @decorators.attr(type=['negative'])
    @decorators.idempotent_id('a2adebcf-0277-448c-af22-bb3b8b1806e5')
    def test_update_plan_bad_bodies(self):
        plan, ids = self.create_plan(names=('web1',))
        server = ids['web1']
        bad = [
            ({'action': 'evacuate'}, 'action'),
            ({'resources': {}}, 'action'),
            ({'action': 'update'}, 'resources'),
            ({'action': 'update', 'resources': {},
              'original_resources': ['web1']}, 'original_resources'),
            ({'action': 'migrate', 'resources': [server, server]},
             'resources'),
            ({'action': 'migrate', 'resources': [server],
              'excluded_hosts': 'r01-h01'}, 'excluded_hosts'),
        ]
        for document, field in bad:
            exc = self.assertRaises(lib_exc.BadRequest,
                                    self.member.plans.update_plan_raw,
                                    plan['id'], document)
            self.assertError(exc, 400, 'valet.invalid', [field])
        self.assertEqual(plan,
                         self.member.plans.show_plan(plan['id'])['plan'])

    @decorators.attr(type=['negative'])
    @decorators.idempotent_id('d02db8b7-3f4c-49e0-a0fa-660f23ae0c67')
    def test_migrate_nowhere_to_go(self):
        plan, ids = self.create_plan(names=('web1',))
        exc = self.assertRaises(lib_exc.Conflict,
                                self.member.plans.migrate_server,
                                plan['id'], ids['web1'],
                                excluded_hosts=CONF.valet.hosts)
        self.assertError(exc, 409, 'valet.plan.no_placement')
        self.assertEqual(plan,
                         self.member.plans.show_plan(plan['id'])['plan'])

    @decorators.attr(type=['negative'])
    @decorators.idempotent_id('f114a928-8373-4c21-909e-5cbb21bc96d2')
    def test_list_plans_unknown_parameter(self):
        exc = self.assertRaises(lib_exc.BadRequest,
                                self.member.plans.list_plans,
                                project='other')
        self.assertError(exc, 400, detail_has=['project'])
