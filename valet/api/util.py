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

import jsonschema
from oslo_serialization import jsonutils
import webob

from valet.api import errors

CONTEXT_ENVIRON = 'valet.context'


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
        return raw.encode('latin-1').decode('utf-8')
    except UnicodeError:
        raise errors.NotFound(
            'The resource could not be found: the path is not '
            'percent-encoded UTF-8.')


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


def _field(error):
    """The field an error is about ('members/1'), None for the object."""
    if error.validator in ('required', 'additionalProperties'):
        # These name the fields in their message already.
        return None
    return '/'.join(str(item) for item in error.absolute_path) or None


def _shown(value, limit=60):
    """repr(value), cut short: an error never echoes a huge input."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + '...'


def _message(error):
    field = _field(error)
    reason = error.message
    if error.validator == 'pattern' and 'description' in error.schema:
        # A regular expression is a poor explanation for a client.
        reason = '%s is not valid: %s' % (_shown(error.instance),
                                          error.schema['description'])
    elif error.validator == 'maxLength':
        reason = '%s is longer than %d characters' % (
            _shown(error.instance), error.validator_value)
    if field:
        return "Invalid input for field '%s': %s" % (field, reason)
    return 'Invalid input: %s' % reason


# One validator per schema (the schemas are module constants), keyed by
# id with the schema kept alive beside it.
_validators = {}


def _validator(schema):
    found = _validators.get(id(schema))
    if found is None or found[0] is not schema:
        found = (schema, jsonschema.Draft202012Validator(
            schema,
            format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER))
        _validators[id(schema)] = found
    return found[1]


def validate(document, schema, what='body'):
    """Validate document against a JSON Schema; 400 naming the field."""
    validator = _validator(schema)
    found = sorted(validator.iter_errors(document),
                   key=lambda error: list(error.absolute_path))
    if found:
        raise errors.BadRequest(
            'Invalid %s. %s' % (what, '; '.join(_message(e) for e in found)))
    return document


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
