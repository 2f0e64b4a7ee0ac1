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

"""The standing fuzz suite of the API (issue #8).

Every operation of the OpenAPI description (valet.api.openapi, so every
route of the route table) gets a bounded hypothesis run of requests: bodies
and queries drawn from its JSON Schemas and hostile variants of them
(fuzz_strategies), path items that exist and that hurt, odd headers. The
requests go in-process to the whole WSGI application, with a real engine
on the same configuration and database, so that plans and placements are
reached. On SQLite and on MariaDB.

An answer fails the suite when it is a 5xx other than a documented 503,
an error without the API-WG body or the OpenStack-API-Version header, an
error body that quotes QUOTE_LIMIT bytes or more of the request or is
larger than ERROR_BODY_LIMIT, or when the request took more than CPU_LIMIT
seconds of CPU (time.process_time: the machine's load does not count).
Requests sent and statuses seen are printed to stderr when a class ends.
"""

import collections
import io
import sys
import time
from urllib import parse

from hypothesis import given
from hypothesis import HealthCheck
from hypothesis import Phase
from hypothesis import settings
from hypothesis import strategies as st
from oslo_serialization import jsonutils
import testtools
import webob

from valet.api import deploy
from valet.api import openapi
from valet.tests.fixtures import api as api_fixture
from valet.tests.fixtures import engine as engine_fixture
from valet.tests.functional.api import fuzz_strategies as fuzz

#: Examples per operation and backend: ~23 operations, two backends.
EXAMPLES = 25
#: CPU seconds one request may use (generous: a healthy one uses < 0.2).
CPU_LIMIT = 5.0
#: An error may quote the request, never this much of it in one piece.
QUOTE_LIMIT = 2048
#: Largest error body: a bounded number of bounded messages.
ERROR_BODY_LIMIT = 64 * 1024
VERSION_HEADER = 'OpenStack-API-Version'
#: The version header values of fuzz.HEADERS that ask for a version the
#: API does not serve.
UNSERVED = ('valet 99.0', 'valet 1.x')
ERROR_KEYS = {'status', 'code', 'title', 'detail', 'request_id'}
DOCUMENT = openapi.build()
#: Requests outside the route table: 404 and 405 answers.
UNROUTED = [('GET', '/v1/' + 'x' * 5000), ('GET', '/' + 'x' * 5000),
            ('PATCH', '/v1/groups'), ('TRACE', '/v1/status'),
            ('OPTIONS', '/v1/plans/' + 'x' * 5000)]


class Example(object):
    """One request: a short repr, for hypothesis's failure report."""

    def __init__(self, method, path, query, body, headers, kind):
        self.method, self.path, self.query = method, path, query
        self.body, self.headers, self.kind = body, headers, kind

    def __repr__(self):
        body = self.body[:200] + (b'...' if len(self.body) > 200 else b'')
        return ('%s %s?%s (%s, %d bytes) headers=%r body=%r' % (
            self.method, _cut(self.path), _cut(self.query), self.kind,
            len(self.body), self.headers, body))


def _cut(text, limit=120):
    if len(text) <= limit:
        return text
    return '%s...(%d characters)' % (text[:limit], len(text))


def _quoted(request_text, answer_text):
    """A piece of request_text found in answer_text, if it quotes a lot.

    None unless answer_text holds QUOTE_LIMIT bytes of request_text.

    A quote of QUOTE_LIMIT characters contains a whole aligned chunk of
    half that size, so looking for the aligned chunks is enough.
    """
    size = QUOTE_LIMIT // 2
    for start in range(0, len(request_text) - size + 1, size):
        chunk = request_text[start:start + size]
        if chunk in answer_text:
            return chunk
    return None


def _answer_text(answer):
    """The body as sent, and its error details as decoded from JSON."""
    text = answer.body.decode('utf-8', 'replace')
    try:
        document = jsonutils.loads(answer.body)
        details = [str(error.get('detail')) for error in document['errors']]
    except Exception:
        return text
    return text + ' '.join(details)


