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

"""Reading the files of a Heat template tree: templates, environments.

Templates are parsed with python-heatclient's own YAML loader (dates stay
strings, as Heat reads them), environments with its parser (which refuses
unknown sections) and merged in order with its ``deep_update``, as the
Heat client does with its ``-e`` files. The template utilities that also
fetch nested templates are not used: they follow a template that includes
itself until Python's recursion limit, and their errors name a file URL,
not the resource that uses it; :mod:`valet.common.hot` reads nested
templates itself, when it meets them.
"""

import os
from urllib import parse

from heatclient.common import environment_format
from heatclient.common import template_format
from heatclient.common import template_utils
import yaml

from valet.common import documents
from valet.common import hot_functions as fn


def _read(path, where):
    try:
        with open(path, 'rb') as stream:
            return stream.read()
    except OSError as exc:
        where.fail('cannot read %s: %s' % (path, exc.strerror))


def read_template(path, where=None):
    """Parse the HOT template at ``path``.

    :param where: the resource that uses it as a nested template (its
        errors are raised there), or None for the top template, which
        may leave out ``heat_template_version``.
    """
    at = where or fn.Where(path)
    # A nested file is named in the message; the top one is the source.
    prefix = '%s: ' % path if where else ''
    text = _read(path, at)
    try:
        doc = documents.check(
            yaml.load(text, Loader=template_format.yaml_loader), text)
    except yaml.YAMLError as exc:
        at.fail('%snot valid YAML: %s' % (prefix, ' '.join(str(exc).split())))
    except documents.TooLarge as exc:
        at.fail('%s%s' % (prefix, exc))
    if not isinstance(doc, dict):
        at.fail('%s(top): must be a mapping (a HOT template)' % prefix)
    if 'AWSTemplateFormatVersion' in doc or 'HeatTemplateFormatVersion' in (
            doc):
        at.fail('%sonly HOT templates (heat_template_version) are read'
                % prefix)
    if where is not None and 'heat_template_version' not in doc:
        at.fail('%snot a HOT template (no heat_template_version)' % prefix)
    for section in ('resources', 'parameters'):
        if not isinstance(doc.get(section) or {}, dict):
            at.fail('%s%s: must be a mapping' % (prefix, section))
    return doc


def local_path(ref, base, where):
    """The file a template reference names, relative to ``base``."""
    if ref.startswith('file://'):
        return parse.unquote(parse.urlparse(ref).path)
    if '://' in ref:
        where.fail('template %s: only local files are read' % ref)
    return os.path.normpath(os.path.join(base, ref)) if base else ref


def _absolute_registry(registry, base, where):
    """``registry`` with every template file relative to base."""
    found = {}
    for key, value in registry.items():
        if key in ('hooks', 'restricted_actions', 'base_url'):
            continue
        if isinstance(value, dict):
            found[key] = _absolute_registry(value, base, where)
        elif isinstance(value, str) and '::' not in value and value:
            found[key] = local_path(value, base, where)
        else:
            found[key] = value
    return found


def read_environment(path):
    """Parse an environment file; its registry's files made absolute."""
    where = fn.Where(path)
    try:
        text = _read(path, where)
        env = documents.check(environment_format.parse(text), text)
    except ValueError as exc:
        # TooLarge is one.
        where.fail(' '.join(str(exc).split()))
    for section in ('parameters', 'parameter_defaults',
                    'resource_registry'):
        if not isinstance(env.get(section) or {}, dict):
            where.fail('%s: must be a mapping' % section)
    registry = env.get('resource_registry')
    if registry:
        # Relative to the environment file, as the Heat client resolves
        # them (or to the registry's base_url).
        base = registry.get('base_url') or os.path.dirname(path)
        env['resource_registry'] = _absolute_registry(
            registry, local_path(base, '', where), where)
    return env


def merge_environments(environments):
    """Merge parsed environments in order, a later one winning.

    Key by key, as the Heat client merges its ``-e`` files.

    :param environments: ``[(path, parsed environment)]``.
    """
    merged = {}
    for path, env in environments:
        try:
            merged = template_utils.deep_update(merged, env)
        except (AttributeError, TypeError):
            # A mapping of an earlier file is a scalar here, or the other
            # way round: deep_update cannot merge them.
            fn.Where(path).fail('cannot be merged with the environments '
                                'before it: a value is a mapping in one '
                                'and not in the other')
    return merged


def parse_parameters(items):
    """``{KEY: VALUE}`` of ``--parameter KEY=VALUE`` arguments."""
    found = {}
    for item in items:
        key, sep, value = item.partition('=')
        if not sep or not key.strip():
            raise fn.TemplateError(
                '--parameter', None, None,
                '%r is not of the form KEY=VALUE' % item)
        found[key.strip()] = value
    return found
