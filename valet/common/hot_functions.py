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

"""Parameters and intrinsic functions of HOT templates, resolved offline.

The part of :mod:`valet.common.hot` that evaluates values: a template's
parameters (typed as Heat types them) and the functions whose result is
known before the stack exists (``get_param``, ``get_resource``,
``list_join``, ``str_replace``, ``str_split``, ``list_concat`` and the
condition functions). A function whose result only the running stack knows
(``get_attr``, ...) is an error, raised only when a property Valet reads
uses it: the evaluation is lazy, so an ``image`` nobody reads never
matters.
"""

import json

from valet.optimizer import exception

# Functions only a running stack (or a file Valet does not fetch) can
# answer, and the CloudFormation ones of the other template format.
UNRESOLVABLE = frozenset((
    'get_attr', 'get_file', 'resource_facade', 'digest', 'repeat',
    'map_merge', 'map_replace', 'yaql', 'filter', 'make_url', 'contains',
    'list_concat_unique', 'str_replace_vstrict', 'Fn::GetAtt', 'Ref',
    'Fn::Join', 'Fn::Select', 'Fn::Split', 'Fn::Replace', 'Fn::Base64',
    'Fn::MemberListToMap', 'Fn::GetAZs', 'Fn::ResourceFacade'))

# Pseudo parameters whose value is the running stack's.
PSEUDO_UNKNOWN = frozenset(('OS::stack_id', 'OS::project_id'))

_TRUE = frozenset(('1', 't', 'true', 'on', 'y', 'yes'))
_FALSE = frozenset(('0', 'f', 'false', 'off', 'n', 'no'))


class TemplateError(exception.EngineError):
    """A template, environment or parameter Valet cannot read.

    ``source`` is the file (or ``--parameter``), ``resource`` the qualified
    name of the resource (``PARENT.CHILD``, ``GROUP.INDEX``) and ``prop``
    the property; the last two may be None.
    """

    def __init__(self, source, resource, prop, reason):
        self.source = source
        self.resource = resource
        self.prop = prop
        self.reason = reason
        where = [str(source)]
        if resource is not None:
            where.append('resource %r' % (resource,))
        if prop is not None:
            where.append('property %r' % (prop,))
        super().__init__('%s: %s' % (', '.join(where), reason))


class Where(object):
    """Where a value is read: file, qualified resource and property.

    Errors of an evaluation are raised there.
    """

    __slots__ = ('source', 'resource', 'prop')

    def __init__(self, source, resource=None, prop=None):
        self.source = source
        self.resource = resource
        self.prop = prop

    def fail(self, reason):
        raise TemplateError(self.source, self.resource, self.prop, reason)


class Ref(object):
    """The result of ``get_resource``: a resource of a scope.

    Heat answers the resource's id; offline it stays a reference, which
    the loader turns into the qualified name (or the servers inside).
    """

    __slots__ = ('scope', 'name')

    def __init__(self, scope, name):
        self.scope = scope
        self.name = name

    @property
    def node(self):
        return self.scope.resources[self.name]


MISSING = object()


def _to_string(value):
    if isinstance(value, Ref):
        # A parent's get_resource handed down: it stays a reference.
        return value
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError('%r is not a string' % (value,))
    return value if isinstance(value, str) else str(value)


def _to_number(value):
    if isinstance(value, bool):
        raise ValueError('%r is not a number' % (value,))
    if isinstance(value, (int, float)):
        return value
    for number in (int, float):
        try:
            return number(value)
        except (TypeError, ValueError):
            pass
    raise ValueError('%r is not a number' % (value,))


def _to_list(value):
    if isinstance(value, list):
        return value
    if not isinstance(value, str):
        raise ValueError('%r is not a comma-delimited list' % (value,))
    return [item.strip() for item in value.split(',')] if value else []


def _to_json(value):
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise ValueError('not JSON: %s' % exc)
    if not isinstance(value, (dict, list)):
        raise ValueError('%r is not a JSON map or list' % (value,))
    return value


def _to_boolean(value):
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError('%r is not a boolean' % (value,))


