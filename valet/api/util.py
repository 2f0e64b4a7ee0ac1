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

"""Helpers shared by the API handlers: JSON in and out, validation."""

import itertools

import jsonschema
from oslo_serialization import jsonutils
import webob

from valet.api import errors

CONTEXT_ENVIRON = 'valet.context'
#: Every id and name a path may hold is at most this long.
MAX_PATH_ITEM = 255


def context(req):
    """Return the RequestContext the context middleware put on req."""
    return req.environ[CONTEXT_ENVIRON]


def path_item(req, name):
    """Return a named item of the matched route, e.g. ``group``.

    The WSGI server hands the path over as bytes in a latin-1 string
    (PEP 3333); the item is returned decoded as UTF-8, as clients send it.
    """
    raw = req.environ['wsgiorg.routing_args'][1][name]
    try:
        item = raw.encode('latin-1').decode('utf-8')
    except UnicodeError:
        raise errors.NotFound(
            'The resource could not be found: the path is not '
            'percent-encoded UTF-8.')
    if len(item) > MAX_PATH_ITEM:
        # It names nothing, and the answer must not quote it whole.
        raise errors.NotFound(
            'The resource could not be found: %s is longer than %d '
            'characters.' % (_shown(item), MAX_PATH_ITEM))
    return item


def json_response(status, document):
    """Return a JSON webob Response."""
    return webob.Response(status=status, content_type='application/json',
                          charset=None,
                          body=jsonutils.dump_as_bytes(document))


def empty_response(status=204):
    """Return a bodiless response (204 and HEAD answers)."""
    response = webob.Response(status=status)
    # A 204 has no body and so no type.
    del response.content_type
    return response


#: Errors quoted in one answer: enough to fix a request, and an answer
#: that does not grow with a hostile body.
MAX_REPORTED_ERRORS = 5
#: Errors looked for in all. A huge document can hold hundreds of
#: thousands; past this bound they are neither found nor counted.
MAX_COUNTED_ERRORS = 100
#: Deepest nesting of arrays and objects in a validated document. Heat's
#: resource properties nest about a dozen levels; much deeper documents
#: are hostile, and would run validation and every recursive consumer
#: after it (messages, serialization) into Python's recursion limit.
MAX_DEPTH = 64
#: The longest quoted value and the longest reason.
_SHOWN = 60
_REASON = 200


def _cut(text, limit):
    """text, cut to limit characters ending with '...' when longer."""
    return text if len(text) <= limit else text[:limit - 3] + '...'


def _shown(value, limit=_SHOWN):
    """repr(value), cut short: an error never echoes a huge input."""
    try:
        return _cut(repr(value), limit)
    except RecursionError:
        return '[...]' if isinstance(value, list) else '{...}'


def _path(items, limit=4):
    """'members/0/1' of a path: its first few items, each cut short."""
    items = [_cut(str(item), _SHOWN) for item in items]
    if len(items) > limit:
        items = items[:limit] + ['...']
    return '/'.join(items)


def _too_deep(document):
    """The path of the first array or object nested too deep, else None.

    The walk keeps its own stack: it must not recurse either. Each entry
    links to its parent's path instead of copying it, so that the walk
    stays linear in the size of the document, however deep.
    """
    stack = [(document, 1, None)]
    while stack:
        value, depth, link = stack.pop()
        if isinstance(value, dict):
            children = value.items()
        elif isinstance(value, list):
            children = enumerate(value)
        else:
            continue
        if depth > MAX_DEPTH:
            path = []
            while link is not None:
                key, link = link
                path.append(key)
            return tuple(reversed(path))
        for key, child in children:
            if isinstance(child, (dict, list)):
                stack.append((child, depth + 1, (key, link)))
    return None


def _unique_key(item):
    """A hashable stand-in for item, equal where JSON values are equal.

    As jsonschema has it, 1 and 1.0 are equal, true and 1 are not.
    """
    if isinstance(item, bool) or item is None:
        return ('literal', item)
    if isinstance(item, (int, float)):
        return ('number', item)
    if isinstance(item, str):
        return ('string', item)
    return ('document', jsonutils.dumps(item, sort_keys=True))


def _unique_items(validator, unique, instance, schema):
    """uniqueItems in linear time.

    jsonschema's own check sorts the items and compares them recursively,
    and falls back to comparing every pair when they do not sort (mixed
    types): minutes of work for a list of a megabyte.
    """
    if not unique or not validator.is_type(instance, 'array'):
        return
    seen = set()
    for item in instance:
        key = _unique_key(item)
        if key in seen:
            yield jsonschema.ValidationError(
                '%s appears more than once' % _shown(item))
            return
        seen.add(key)


_ITEMS = jsonschema.Draft202012Validator.VALIDATORS['items']


def _items_within_max(validator, items, instance, schema):
    """items, skipped for a list longer than its maxItems.

    maxItems refuses such a list; looking at each of its items as well
    would only cost time in proportion to what the client sent.
    """
    limit = schema.get('maxItems')
    if (limit is not None and validator.is_type(instance, 'array') and
            len(instance) > limit):
        return
    yield from _ITEMS(validator, items, instance, schema)


_Validator = jsonschema.validators.extend(
    jsonschema.Draft202012Validator,
    {'uniqueItems': _unique_items, 'items': _items_within_max})


def _unexpected(error):
    """'x', 'y' and 3 more were unexpected (additionalProperties)."""
    known = error.schema.get('properties', {})
    extra = [name for name in error.instance if name not in known]
    names = ', '.join(_shown(name) for name in extra[:3])
    if len(extra) > 3:
        names += ' and %d more' % (len(extra) - 3)
    return 'Additional properties are not allowed (%s %s unexpected)' % (
        names, 'was' if len(extra) == 1 else 'were')


