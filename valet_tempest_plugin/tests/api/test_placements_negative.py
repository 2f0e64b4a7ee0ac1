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

"""Valet placements API: the calls that are refused, and why."""

from tempest import config
from tempest.lib import decorators
from tempest.lib import exceptions as lib_exc

from valet_tempest_plugin.tests import base

CONF = config.CONF


class PlacementsNegativeTest(base.BaseValetTest):
    """400, 404 and 409 answers of /v1/placements."""

    credentials = ['admin', 'primary', base.SERVICE]

    @decorators.attr(type=['negative'])
    @decorators.idempotent_id('a727414c-8fa0-4d00-841e-478d570dbdc8')
    def test_unknown_placement(self):
        unknown = self.new_id()
        placements = self.service.placements
        for call, args in (
                (placements.show_placement, ()),
                (placements.reserve_placement,
                 (CONF.valet.hosts, self.new_id())),
                (placements.delete_placement, ())):
            exc = self.assertRaises(lib_exc.NotFound, call, unknown, *args)
            self.assertError(exc, 404, 'valet.placement.not_found',
                             [unknown])

    @decorators.attr(type=['negative'])
    @decorators.idempotent_id('0085841d-9333-4271-a6c0-ca25ad9049e4')
    def test_reserve_bad_bodies(self):
        plan, ids = self.create_plan(names=('app1',))
        server = self.new_id()
        bad = [
            ({'locations': [], 'resource_id': server}, 'locations'),
            ({'locations': ['two words'], 'resource_id': server},
             'locations'),
            ({'locations': CONF.valet.hosts}, 'resource_id'),
            ({'resource_id': server}, 'locations'),
            ({'locations': CONF.valet.hosts, 'resource_id': server,
              'action': 'steal'}, 'action'),
        ]
        for document, field in bad:
            exc = self.assertRaises(
                lib_exc.BadRequest,
                self.service.placements.reserve_placement_raw,
                ids['app1'], document)
            self.assertError(exc, 400, 'valet.invalid', [field])
        self.assertFalse(self.service.placements.show_placement(
            ids['app1'])['placement']['reserved'])

    @decorators.attr(type=['negative'])
    @decorators.idempotent_id('450e065b-d49b-474d-b657-05ef709ec0d3')
    def test_list_bad_filters(self):
        for params, field in (({'reserved': 'maybe'}, 'reserved'),
                              ({'state': 'flying'}, 'state')):
            exc = self.assertRaises(
                lib_exc.BadRequest,
                self.service.placements.list_placements, **params)
            self.assertError(exc, 400, 'valet.invalid', [field])

    @decorators.attr(type=['negative'])
    @decorators.idempotent_id('b43e6bc6-b1fb-4fcc-a952-ffcf71ad5da9')
    def test_another_server_holds_it(self):
        plan, ids = self.create_plan(names=('app1',))
        holder = self.new_id()
        placement = self.service.placements.reserve_placement(
            ids['app1'], CONF.valet.hosts, holder)['placement']
        exc = self.assertRaises(
            lib_exc.Conflict, self.service.placements.reserve_placement,
            ids['app1'], [placement['location']], self.new_id())
        self.assertError(exc, 409, 'valet.placement.reserved', [holder])

    @decorators.attr(type=['negative'])
    @decorators.idempotent_id('708cde07-1ad0-4cc9-9169-f023fdebfc62')
    def test_no_host_among_the_locations(self):
        # app2 must share app1's host, which Nova no longer offers.
        plan, ids = self.create_plan(names=('app1', 'app2'),
                                     rule=('affinity', 'host'))
        first = self.service.placements.reserve_placement(
            ids['app1'], CONF.valet.hosts, self.new_id())['placement']
        others = [host for host in CONF.valet.hosts
                  if host != first['location']]
        exc = self.assertRaises(
            lib_exc.Conflict, self.service.placements.reserve_placement,
            ids['app2'], others, self.new_id())
        self.assertError(exc, 409, 'valet.plan.no_placement')
        refused = self.service.placements.show_placement(
            ids['app2'])['placement']
        self.assertFalse(refused['reserved'])
        self.assertEqual(first['location'], refused['location'])