CONVERTERS = {'string': _to_string, 'number': _to_number,
              'comma_delimited_list': _to_list, 'json': _to_json,
              'boolean': _to_boolean}
PARAMETER_TYPES = tuple(CONVERTERS)


def convert(ptype, value):
    """Return ``value`` as a parameter of type ``ptype``, as Heat reads it.

    :raises ValueError: with the reason when it is not of that type.
    """
    try:
        converter = CONVERTERS[ptype]
    except (KeyError, TypeError):
        raise ValueError('unknown parameter type %r' % (ptype,))
    return converter(value)


class Param(object):
    """One parameter of a template instance, resolved on first use.

    The value is a literal (a default, an environment's, a ``--parameter``)
    or the expression a parent resource gives as a property, evaluated in
    the parent's scope only when a property Valet reads needs it.
    """

    def __init__(self, name, ptype, value=MISSING, expr_scope=None,
                 expr_where=None, missing_reason=None):
        self.name = name
        self.type = ptype
        self._raw = value
        self._expr_scope = expr_scope
        self._expr_where = expr_where
        self._missing = missing_reason
        self._done = False
        self._value = None

    def value(self, where):
        """The converted value; errors are raised at ``where``."""
        if not self._done:
            raw = self._raw
            if raw is MISSING:
                where.fail('parameter %r has no value (%s)' % (
                    self.name, self._missing))
            if self._expr_scope is not None:
                raw = plain(resolve(raw, self._expr_scope,
                                    self._expr_where),
                            self._expr_where, keep_refs=True)
            try:
                self._value = convert(self.type, raw)
            except ValueError as exc:
                where.fail('parameter %r of type %s: %s' % (
                    self.name, self.type, exc))
            self._done = True
        return self._value


def plain(value, where, keep_refs=False):
    """``value`` with every :class:`Ref` as ``{"get_resource": name}``."""
    if isinstance(value, Ref):
        return value if keep_refs else {'get_resource':
                                        value.node.qualified}
    if isinstance(value, dict):
        return {k: plain(v, where, keep_refs) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v, where, keep_refs) for v in value]
    return value


def resolve(value, scope, where):
    """Evaluate the functions in ``value`` in ``scope``.

    ``scope`` is a template instance (see :class:`valet.common.hot.Scope`).
    """
    if isinstance(value, dict):
        if len(value) == 1:
            (key, arg), = value.items()
            function = FUNCTIONS.get(key)
            if function is not None:
                return function(arg, scope, where)
            if key in UNRESOLVABLE:
                where.fail('%s cannot be resolved before the stack exists'
                           % key)
        return {k: resolve(v, scope, where) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, scope, where) for v in value]
    return value


def _string(value, function, where):
    if isinstance(value, Ref):
        where.fail('%s of get_resource %r: the id exists only once the '
                   'stack does' % (function, value.name))
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        where.fail('%s expects strings, not %r' % (function, value))
    return str(value)


def get_param(arg, scope, where):
    """``{get_param: NAME}`` or ``{get_param: [NAME, KEY or INDEX, ...]}``.
    """
    path = arg if isinstance(arg, list) else [arg]
    if not path or not isinstance(path[0], str):
        where.fail('get_param needs a parameter name, not %r' % (arg,))
    name = path[0]
    if name == 'OS::stack_name':
        value = scope.stack_name
    elif name in PSEUDO_UNKNOWN:
        where.fail('get_param %s: known only once the stack exists' % name)
    elif name not in scope.params:
        where.fail('get_param: %s declares no parameter %r'
                   % (scope.path, name))
    else:
        value = scope.params[name].value(where)
    for step in path[1:]:
        step = resolve(step, scope, where)
        try:
            if isinstance(value, list):
                value = value[int(step)]
            elif isinstance(value, dict):
                value = value[step]
            else:
                raise KeyError(step)
        except (KeyError, IndexError, TypeError, ValueError):
            where.fail('get_param %r: no %r in the value of %r'
                       % (arg, step, name))
    return value


def get_resource(arg, scope, where):
    """``{get_resource: NAME}``: a :class:`Ref` to a resource of scope."""
    if not isinstance(arg, str) or arg not in scope.resources:
        where.fail('get_resource: %s has no resource %r'
                   % (scope.path, arg))
    return Ref(scope, arg)


