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

"""Hypothesis strategies of the API fuzz suite (test_fuzz).

:func:`from_schema` draws documents that a JSON Schema of
``valet.api.schemas`` accepts (the subset of JSON Schema those schemas
use; hypothesis-jsonschema does not work with the hypothesis in use).
:func:`hostile_body` draws the raw bytes of bodies meant to hurt: wrong
types, huge strings and arrays, deep nesting, unknown keys, bad UTF-8,
huge numbers, truncated or non-JSON text. The big ones are built from a
few drawn numbers, not drawn byte by byte, so that a run stays fast.
Also here: the personas and odd headers requests are sent with, realistic
bodies that reach the engine (:data:`REALISTIC`), and the requests of
issue #8's report (:func:`known_hostile`).
"""

import json
import re

from hypothesis import strategies as st

from valet.api import openapi

# The generic ends of the schemas' patterns ("nothing follows"); the
# regex strategy is told to match the whole string instead.
_NOTHING_FOLLOWS = '(?![\\s\\S])'

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(max_size=20),
    st.floats(allow_nan=False, allow_infinity=False))
JSON_VALUES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(max_size=10), children, max_size=4)),
    max_leaves=12)

# Raw JSON texts that Python's parser takes but no schema wants: numbers
# past any column type, past float, and past the int parsing limit.
HUGE_NUMBERS = ['1' * 5000, '1e999', '-1e400', '18446744073709551617',
                'NaN', 'Infinity', '-0', '1' * 300 + '.5e-400']


def _pattern(schema):
    pattern = schema['pattern']
    core = pattern[1:] if pattern.startswith('^') else pattern
    if core.endswith(_NOTHING_FOLLOWS):
        core = core[:-len(_NOTHING_FOLLOWS)]
    compiled = re.compile(pattern)
    # from_regex may draw long strings; the schema's own regex decides.
    return st.from_regex(core, fullmatch=True).filter(
        lambda text: compiled.search(text) is not None)


def from_schema(schema):
    """A strategy of documents valid for schema (valet's subset)."""
    if 'const' in schema:
        return st.just(schema['const'])
    if 'enum' in schema:
        return st.sampled_from(schema['enum'])
    if 'oneOf' in schema:
        return st.one_of([from_schema(one) for one in schema['oneOf']])
    kind = schema.get('type')
    if isinstance(kind, list):
        return st.one_of([from_schema(dict(schema, type=one))
                          for one in kind])
    if kind == 'null':
        return st.none()
    if kind == 'string':
        if 'pattern' in schema:
            return _pattern(schema)
        return st.text(min_size=schema.get('minLength', 0),
                       max_size=min(schema.get('maxLength', 40), 40))
    if kind == 'array':
        low = schema.get('minItems', 0)
        return st.lists(from_schema(schema.get('items', {})),
                        min_size=low,
                        max_size=min(schema.get('maxItems', 4), 4),
                        unique=schema.get('uniqueItems', False))
    if kind == 'object':
        return _object(schema)
    return JSON_VALUES


def _object(schema):
    properties = schema.get('properties', {})
    required = set(schema.get('required', ()))
    fixed = {name: from_schema(sub) for name, sub in properties.items()
             if name in required}
    optional = {name: from_schema(sub) for name, sub in properties.items()
                if name not in required}
    strategy = st.fixed_dictionaries(fixed, optional=optional)
    extra = schema.get('additionalProperties', True)
    if extra is False:
        return strategy
    names = (from_schema(schema['propertyNames'])
             if 'propertyNames' in schema else st.text(max_size=10))
    values = JSON_VALUES if extra is True else from_schema(extra)
    more = st.dictionaries(names, values, max_size=3)
    return st.tuples(strategy, more).map(
        lambda pair: dict(pair[1], **pair[0]))


def _dump(document):
    return json.dumps(document, ensure_ascii=False).encode('utf-8')


def _fields(schema):
    fields = sorted(schema.get('properties', {})) if schema else []
    return fields or ['members']


