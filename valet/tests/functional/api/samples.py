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

"""What the sample checks share: loading, comparing, an API to ask.

Every JSON sample under ``api-ref/source/samples`` is used by the sample
tests (``test_api_samples*.py``): request samples are sent as the bodies
of real requests to the in-process API, and each response sample is
compared with the real answer. The comparison is strict on shape (the same
keys, the same JSON types, lists of the same length) and on values, except
for what differs from one run to the next (UUIDs and request ids, masked)
and the human ``detail`` of errors, which clients must not parse.
"""

import os
import re

import fixtures
from oslo_serialization import jsonutils
import webob

from valet.api import deploy
from valet.common import messaging
from valet import policy
from valet.tests import base
from valet.tests.fixtures import api as api_fixtures
from valet.tests.fixtures import database
from valet.tests.fixtures import engine as engine_fixtures

SAMPLES_DIR = os.path.abspath(os.path.join(
    os.path.dirname(__file__), '..', '..', '..', '..',
    'api-ref', 'source', 'samples'))

# The host of every URL in the samples; requests are sent to it so that
# the links the API builds are the documented ones.
BASE_URL = 'http://valet.example.com'

# Project ids the samples use as group members: the fake Keystone knows
# them. UNKNOWN_PROJECTS are the ones of the "unknown projects" sample.
SAMPLE_PROJECTS = ('8a9f3c2b1e4d4f6a9b7c5d3e1f2a4b6c',
                   'd41e7b0c9a2f4e8b8c1d6a3f5e7b9c02')
UNKNOWN_PROJECTS = ('0000aaaa1111bbbb2222cccc3333dddd',
                    '4444eeee5555ffff6666aaaa7777bbbb')

# The engine the status sample describes: its host name, and a data center
# of ENGINE_RACKS racks of ENGINE_RACK_HOSTS hosts (1024 hosts).
ENGINE_HOST = 'engine-host-1'
ENGINE_RACKS = 32
ENGINE_RACK_HOSTS = 32

UUID_RE = re.compile(
    r'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')
REQUEST_ID_RE = re.compile(
    r'^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')

# Keys whose values are text for humans: only their type is compared.
FREE_TEXT_KEYS = frozenset(['detail'])


def load_sample(name):
    """Return the parsed JSON sample api-ref/source/samples/<name>."""
    with open(os.path.join(SAMPLES_DIR, name), 'rb') as sample:
        return jsonutils.load(sample)


def sample_names():
    """Return the relative paths of every JSON sample, sorted."""
    names = []
    for folder, _dirs, files in os.walk(SAMPLES_DIR):
        for name in files:
            if name.endswith('.json'):
                path = os.path.join(folder, name)
                names.append(os.path.relpath(path, SAMPLES_DIR))
    return sorted(names)


def _masked(value):
    if isinstance(value, str):
        if UUID_RE.match(value):
            return '<uuid>'
        if REQUEST_ID_RE.match(value):
            return '<request-id>'
    return value


def _json_type(value):
    # bool is an int in Python, not in JSON.
    for name, kinds in (('boolean', bool), ('integer', int),
                        ('number', float), ('string', str),
                        ('array', list), ('object', dict)):
        if isinstance(value, kinds):
            return name
    return 'null'


def differences(expected, actual, where='$'):
    """Return the differences of two JSON documents, as readable lines.

    Shapes must be equal (keys, JSON types, list lengths); values are
    compared after masking UUIDs and request ids, except under the keys
    of FREE_TEXT_KEYS, where only the type counts.
    """
    if _json_type(expected) != _json_type(actual):
        return ['%s: %s in the sample, %s in the response (%r)'
                % (where, _json_type(expected), _json_type(actual), actual)]
    if isinstance(expected, dict):
        found = []
        for key in sorted(set(expected) - set(actual)):
            found.append('%s: key %r missing from the response'
                         % (where, key))
        for key in sorted(set(actual) - set(expected)):
            found.append('%s: key %r not in the sample' % (where, key))
        for key in sorted(set(expected) & set(actual)):
            if key in FREE_TEXT_KEYS:
                if _json_type(expected[key]) != _json_type(actual[key]):
                    found.append('%s.%s: %s in the sample, %s in the response'
                                 % (where, key, _json_type(expected[key]),
                                    _json_type(actual[key])))
                continue
            found.extend(differences(expected[key], actual[key],
                                     '%s.%s' % (where, key)))
        return found
    if isinstance(expected, list):
        if len(expected) != len(actual):
            return ['%s: %d items in the sample, %d in the response'
                    % (where, len(expected), len(actual))]
        found = []
        for index, (left, right) in enumerate(zip(expected, actual)):
            found.extend(differences(left, right, '%s[%d]' % (where, index)))
        return found
    if _masked(expected) != _masked(actual):
        return ['%s: %r in the sample, %r in the response'
                % (where, expected, actual)]
    return []


