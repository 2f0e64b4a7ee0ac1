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

"""Hostile request bodies through the whole WSGI app (issue #8).

Each answer must be a small API-WG 400 naming the field: never a 500,
never an answer that grows with the request.
"""

import io

from oslo_serialization import jsonutils
import webob

from valet.api.schemas import groups as group_schema
from valet.api.schemas import plans as plan_schema
from valet.tests.unit.api import base
from valet.tests.unit.api import plan_fakes

#: Bytes an error answer may take whatever the request; a few errors of
#: at most a line each, and the API-WG envelope around them.
SMALL_ANSWER = 4096


def _nested(depth, leaf='p1'):
    """A list holding a list ... holding leaf, depth lists deep."""
    value = leaf
    for _ in range(depth):
        value = [value]
    return value


def _plan_body(resources):
    return {'plan_name': 'web-stack', 'stack_id': 'stack-1',
            'resources': resources}


class HostileBodyTest(base.APITestCase):

    def setUp(self):
        super().setUp()
        response = self.request('POST', '/v1/groups', body={
            'name': 'web', 'type': 'affinity', 'level': 'host'})
        self.assertEqual(201, response.status_int, response.body)
        self.group = '/v1/groups/%s' % response.json['group']['id']

    def assertSmall400(self, response, *fragments):
        error = self.assertError(response, 400)
        self.assertLess(len(response.body), SMALL_ANSWER)
        for fragment in fragments:
            self.assertIn(fragment, error['detail'])
        return error

    def test_a_megabyte_of_bad_members_is_a_small_400(self):
        # The body of the report: 1 MB of the same wrong member, within
        # the size limit, once answered with a 37.6 MB 400.
        count = (1024 * 1024 - 20) // 2
        raw = b'{"members": [' + b','.join([b'1'] * count) + b']}'
        self.assertLessEqual(len(raw), 1024 * 1024)
        response = self.request('PUT', self.group + '/members',
                                raw_body=raw)
        error = self.assertSmall400(response, "field 'members'")
        self.assertEqual('valet.invalid', error['code'])
        self.assertIn('more', error['detail'])

    def test_many_bad_members_report_a_few_errors(self):
        members = ['bad member %d' % i for i in range(50)]
        response = self.request('PUT', self.group + '/members',
                                body={'members': members})
        detail = self.assertSmall400(response, "field 'members/0'")[
            'detail']
        self.assertIn("field 'members/4'", detail)
        self.assertNotIn("field 'members/5'", detail)
        self.assertIn('and 45 more', detail)

    def test_quoted_values_are_cut_short(self):
        # Neither an enum nor a type error repeats a long value whole.
        for body in ({'name': 'web2', 'type': 'x' * 10000, 'level': 'host'},
                     {'name': ['x' * 10000], 'type': 'affinity',
                      'level': 'host'},
                     {'name': 'web2', 'type': 'affinity', 'level': 'host',
                      'x' * 10000: 1}):
            response = self.request('POST', '/v1/groups', body=body)
            detail = self.assertSmall400(response)['detail']
            self.assertLess(len(detail), 300, detail)
            self.assertIn('...', detail)

    def test_members_over_max_items(self):
        members = ['p%d' % i for i in range(group_schema.MAX_MEMBERS + 1)]
        self.flags(group='oslo_middleware',
                   max_request_body_size=8 * 1024 * 1024)
        response = self.request('PUT', self.group + '/members',
                                body={'members': members})
        self.assertSmall400(response, "field 'members'",
                            'more than %d items' % group_schema.MAX_MEMBERS)

    def test_deeply_nested_members_is_400(self):
        # About 1 KB: within the parser's reach, beyond validation's.
        for body in ({'members': [_nested(250)]},
                     {'members': [_nested(250), _nested(250)]},
                     {'members': _nested(250)}):
            raw = jsonutils.dump_as_bytes(body)
            response = self.request('PUT', self.group + '/members',
                                    raw_body=raw)
            self.assertSmall400(response, 'members')

    def test_deeply_nested_plan_resource_is_400(self):
        resources = {'o-1': {'type': 'OS::Nova::Server',
                             'properties': {'x': _nested(900)}},
                     'o-2': {'type': _nested(900)}}
        response = self.request('POST', '/v1/plans',
                                body=_plan_body(resources))
        self.assertSmall400(response, 'resources')

    def test_body_shorter_than_its_length_is_400(self):
        raw = jsonutils.dump_as_bytes(
            {'name': 'web3', 'type': 'affinity', 'level': 'host'})
        req = webob.Request.blank('/v1/groups', method='POST')
        req.headers['X-User-Id'] = base.ADMIN['user']
        req.headers['X-Project-Id'] = base.ADMIN['project']
        req.headers['X-Roles'] = base.ADMIN['roles']
        req.headers['Content-Type'] = 'application/json'
        # The client promised more than it sent, then closed.
        req.environ['wsgi.input'] = io.BytesIO(raw)
        req.environ['CONTENT_LENGTH'] = str(len(raw) + 100)
        response = req.get_response(self.app)
        error = self.assertSmall400(response, 'Content-Length')
        self.assertEqual('valet.invalid', error['code'])
        # Nothing was created from the partial body.
        self.assertEqual(404, self.request('GET', '/v1/groups/web3')
                         .status_int)

    def test_unexpected_key_in_a_resource_names_its_path(self):
        for resource, fragments in (
                ({'type': 'x', 'foo': 1},
                 ("field 'resources/o-1'", "'foo' was unexpected")),
                ({'name': 'web1'},
                 ("field 'resources/o-1'",
                  "'type' is a required property"))):
            response = self.request(
                'POST', '/v1/plans', body=_plan_body({'o-1': resource}))
            self.assertSmall400(response, *fragments)

    def test_top_level_unexpected_key_names_no_field(self):
        response = self.request('POST', '/v1/groups', body={
            'name': 'web4', 'type': 'affinity', 'level': 'host', 'foo': 1})
        detail = self.assertSmall400(response, "'foo' was unexpected")[
            'detail']
        self.assertNotIn("field '", detail)