def hostile_body(schema):
    """A strategy of (kind, body bytes) meant to hurt a handler."""
    valid = from_schema(schema) if schema else JSON_VALUES
    field = st.sampled_from(_fields(schema))
    return st.one_of(
        valid.map(lambda doc: ('valid', _dump(doc))),
        st.tuples(valid, st.dictionaries(
            st.text(min_size=1, max_size=10), JSON_VALUES, min_size=1,
            max_size=3)).map(lambda pair: (
                'unknown keys', _dump(dict(pair[1], **pair[0]))
                if isinstance(pair[0], dict) else _dump(pair[1]))),
        st.dictionaries(field, JSON_VALUES, min_size=1).map(
            lambda doc: ('wrong types', _dump(doc))),
        st.tuples(field, st.sampled_from([10 ** 4, 10 ** 5, 9 * 10 ** 5]),
                  st.sampled_from(['x', '\u00e9', '\U0001f600', ' '])).map(
            lambda args: ('huge string', _dump(
                {args[0]: args[2] * (args[1] // len(args[2].encode()))}))),
        st.tuples(field, st.sampled_from([1000, 50000, 300000]),
                  st.sampled_from(['1', '"a"', '[]', 'null'])).map(
            lambda args: ('huge array', (
                '{"%s": [%s]}' % (args[0], ', '.join([args[2]] * args[1]))
            ).encode())),
        st.tuples(field, st.sampled_from([64, 250, 1000, 100000]),
                  st.sampled_from(['[]', '{"a":}'])).map(
            lambda args: ('deep nesting', _deep(*args))),
        st.tuples(valid, st.sampled_from(
            [b'\xff', b'\xc3\x28', b'\xed\xa0\x80', b'\xf4\x90\x80\x80',
             b'\x00'])).map(lambda pair: ('bad utf-8', _spoil(*pair))),
        st.tuples(field, st.sampled_from(HUGE_NUMBERS)).map(
            lambda pair: ('huge number',
                          ('{"%s": %s}' % pair).encode())),
        st.binary(max_size=64).map(lambda raw: ('not json', raw)),
        st.sampled_from([b'', b'[]', b'"x"', b'1', b'null', b'{',
                         b'{"a": 1,}', b'\xef\xbb\xbf{}']).map(
            lambda raw: ('odd json', raw)),
    )


def _deep(field, depth, kind):
    if kind == '[]':
        inner = '[' * depth + ']' * depth
    else:
        inner = '{"a":' * depth + '1' + '}' * depth
    return ('{"%s": %s}' % (field, inner)).encode()


def _spoil(document, raw):
    """The JSON text of document with raw bytes inside a string."""
    text = _dump(document)
    at = text.find(b'"')
    if at < 0:
        return b'{"' + raw + b'": 1}'
    return text[:at + 1] + raw + text[at + 1:]


UNRESERVED = st.from_regex('[A-Za-z0-9._~-]{1,40}', fullmatch=True)

#: Path items meant to hurt (already percent-encoded where needed).
HOSTILE_PATH_ITEMS = st.one_of(
    UNRESERVED,
    st.sampled_from(['%FF', '%C3%28', '%00', '%2F', '..', '%20', 'a%20',
                     '%25', 'x' * 5000, '%E2%80%AE', 'caf%C3%A9']),
    st.text(max_size=20).map(
        lambda text: ''.join('%%%02X' % b for b in text.encode())))

#: Raw query strings meant to hurt.
HOSTILE_QUERIES = st.one_of(
    st.sampled_from(['name=a&name=b', 'a=%FF', '%FF=1', 'name=%00',
                     'x=' + 'y' * 20000, '=', '&&&', 'name',
                     'state=' + '%E2%80%AE' * 10, 'a[]=1&a[]=2']),
    st.dictionaries(st.text(min_size=1, max_size=10),
                    st.text(max_size=20), max_size=3).map(
        lambda query: '&'.join(
            '%s=%s' % (''.join('%%%02X' % b for b in k.encode()),
                       ''.join('%%%02X' % b for b in v.encode()))
            for k, v in query.items())))


ADMIN = {'X-User-Id': 'fuzz-admin', 'X-Project-Id': 'project-a',
         'X-Roles': 'admin,member,reader'}
SERVICE = {'X-User-Id': 'nova', 'X-Project-Id': 'service',
           'X-Roles': 'service'}
STRANGER = {'X-User-Id': 'someone', 'X-Project-Id': 'project-c',
            'X-Roles': 'reader'}
PERSONAS = st.sampled_from([ADMIN, ADMIN, ADMIN, SERVICE, STRANGER, {}])

HOSTS = ['r01-h01', 'r02-h02', 'r03-h03', 'r04-h04']
SEED_GROUP = 'fuzz-group'
SEED_STACK = 'fuzz-stack'
SEED_SERVER = SEED_STACK + '-web1'

HEADERS = st.one_of(
    st.just({}),
    st.sampled_from([
        {'Content-Type': 'text/plain'},
        {'Content-Type': 'application/json; charset=latin-1'},
        {'Accept': 'text/html'},
        {'Accept': 'application/json;q=0, */*;q=0'},
        {'OpenStack-API-Version': 'valet 99.0'},
        {'OpenStack-API-Version': 'valet latest'},
        {'OpenStack-API-Version': 'valet 1.x'},
        {'OpenStack-API-Version': 'garbage'},
        {'Content-Length': 'short'},
    ]))


def plan_body(stack_id, servers=1):
    """A plan of servers on the sample data center, with a rule."""
    names = ['web%d' % n for n in range(1, servers + 1)]
    resources = {
        '%s-%s' % (stack_id, name): {
            'name': name, 'type': 'OS::Nova::Server',
            'properties': {'flavor': 'm1.small', 'image': 'cirros'},
            'metadata': {'heat_root_stack_id': stack_id,
                         'heat_resource_name': name}}
        for name in names}
    resources[stack_id + '-tier'] = {
        'name': 'tier', 'type': 'ATT::Valet::GroupAssignment',
        'properties': {'group_type': 'diversity', 'level': 'host',
                       'resources': names}}
    return {'plan_name': stack_id, 'stack_id': stack_id,
            'resources': resources}


# Bodies that reach the engine and the database, beside the drawn ones.
REALISTIC = {
    ('/v1/groups', 'POST'): st.builds(
        lambda name, kind: {'name': name, 'type': kind, 'level': 'host'},
        UNRESERVED,
        st.sampled_from(['affinity', 'diversity', 'exclusivity'])),
    ('/v1/groups/{group}/members', 'PUT'): st.just(
        {'members': ['project-a', 'project-b']}),
    ('/v1/plans', 'POST'): st.builds(plan_body, UNRESERVED,
                                     st.integers(1, 4)),
    ('/v1/plans/{plan_or_stack_id}', 'PUT'): st.one_of(
        st.builds(lambda n: dict(plan_body(SEED_STACK, n),
                                 action='update'), st.integers(1, 3)),
        st.sampled_from([HOSTS[:1], []]).map(
            lambda hosts: {'action': 'migrate', 'resources': [SEED_SERVER],
                           'excluded_hosts': hosts})),
    ('/v1/placements/{placement_or_orchestration_id}', 'POST'): st.builds(
        lambda hosts, action: {'locations': hosts, 'resource_id':
                               'server-' + hosts[0], 'action': action},
        st.lists(st.sampled_from(HOSTS), min_size=1, unique=True),
        st.sampled_from(['reserve', 'replan'])),
}


def known_hostile(template, method):
    """(path, query, kind, body, headers) of the requests issue #8 reports.

    A 1 MB list of numbers where project ids go, arrays nested 250 deep,
    a body shorter than its Content-Length, a 5,000 character path item,
    a 20,000 character query.
    """
    path = openapi._PARAMETER.sub(SEED_GROUP, template)
    found = [
        (path, '', 'huge array', (
            '{"members": [%s]}' % ', '.join(['1'] * 330000)).encode(),
         ADMIN),
        (path, '', 'deep nesting', (
            '{"members": %s}' % ('[' * 250 + ']' * 250)).encode(), ADMIN),
        (path, '', 'short body', b'{"members": ["project-a"]}',
         dict(ADMIN, **{'Content-Length': 'short'})),
        (path, 'name=' + 'y' * 20000, 'huge query', b'', ADMIN),
    ]
    if '{' in template:
        found.append((openapi._PARAMETER.sub('x' * 5000, template), '',
                      'huge path item', b'', ADMIN))
    return found