def write_topology(path, racks, hosts_per_rack):
    """Write a static topology file of racks x hosts_per_rack hosts."""
    lines = ['name: samples-dc', 'flavors:',
             '  m1.small: {vcpus: 1, ram_mb: 2048, disk_gb: 20}', 'hosts:']
    for rack in range(1, racks + 1):
        for host in range(1, hosts_per_rack + 1):
            lines.append('  - {name: r%02d-h%02d, rack: r%02d, vcpus: 64, '
                         'ram_mb: 262144, disk_gb: 2000}'
                         % (rack, host, rack))
    with open(path, 'w') as topology:
        topology.write('\n'.join(lines) + '\n')


class SamplesTestCase(base.TestCase):
    """The API in-process (noauth), a fake Keystone, no engine yet."""

    def setUp(self):
        super().setUp()
        self.flags(group='api', auth_strategy='noauth',
                   noauth_verify_projects=True)
        self.flags(group='oslo_messaging_notifications', driver=['noop'])
        api_fixtures.configure_keystone(self.conf_fixture)
        keystone = self.useFixture(api_fixtures.FakeKeystone())
        for project_id in SAMPLE_PROJECTS:
            keystone.mocker.get(
                '%s/projects/%s' % (api_fixtures.KEYSTONE_URL, project_id),
                json={'project': {'id': project_id, 'name': project_id}})
        self.useFixture(database.Database())
        self.addCleanup(policy.reset, self.conf)
        # The API and an engine share one in-process bus (fake://), as in
        # an all-in-one process; without an engine, status fails fast.
        self.flags(group='api', status_engine_timeout=1)
        messaging.shared_rpc_transport(self.conf)
        self.addCleanup(messaging.cleanup_shared_rpc_transport, self.conf)
        self.app = deploy.loadapp(self.conf)

    def start_engine(self):
        """Run a real valet-engine service on the test's bus and database.

        Its data center has ENGINE_RACKS racks of ENGINE_RACK_HOSTS hosts
        (r01-h01 to r32-h32); the search is deterministic, so the hosts of
        the plan samples are those it chooses.
        """
        topology = os.path.join(
            self.useFixture(fixtures.TempDir()).path, 'topology.yaml')
        write_topology(topology, ENGINE_RACKS, ENGINE_RACK_HOSTS)
        self.useFixture(engine_fixtures.InProcessEngine(
            self.conf, topology=topology, host=ENGINE_HOST))

    def call(self, method, path, body=None, status=200, headers=None,
             version='valet 1.0', roles='admin,member,reader'):
        """Send one request (as an administrator); return the response.

        Every response must carry a request id and, unless ``version`` is
        None, the microversion that served it.
        """
        request = webob.Request.blank(BASE_URL + path, method=method)
        request.headers.update({
            'X-User-Id': 'some-user',
            'X-Project-Id': SAMPLE_PROJECTS[0],
            'X-Roles': roles,
            'Accept': 'application/json',
        })
        request.headers.update(headers or {})
        if body is not None:
            request.content_type = 'application/json'
            request.body = jsonutils.dump_as_bytes(body)
        response = request.get_response(self.app)
        self.assertEqual(status, response.status_int,
                         '%s %s: %s' % (method, path, response.text))
        self.assertRegex(response.headers.get('x-openstack-request-id', ''),
                         REQUEST_ID_RE)
        self.assertEqual(version,
                         response.headers.get('OpenStack-API-Version'))
        return response

    def assertMatchesSample(self, name, response):
        """Compare a response's JSON body with a response sample."""
        self.assertEqual('application/json', response.content_type)
        found = differences(load_sample(name), response.json)
        self.assertEqual([], found,
                         'The sample %s does not match the response:\n%s'
                         % (name, '\n'.join(found)))