class ListFieldsAreBoundedTest(base.APITestCase):
    """Every array in a request schema has a maxItems."""

    def _arrays(self, schema, path):
        if isinstance(schema, dict):
            if schema.get('type') == 'array' or 'items' in schema:
                yield path, schema
            for key, value in schema.items():
                yield from self._arrays(value, path + '/' + str(key))
        elif isinstance(schema, list):
            for index, value in enumerate(schema):
                yield from self._arrays(value, '%s/%d' % (path, index))

    def test_every_array_has_max_items(self):
        from valet.api.schemas import placements as placement_schema
        found = 0
        for module in (group_schema, plan_schema, placement_schema):
            for name in dir(module):
                value = getattr(module, name)
                if name.isupper() and isinstance(value, dict):
                    for path, array in self._arrays(value, name):
                        found += 1
                        self.assertIn('maxItems', array,
                                      '%s.%s' % (module.__name__, path))
        self.assertGreaterEqual(found, 4)

    def test_plan_locations_over_max_hosts(self):
        self.flags(group='oslo_middleware',
                   max_request_body_size=16 * 1024 * 1024)
        body = _plan_body(plan_fakes.resources('web1'))
        body['locations'] = ['h%d' % i
                             for i in range(plan_schema.MAX_HOSTS + 1)]
        response = self.request('POST', '/v1/plans', body=body)
        error = self.assertError(response, 400, 'valet.invalid')
        self.assertIn("field 'locations'", error['detail'])
        self.assertLess(len(response.body), SMALL_ANSWER)


class HugePathItemTest(base.APITestCase):

    def test_huge_path_item_is_a_small_404(self):
        huge = 'x' * 5000
        for method, path in (('GET', '/v1/groups/' + huge),
                             ('DELETE', '/v1/groups/web/members/' + huge),
                             ('GET', '/v1/plans/' + huge),
                             ('DELETE', '/v1/placements/' + huge)):
            response = self.request(method, path)
            error = self.assertError(response, 404, 'valet.not_found')
            self.assertLess(len(response.body), 1024, path[:20])
            self.assertIn("'xxxxxxxx", error['detail'])

    def test_longest_path_item_is_looked_up(self):
        response = self.request('GET', '/v1/groups/' + 'x' * 255)
        self.assertError(response, 404, 'valet.group.not_found')

    def test_huge_unrouted_path_is_a_small_404(self):
        for path in ('/' + 'x' * 5000, '/v1/' + 'x' * 5000):
            response = self.request('GET', path)
            error = self.assertError(response, 404, 'valet.not_found')
            self.assertLess(len(response.body), 1024, path[:20])
            self.assertIn(path[:50], error['detail'])
