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

"""``openstack placement group ...`` and ``placement status``, for real."""

from http import server as http_server
import json
import threading

from valet.plugins import client as valet_client
from valet.tests.plugins import fixtures as plugin_fixtures
from valet.tests.plugins.osc import base


class TestGroups(base.OpenStackTestCase):
    """Groups and status; how the command line finds and calls Valet."""

    def test_create_list_show_set_delete(self):
        created = self.openstack(
            'placement', 'group', 'create', 'web-aff', '--type', 'affinity',
            '--level', 'rack', '--description', 'web tier', '-f', 'json')
        self.assertOk(created)
        group = created.json()
        self.assertEqual(
            {'name': 'web-aff', 'type': 'affinity', 'level': 'rack',
             'description': 'web tier', 'members': []},
            {k: group[k] for k in ('name', 'type', 'level', 'description',
                                   'members')})
        # What Valet stored, not what the command printed.
        self.assertEqual(group, self.running.client().get_group(group['id']))

        listed = self.openstack('placement', 'group', 'list', '-f', 'json')
        self.assertOk(listed)
        self.assertIn({'ID': group['id'], 'Name': 'web-aff',
                       'Type': 'affinity', 'Level': 'rack',
                       'Description': 'web tier', 'Members': []},
                      listed.json())

        shown = self.openstack('placement', 'group', 'show', 'web-aff',
                               '-f', 'value', '-c', 'id', '-c', 'level')
        self.assertOk(shown)
        self.assertEqual([group['id'], 'rack'], shown.stdout.split())

        changed = self.openstack('placement', 'group', 'set', group['id'],
                                 '--description', 'the web tier, one rack')
        self.assertOk(changed)
        self.assertEqual('', changed.stdout)
        self.assertEqual('the web tier, one rack', self.running.client(
        ).get_group(group['id'])['description'])

        self.assertOk(self.openstack('placement', 'group', 'delete',
                                     'web-aff'))
        gone = self.openstack('placement', 'group', 'show', group['id'])
        self.assertOneLine(gone, 1, "Group '%s' not found" % group['id'],
                           'HTTP 404', 'valet.group.not_found')

    def test_alias_spelling(self):
        created = self.openstack(
            'placement-group', 'create', 'alias-div', '--type', 'diversity',
            '--level', 'host', '-f', 'json')
        self.assertOk(created)
        group_id = created.json()['id']
        self.assertOk(self.openstack('placement-group', 'member', 'add',
                                     'alias-div', 'project-a'))
        shown = self.openstack('placement-group', 'show', group_id, '-f',
                               'json', '-c', 'name', '-c', 'members')
        self.assertOk(shown)
        self.assertEqual({'name': 'alias-div', 'members': ['project-a']},
                         shown.json())
        self.assertOk(self.openstack('placement-group', 'member', 'remove',
                                     'alias-div', '--all'))
        self.assertOk(self.openstack('placement-group', 'delete',
                                     group_id))
        error = self.assertRaises(valet_client.ValetError,
                                  self.running.client().get_group, group_id)
        self.assertEqual(404, error.status)

    def test_members(self):
        client = self.running.client()
        client.create_group('db-excl', 'exclusivity', 'host')
        self.assertOk(self.openstack('placement', 'group', 'member', 'add',
                                     'db-excl', 'project-a', 'project-b',
                                     'project-c'))
        listed = self.openstack('placement', 'group', 'member', 'list',
                                'db-excl', '-f', 'json')
        self.assertOk(listed)
        self.assertEqual([{'Project ID': 'project-a'},
                          {'Project ID': 'project-b'},
                          {'Project ID': 'project-c'}],
                         sorted(listed.json(),
                                key=lambda r: r['Project ID']))

        self.assertOk(self.openstack('placement', 'group', 'member',
                                     'remove', 'db-excl', 'project-b'))
        self.assertEqual(['project-a', 'project-c'],
                         sorted(client.get_group('db-excl')['members']))

        # Neither projects nor --all: refused before calling Valet.
        neither = self.openstack('placement', 'group', 'member', 'remove',
                                 'db-excl')
        self.assertOneLine(neither, 1, 'project id(s) to remove, or --all')
        self.assertEqual(['project-a', 'project-c'],
                         sorted(client.get_group('db-excl')['members']))

        self.assertOk(self.openstack('placement', 'group', 'member',
                                     'remove', 'db-excl', '--all'))
        self.assertEqual([], client.get_group('db-excl')['members'])

        unknown = self.openstack('placement', 'group', 'member', 'add',
                                 'no-such-group', 'project-a')
        self.assertOneLine(unknown, 1, "Group 'no-such-group' not found",
                           'HTTP 404', 'valet.group.not_found')

    def test_refusals_are_one_line(self):
        self.running.client().create_group('taken', 'diversity', 'rack')
        duplicate = self.openstack('placement', 'group', 'create', 'taken',
                                   '--type', 'diversity', '--level', 'rack')
        self.assertOneLine(duplicate, 1, "A group named 'taken' already "
                           "exists", 'HTTP 409', 'valet.group.duplicate_name')
        self.assertEqual('', duplicate.stdout)

        # A project member may read groups, not create them (policy).
        forbidden = self.openstack(
            'placement', 'group', 'create', 'mine', '--type', 'affinity',
            '--level', 'host', identity=base.MEMBER)
        self.assertOneLine(forbidden, 1, 'valet:groups:create', 'HTTP 403',
                           'valet.policy.not_authorized')

        # Several groups: each refusal on its line, then the count; the
        # others are deleted.
        client = self.running.client()
        client.create_group('spare', 'affinity', 'host')
        client.add_members('taken', ['project-a'])
        several = self.openstack('placement', 'group', 'delete', 'taken',
                                 'spare', 'never-made')
        self.assertEqual(1, several.code, several)
        self.assertEqual(3, len(several.errors), several)
        self.assertIn("Group taken: Valet refused: Group 'taken' cannot be "
                      "deleted", several.errors[0])
        self.assertIn('valet.group.in_use', several.errors[0])
        self.assertIn("Group never-made: Valet refused: Group 'never-made' "
                      "not found", several.errors[1])
        self.assertEqual('2 of 3 groups were not deleted', several.errors[2])
        self.assertEqual(['taken'], [g['name'] for g in client.list_groups()
                                     if g['name'] in ('taken', 'spare')])

        # Valet's own validation (the name), one line too.
        bad_name = self.openstack('placement', 'group', 'create', 'a b',
                                  '--type', 'affinity', '--level', 'host')
        self.assertOneLine(bad_name, 1, 'HTTP 400', 'name')

        # The command line's own checks: argparse's usage error, exit 2.
        bad_type = self.openstack('placement', 'group', 'create', 'x',
                                  '--type', 'togetherness', '--level',
                                  'host')
        self.assertEqual(2, bad_type.code, bad_type)
        self.assertIn("argument --type: invalid choice: 'togetherness'",
                      bad_type.stderr)
        self.assertNotIn('Traceback', bad_type.stderr)

    def test_status(self):
        status = self.openstack('placement', 'status', '-f', 'json')
        self.assertOk(status)
        self.assertEqual({'database': 'ok', 'engine': 'ok',
                          'engine_id': 'all-in-one', 'hosts': 16},
                         status.json())

    def test_os_environment_auth(self):
        # The same identity as OS_* variables, as an openrc sets them.
        user, project, roles = base.ADMIN
        listed = self.openstack(
            'placement', 'status', '-f', 'value', '-c', 'hosts', auth=False,
            env={'OS_AUTH_TYPE': 'valet-noauth',
                 'OS_ENDPOINT': self.running.url, 'OS_USER_ID': user,
                 'OS_PROJECT_ID': project, 'OS_ROLES': roles})
        self.assertOk(listed)
        self.assertEqual('16', listed.stdout.strip())

        # No endpoint anywhere: what to set, on one line.
        nowhere = self.openstack(
            'placement', 'status', auth=False,
            env={'OS_AUTH_TYPE': 'valet-noauth', 'OS_USER_ID': user,
                 'OS_ROLES': roles})
        self.assertOneLine(nowhere, 1, 'No Valet endpoint', '"valet"',
                           'interface public', '--os-valet-url')

    def test_valet_url_overrides_the_endpoint(self):
        dead = plugin_fixtures.unused_url()
        # --os-valet-url wins over the auth plugin's endpoint...
        status = self.openstack(
            '--os-valet-url', self.running.url, 'placement', 'status',
            '-f', 'value', '-c', 'engine', endpoint=dead)
        self.assertOk(status)
        self.assertEqual('ok', status.stdout.strip())
        # ...as OS_VALET_URL does; here it points where nothing listens.
        down = self.openstack('placement', 'status',
                              env={'OS_VALET_URL': dead})
        self.assertOneLine(down, 1, 'Valet is unavailable', dead[7:])
        # A Valet that never answers: the command gives up after
        # --os-valet-timeout-seconds, on one line.
        hung = self.useFixture(plugin_fixtures.HungServer())
        slow = self.openstack('--os-valet-timeout-seconds', '1', 'placement',
                              'group', 'list', env={'OS_VALET_URL': hung.url})
        self.assertOneLine(slow, 1, 'Valet is unavailable', 'timed out',
                           'no answer within 1 seconds')
        bad = self.openstack('--os-valet-timeout-seconds', '0',
                             'placement', 'status')
        self.assertEqual(2, bad.code, bad)
        self.assertIn('above 0', bad.stderr)


class _SickValet(http_server.BaseHTTPRequestHandler):
    """A Valet whose engine does not answer: ``GET /v1/status`` is 503."""

    def do_GET(self):
        body = json.dumps({'status': {
            'database': {'status': 'ok'},
            'engine': {'status': 'unavailable',
                       'detail': 'no engine answers'}}}).encode()
        self.send_response(503 if self.path == '/v1/status' else 404)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class TestStatusUnhealthy(base.OpenStackTestCase):
    """No Valet of the suite: a server that answers as a sick one."""

    start_valet = False

    def test_status_exits_1_with_the_reason(self):
        server = http_server.HTTPServer(('127.0.0.1', 0), _SickValet)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        self.addCleanup(thread.join)
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        url = 'http://127.0.0.1:%d' % server.server_address[1]
        status = self.openstack('placement', 'status', '-f', 'json',
                                endpoint=url)
        self.assertEqual((1, []), (status.code, status.errors), status)
        self.assertEqual({'database': 'ok',
                          'engine': 'unavailable (no engine answers)',
                          'engine_id': None, 'hosts': None}, status.json())