def list_join(arg, scope, where):
    """``{list_join: [DELIMITER, [STRINGS], [STRINGS]...]}``."""
    arg = resolve(arg, scope, where)
    if not isinstance(arg, list) or len(arg) < 2:
        where.fail('list_join expects [delimiter, list, ...]')
    delimiter = _string(arg[0], 'list_join', where)
    items = []
    for part in arg[1:]:
        if not isinstance(part, list):
            where.fail('list_join expects lists, not %r' % (part,))
        items.extend(_string(item, 'list_join', where) for item in part)
    return delimiter.join(items)


def str_replace(arg, scope, where):
    """``{str_replace: {template: TEXT, params: {KEY: VALUE}}}``."""
    arg = resolve(arg, scope, where)
    if not isinstance(arg, dict) or 'template' not in arg:
        where.fail('str_replace expects {template: ..., params: {...}}')
    text = _string(arg['template'], 'str_replace', where)
    params = arg.get('params') or {}
    if not isinstance(params, dict):
        where.fail('str_replace params must be a mapping')
    # Longest keys first, as Heat does, so that one key inside another
    # does not replace part of it.
    for key in sorted(params, key=lambda k: (-len(str(k)), str(k))):
        text = text.replace(str(key), _string(params[key], 'str_replace',
                                              where))
    return text


def str_split(arg, scope, where):
    """``{str_split: [DELIMITER, STRING, INDEX?]}``."""
    arg = resolve(arg, scope, where)
    if not isinstance(arg, list) or len(arg) not in (2, 3):
        where.fail('str_split expects [delimiter, string, index?]')
    parts = _string(arg[1], 'str_split', where).split(
        _string(arg[0], 'str_split', where))
    if len(arg) == 2:
        return parts
    try:
        return parts[int(arg[2])]
    except (IndexError, ValueError):
        where.fail('str_split: no item %r' % (arg[2],))


def list_concat(arg, scope, where):
    """``{list_concat: [LIST, LIST, ...]}``."""
    arg = resolve(arg, scope, where)
    if not isinstance(arg, list) or not all(isinstance(a, list)
                                            for a in arg):
        where.fail('list_concat expects a list of lists')
    return [item for part in arg for item in part]


def condition(value, scope, where):
    """Evaluate a condition to True or False.

    A condition is a boolean, a name of the template's ``conditions`` or a
    condition function (``equals``, ``not``, ``and``, ``or``).
    """
    if isinstance(value, str) and value in scope.conditions:
        if value in scope.evaluating:
            where.fail('condition %r refers to itself' % value)
        scope.evaluating.add(value)
        try:
            return condition(scope.conditions[value], scope, where)
        finally:
            scope.evaluating.discard(value)
    value = resolve(value, scope, where)
    if not isinstance(value, bool):
        where.fail('condition %r is not true or false' % (value,))
    return value


def _equals(arg, scope, where):
    arg = resolve(arg, scope, where)
    if not isinstance(arg, list) or len(arg) != 2:
        where.fail('equals expects [value, value]')
    return arg[0] == arg[1]


def _not(arg, scope, where):
    return not condition(arg, scope, where)


def _and(arg, scope, where):
    if not isinstance(arg, list):
        where.fail('and expects a list of conditions')
    return all([condition(a, scope, where) for a in arg])


def _or(arg, scope, where):
    if not isinstance(arg, list):
        where.fail('or expects a list of conditions')
    return any([condition(a, scope, where) for a in arg])


def _if(arg, scope, where):
    if not isinstance(arg, list) or len(arg) != 3:
        where.fail('if expects [condition, value if true, value if false]')
    chosen = arg[1] if condition(arg[0], scope, where) else arg[2]
    return resolve(chosen, scope, where)


FUNCTIONS = {
    'get_param': get_param,
    'get_resource': get_resource,
    'list_join': list_join,
    'str_replace': str_replace,
    'str_replace_strict': str_replace,
    'str_split': str_split,
    'list_concat': list_concat,
    'equals': _equals,
    'not': _not,
    'and': _and,
    'or': _or,
    'if': _if,
}