def _count(number, noun):
    """'1 item', '2 items', '3 properties'."""
    if number == 1:
        return '1 %s' % noun
    plural = noun[:-1] + 'ies' if noun.endswith('y') else noun + 's'
    return '%d %s' % (number, plural)


def _reason(error):
    """Why an error is one, in words that quote no more than _SHOWN.

    jsonschema's own messages repeat the whole offending value.
    """
    kind, value = error.validator, error.validator_value
    shown = _shown(error.instance)
    if kind == 'pattern' and 'description' in error.schema:
        # A regular expression is a poor explanation for a client.
        return '%s is not valid: %s' % (shown, error.schema['description'])
    if kind == 'type':
        types = value if isinstance(value, list) else [value]
        return '%s is not of type %s' % (
            shown, ', '.join(repr(name) for name in types))
    if kind == 'additionalProperties':
        return _unexpected(error)
    reasons = {
        'enum': lambda: '%s is not one of %r' % (shown, value),
        'const': lambda: '%r was expected' % (value,),
        'pattern': lambda: '%s does not match %r' % (shown, value),
        'minLength': lambda: '%s is shorter than %d characters' % (
            shown, value),
        'maxLength': lambda: '%s is longer than %d characters' % (
            shown, value),
        'minItems': lambda: 'the list has fewer than %s' % _count(
            value, 'item'),
        'maxItems': lambda: 'the list has more than %s' % _count(
            value, 'item'),
        'minProperties': lambda: 'the object has fewer than %s' % _count(
            value, 'property'),
        'maxProperties': lambda: 'the object has more than %s' % _count(
            value, 'property'),
    }
    if kind in reasons:
        return reasons[kind]()
    # required, uniqueItems (ours) and the rest: their messages quote the
    # schema or a value already cut short, but stay bounded all the same.
    return _cut(error.message, _REASON)


def _message(error):
    """One error, naming the field it is about (none for the body)."""
    reason = _reason(error)
    if error.absolute_path:
        # required and additionalProperties are about an object: the
        # field named is that object ('resources/o-1'), the body's own
        # fields are named in the reason.
        return "Invalid input for field '%s': %s" % (
            _path(error.absolute_path), reason)
    return 'Invalid input: %s' % reason


# One validator per schema (the schemas are module constants), keyed by
# id with the schema kept alive beside it.
_validators = {}


def _validator(schema):
    found = _validators.get(id(schema))
    if found is None or found[0] is not schema:
        found = (schema, _Validator(
            schema,
            format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER))
        _validators[id(schema)] = found
    return found[1]


def _sort_key(error):
    # Object keys and array indexes never meet at one position of a
    # path, but a bool before each keeps the comparison safe.
    return [(isinstance(item, str), item) for item in error.absolute_path]


def _errors(document, schema):
    """The first errors of document, sorted, and whether more were left."""
    iterator = _validator(schema).iter_errors(document)
    found = list(itertools.islice(iterator, MAX_COUNTED_ERRORS))
    more = next(iterator, None) is not None
    return sorted(found, key=_sort_key), more


def validate(document, schema, what='body'):
    """Validate document against a JSON Schema; 400 naming the field.

    The answer quotes at most MAX_REPORTED_ERRORS errors, each value in
    it cut short; no more than MAX_COUNTED_ERRORS are looked for.
    """
    deep = _too_deep(document)
    if deep is not None:
        raise errors.BadRequest(
            "Invalid %s. Invalid input for field '%s': arrays and objects "
            "are nested more than %d levels deep" % (
                what, _path(deep), MAX_DEPTH))
    try:
        found, more = _errors(document, schema)
    except RecursionError:
        # _too_deep bounds the nesting; this is the last line all the
        # same, for a schema that recurses more than ours do.
        raise errors.BadRequest('Invalid %s: it is nested too deeply to '
                                'be validated' % what)
    if not found:
        return document
    shown = found[:MAX_REPORTED_ERRORS]
    messages = [_message(error) for error in shown]
    left = len(found) - len(shown)
    if more:
        # The errors past MAX_COUNTED_ERRORS were never looked for.
        messages.append('and more than %d other errors' % left)
    elif left:
        messages.append('and %d more %s' % (
            left, 'error' if left == 1 else 'errors'))
    raise errors.BadRequest('Invalid %s. %s' % (what, '; '.join(messages)))


def parse_json(req):
    """Return the request body parsed as JSON; 400 when it is not JSON."""
    if not req.body:
        raise errors.BadRequest('This request needs a JSON body.')
    try:
        return jsonutils.loads(req.body)
    except ValueError as exc:
        raise errors.BadRequest('Malformed JSON body: %s' % exc,
                                code='valet.malformed_json')
    except RecursionError:
        # Thousands of nested arrays exhaust the parser's stack.
        raise errors.BadRequest('Malformed JSON body: nested too deeply',
                                code='valet.malformed_json')


def extract_json(req, schema):
    """Parse the request body as JSON and validate it against schema."""
    return validate(parse_json(req), schema)


def extract_query(req, schema):
    """Validate the query string (each name at most once) against schema."""
    try:
        params = req.GET.items()
    except UnicodeDecodeError:
        raise errors.BadRequest(
            'Invalid query string: it is not percent-encoded UTF-8')
    query = {}
    for name, value in params:
        if name in query:
            raise errors.BadRequest(
                "Invalid query string: parameter '%s' given more than once"
                % name)
        query[name] = value
    return validate(query, schema, what='query string')