class _FuzzBase(object):
    """The suite; a backend's class mixes it with a TestCase."""

    backend = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sent = 0
        cls.statuses = collections.Counter()
        cls.kinds = collections.Counter()

    def setUp(self):
        # The database and the engine are the test's own, set up and torn
        # down with it: class-level ones patched the process's database
        # facade until the runner tore the class down, which it may do
        # only after the next suite (gabbi's) has installed its own.
        super().setUp()
        self.environment = self.useFixture(
            api_fixture._Environment(self.backend))
        self.engine = self.useFixture(
            engine_fixture.InProcessEngine(self.environment.conf))
        self.app = deploy.loadapp(self.environment.conf)

    @classmethod
    def tearDownClass(cls):
        sys.stderr.write('%s: %d requests sent; statuses %s; bodies %s\n' % (
            cls.__name__, cls.sent, dict(sorted(cls.statuses.items())),
            dict(sorted(cls.kinds.items()))))
        super().tearDownClass()

    def _call(self, method, path, body=None, headers=fuzz.ADMIN, query=''):
        req = webob.Request.blank(path, method=method)
        if query:
            req.environ['QUERY_STRING'] = query
        req.headers.update(headers)
        if body is not None:
            req.body = body
            req.content_type = 'application/json'
        return req.get_response(self.app)

    def _seed(self):
        """Make the resources the path items name exist (again)."""
        found = self._call('GET', '/v1/groups/' + fuzz.SEED_GROUP)
        if found.status_int == 404:
            self._call('POST', '/v1/groups', jsonutils.dump_as_bytes(
                {'name': fuzz.SEED_GROUP, 'type': 'diversity',
                 'level': 'host'}))
            found = self._call('GET', '/v1/groups/' + fuzz.SEED_GROUP)
        group = found.json['group']['id']
        found = self._call('GET', '/v1/plans/' + fuzz.SEED_STACK)
        if found.status_int == 404:
            answer = self._call('POST', '/v1/plans', jsonutils.dump_as_bytes(
                fuzz.plan_body(fuzz.SEED_STACK, 2)))
            self.assertEqual(201, answer.status_int, answer.body)
            found = self._call('GET', '/v1/plans/' + fuzz.SEED_STACK)
        plan = found.json['plan']['id']
        placement = self._call('GET', '/v1/placements/' + fuzz.SEED_SERVER)
        placement = (placement.json['placement']['id']
                     if placement.status_int == 200 else fuzz.SEED_SERVER)
        return {
            'group': [fuzz.SEED_GROUP, group, group.upper(),
                      fuzz.SEED_GROUP + '%20',
                      api_fixture.BUSY_GROUP],
            'project': ['project-a', api_fixture.BUSY_PROJECT, 'nobody'],
            'plan_or_stack_id': [fuzz.SEED_STACK, plan, plan.upper()],
            'placement_or_orchestration_id': [fuzz.SEED_SERVER, placement,
                                              placement.upper()],
        }

    def check(self, example, answer, cpu):
        """Every property the suite demands of one answer."""
        status = answer.status_int
        self.statuses[status] += 1
        self.kinds[example.kind] += 1
        # Outside the route table (404, 405) no 5xx is documented.
        documented = DOCUMENT['paths'].get(example.template, {}).get(
            example.method.lower(), {}).get('responses', {})
        self.assertFalse(status >= 500 and not (
            status == 503 and '503' in documented),
            'undocumented %d: %s to %r' % (status, answer.body[:2000],
                                           example))
        self.assertLessEqual(cpu, CPU_LIMIT,
                             'took %.1f s of CPU: %r' % (cpu, example))
        if status < 400:
            return
        self.assertLessEqual(len(answer.body), ERROR_BODY_LIMIT,
                             'an error body of %d bytes to %r'
                             % (len(answer.body), example))
        request_text = (example.path + '?' + example.query + ' ' +
                        example.body.decode('utf-8', 'replace'))
        quote = _quoted(request_text, _answer_text(answer))
        self.assertTrue(quote is None, 'a %d quotes %d+ bytes of the '
                        'request (%r...) to %r' % (
                            status, QUOTE_LIMIT // 2,
                            quote and quote[:80], example))
        # A request asking for a version not served gets no version
        # header (none applies), only Vary naming it; any other error
        # names its version.
        unserved = example.headers.get(VERSION_HEADER) in UNSERVED
        if (unserved or VERSION_HEADER not in answer.headers) and (
                VERSION_HEADER.lower() not in
                answer.headers.get('Vary', '').lower()):
            self.headerless.append('no Vary: %d to %r' % (status, example))
        if VERSION_HEADER not in answer.headers and not unserved:
            # Asserted once the run is over (see _fuzz_test), so that
            # this defect does not hide the others.
            self.headerless.append('%d to %r' % (status, example))
        if example.method == 'HEAD':
            return
        document = jsonutils.loads(answer.body)
        if example.template == '/v1/status' and status == 503:
            self.assertIn('status', document)
            return
        self.assertEqual(['errors'], list(document), answer.body[:2000])
        self.assertTrue(document['errors'], answer.body[:2000])
        for error in document['errors']:
            self.assertEqual(ERROR_KEYS, ERROR_KEYS & set(error),
                             answer.body[:2000])
            self.assertEqual(status, error['status'])

    def send(self, template, method, path, query, kind, body, headers):
        """Send one request and check its answer."""
        example = Example(method, path, query, body, headers, kind)
        example.template = template
        req = webob.Request.blank(path, method=method)
        req.environ['QUERY_STRING'] = query
        headers = dict(headers)
        if body:
            req.body = body
            req.content_type = 'application/json'
        short = headers.pop('Content-Length', None)
        req.headers.update(headers)
        if short:
            # A body shorter than its Content-Length (a client gone), read
            # from a stream as a server hands it over, not from a buffer
            # webob would trust.
            req.environ['wsgi.input'] = io.BytesIO(body)
            req.environ.pop('webob.is_body_seekable', None)
            req.environ['CONTENT_LENGTH'] = str(len(body) + 100)
        start = time.process_time()
        answer = req.get_response(self.app)
        cpu = time.process_time() - start
        type(self).sent += 1
        self.check(example, answer, cpu)

    def test_known_hostile_requests(self):
        """The requests of issue #8's report, on every operation."""
        self.headerless = []
        failures = []
        for template, item in sorted(DOCUMENT['paths'].items()):
            for method in sorted(item):
                for args in fuzz.known_hostile(template, method.upper()):
                    try:
                        self.send(template, method.upper(), *args)
                    except AssertionError as exc:
                        failures.append(str(exc)[:1000])
        for method, path in UNROUTED:
            try:
                self.send('(unrouted)', method, path, '', 'none', b'',
                          fuzz.ADMIN)
            except AssertionError as exc:
                failures.append(str(exc)[:1000])
        self.assertEqual([], failures)
        # TODO(issue #8 defect 7): see _fuzz_test.
        self.assertEqual([], self.headerless[:5],
                         '%d error answers without %s'
                         % (len(self.headerless), VERSION_HEADER))

    def fuzz(self, template, method, data):
        """Draw one request of (template, method), send it, check it."""
        items = self._seed() if '{' in template else {}
        path = template
        for name in openapi._PARAMETER.findall(template):
            item = data.draw(st.one_of(
                st.sampled_from(items[name]), fuzz.HOSTILE_PATH_ITEMS),
                label=name)
            path = path.replace('{%s}' % name, item)
        query_schema = openapi.query_schema(template, method)
        query = data.draw(st.one_of(
            st.just(''),
            fuzz.from_schema(query_schema or {'type': 'object'}).map(
                parse.urlencode),
            fuzz.HOSTILE_QUERIES), label='query')
        body_schema = openapi.OPERATIONS.get((template, method), {}).get(
            'body')
        strategies = [fuzz.hostile_body(body_schema)]
        realistic = fuzz.REALISTIC.get((template, method))
        if realistic is not None:
            # A third of the bodies reach the engine and the database.
            strategies += [realistic.map(
                lambda doc: ('realistic', jsonutils.dump_as_bytes(doc)))] * 2
        if body_schema is None:
            strategies.append(st.just(('none', b'')))
        kind, body = data.draw(st.sampled_from(strategies).flatmap(
            lambda strategy: strategy), label='body')
        headers = dict(data.draw(fuzz.PERSONAS, label='persona'))
        headers.update(data.draw(fuzz.HEADERS, label='headers'))
        self.send(template, method, path, query, kind, body, headers)


FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES, deadline=None, database=None,
    # Shrinking a failure would resend its big bodies many times; the
    # drawn sizes are few and readable as they are.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=list(HealthCheck), print_blob=True)


def _fuzz_test(template, method):
    @FUZZ_SETTINGS
    @given(data=st.data())
    def fuzz_requests(self, data):
        self.fuzz(template, method, data)

    def test(self):
        self.headerless = []
        fuzz_requests(self)
        # TODO(issue #8 defect 7): 401, 413 and 500 answers (and those of
        # a bad OpenStack-API-Version) lack the header; this assertion
        # fails until that defect is fixed.
        self.assertEqual([], self.headerless[:5],
                         '%d error answers without %s'
                         % (len(self.headerless), VERSION_HEADER))
    test.__doc__ = 'Fuzz %s %s.' % (method, template)
    return test


def _add_tests(cls):
    for path, item in sorted(DOCUMENT['paths'].items()):
        for method in sorted(item):
            name = 'test_%s_%s' % (method, path.strip('/').replace(
                '/', '_').replace('{', '').replace('}', '') or 'root')
            setattr(cls, name, _fuzz_test(path, method.upper()))
    return cls


@_add_tests
class FuzzSQLiteTest(_FuzzBase, testtools.TestCase):
    """Every operation on SQLite."""


@_add_tests
class FuzzMySQLTest(_FuzzBase, testtools.TestCase):
    """Every operation on MariaDB."""

    backend = 'mysql'
