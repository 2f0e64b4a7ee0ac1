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

"""The ``static`` topology source: a YAML description of the data center.

Format (``[engine] topology_file``)::

    name: dc1
    defaults: {cpu_allocation_ratio: 16.0, ram_allocation_ratio: 1.5}
    flavors:
      m1.small: {vcpus: 1, ram_mb: 2048, disk_gb: 20}
    aggregates:
      fast: {hosts: [r01-h01], metadata: {ssd: "true"}}
    hosts:
      - {name: r01-h01, rack: r01, vcpus: 64, ram_mb: 262144, disk_gb: 2000,
         used: {vcpus: 8}, availability_zone: nova, enabled: true}

A flavor gives ``disk_gb`` or Nova's ``root_gb``/``ephemeral_gb``/``swap``
(MB). The "existing" file lists servers already running and the named
groups they belong to::

    servers:
      - {id: 6c1f, host: r01-h01, flavor: m1.small,
         groups: [{name: db-excl, type: exclusivity, level: host}]}
    groups:
      - {name: web-div, type: diversity, level: rack}
"""

import math

import yaml

from valet.common import documents
from valet.optimizer import exception
from valet.optimizer.model import datacenter as dc_model
from valet.topology import base

HOST_FIELDS = {'name', 'rack', 'vcpus', 'ram_mb', 'disk_gb', 'used',
               'availability_zone', 'enabled'} | set(dc_model.RATIO_KEYS)
FLAVOR_FIELDS = {'vcpus', 'ram_mb', 'disk_gb', 'root_gb', 'ephemeral_gb',
                 'swap', 'extra_specs'}
TOP_FIELDS = {'name', 'defaults', 'flavors', 'aggregates', 'hosts'}
SERVER_FIELDS = frozenset(('id', 'host', 'flavor', 'groups'))


# libyaml's parser when PyYAML was built with it: the pure-Python one takes
# seconds on the files of a data center of thousands of hosts.
SAFE_LOADER = getattr(yaml, 'CSafeLoader', yaml.SafeLoader)


def load_yaml(stream):
    """Parse one YAML document (a string or a file) with the safe loader.

    :raises valet.common.documents.TooLarge: a document whose aliases
        stand for too many values, or for a value containing itself.
    """
    if hasattr(stream, 'read'):
        stream = stream.read()
    return documents.check(yaml.load(stream, Loader=SAFE_LOADER), stream)


def read_yaml(path):
    """Load a YAML file; errors name the file."""
    try:
        with open(path, 'rb') as stream:
            return load_yaml(stream)
    except OSError as exc:
        raise exception.InvalidTopology(path, '(file)', exc.strerror)
    except yaml.YAMLError as exc:
        raise exception.InvalidTopology(path, '(file)',
                                        'not valid YAML: %s' % exc)
    except documents.TooLarge as exc:
        raise exception.InvalidTopology(path, '(file)', str(exc))


class _Reader(object):
    """Field checks that name the file and the field."""

    def __init__(self, source):
        self.source = source

    def fail(self, field, reason):
        raise exception.InvalidTopology(self.source, field, reason)

    def mapping(self, value, field, allowed=None, required=False):
        if value is None and not required:
            return {}
        if not isinstance(value, dict):
            self.fail(field, 'must be a mapping')
        # The subset test first: it is the common case, on every host and
        # every existing server of large files.
        if allowed is not None and not value.keys() <= allowed:
            unknown = sorted(value.keys() - allowed, key=str)
            self.fail('%s.%s' % (field, unknown[0]), 'unknown field')
        return value

    def number(self, value, field, required=True, default=0):
        if value is None:
            if required:
                self.fail(field, 'is required')
            return default
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(field, 'must be a number, not %r' % (value,))
        if not math.isfinite(value):
            # YAML's .nan and .inf: a NaN capacity silently made the host
            # unusable, an infinite one took every server.
            self.fail(field, 'must be a finite number, not %r' % (value,))
        if value < 0:
            self.fail(field, 'must not be negative')
        return value

    def string(self, value, field, required=True):
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value:
            self.fail(field, 'must be a non-empty string')
        return value


def _flavor(reader, name, spec):
    field = 'flavors.%s' % name
    spec = reader.mapping(spec, field, FLAVOR_FIELDS, required=True)
    vcpus = reader.number(spec.get('vcpus'), field + '.vcpus')
    ram = reader.number(spec.get('ram_mb'), field + '.ram_mb')
    extra = reader.mapping(spec.get('extra_specs'), field + '.extra_specs')
    if 'disk_gb' in spec:
        disk = reader.number(spec['disk_gb'], field + '.disk_gb')
        return dc_model.Flavor(name, vcpus, ram, disk, extra)
    return dc_model.Flavor.from_parts(
        name, vcpus, ram,
        reader.number(spec.get('root_gb'), field + '.root_gb', False),
        reader.number(spec.get('ephemeral_gb'), field + '.ephemeral_gb',
                      False),
        reader.number(spec.get('swap'), field + '.swap', False), extra)


def _host(reader, i, spec):
    field = 'hosts[%d]' % i
    spec = reader.mapping(spec, field, HOST_FIELDS, required=True)
    used = reader.mapping(spec.get('used'), field + '.used',
                          set(dc_model.RESOURCES))
    enabled = spec.get('enabled', True)
    if not isinstance(enabled, bool):
        reader.fail(field + '.enabled', 'must be true or false')
    rack = spec.get('rack')
    return dc_model.HostSpec(
        reader.string(spec.get('name'), field + '.name'),
        reader.number(spec.get('vcpus'), field + '.vcpus'),
        reader.number(spec.get('ram_mb'), field + '.ram_mb'),
        reader.number(spec.get('disk_gb'), field + '.disk_gb'),
        rack=None if rack is None else str(rack),
        ratios={k: reader.number(spec[k], '%s.%s' % (field, k))
                for k in dc_model.RATIO_KEYS if k in spec},
        used={k: reader.number(v, '%s.used.%s' % (field, k))
              for k, v in used.items()},
        availability_zone=reader.string(spec.get('availability_zone'),
                                        field + '.availability_zone',
                                        required=False),
        enabled=enabled)


def parse_topology(doc, source):
    """Return the keyword arguments of ``datacenter.build`` from a doc."""
    reader = _Reader(source)
    doc = reader.mapping(doc, '(top)', TOP_FIELDS, required=True)
    defaults = reader.mapping(doc.get('defaults'), 'defaults',
                              set(dc_model.RATIO_KEYS))
    defaults = {k: reader.number(v, 'defaults.%s' % k)
                for k, v in defaults.items()}
    flavors = {str(n): _flavor(reader, n, s) for n, s in reader.mapping(
        doc.get('flavors'), 'flavors').items()}
    aggregates = {}
    for name, spec in reader.mapping(doc.get('aggregates'),
                                     'aggregates').items():
        field = 'aggregates.%s' % name
        spec = reader.mapping(spec, field, {'hosts', 'metadata'}, True)
        members = spec.get('hosts') or []
        if not isinstance(members, list):
            reader.fail(field + '.hosts', 'must be a list of host names')
        metadata = reader.mapping(spec.get('metadata'), field + '.metadata')
        aggregates[str(name)] = (metadata, [str(m) for m in members])
    hosts = doc.get('hosts')
    if not isinstance(hosts, list) or not hosts:
        reader.fail('hosts', 'must be a non-empty list of hosts')
    return {'name': str(doc.get('name') or 'datacenter'),
            'hosts': [_host(reader, i, h) for i, h in enumerate(hosts)],
            'flavors': flavors, 'aggregates': aggregates,
            'defaults': defaults}


def _group(reader, field, spec):
    spec = reader.mapping(spec, field, {'name', 'type', 'level'}, True)
    name = reader.string(spec.get('name'), field + '.name')
    gtype = spec.get('type')
    if gtype not in dc_model.GROUP_TYPES:
        reader.fail(field + '.type', 'must be one of %s' %
                    ', '.join(dc_model.GROUP_TYPES))
    level = spec.get('level', 'host')
    if level not in dc_model.LEVELS:
        reader.fail(field + '.level', 'must be one of %s' %
                    ', '.join(dc_model.LEVELS))
    return name, gtype, level


def _nonempty_str(value):
    return isinstance(value, str) and value != ''


def _existing_server(reader, source, i, spec):
    field = 'servers[%d]' % i
    spec = reader.mapping(spec, field, SERVER_FIELDS, True)
    groups = spec.get('groups') or []
    if not isinstance(groups, list):
        reader.fail(field + '.groups', 'must be a list')
    return dc_model.ExistingServer(
        str(spec.get('id') or '%s-%d' % (source, i)),
        reader.string(spec.get('host'), field + '.host'),
        reader.string(spec.get('flavor'), field + '.flavor'),
        [_group(reader, '%s.groups[%d]' % (field, j), g)
         for j, g in enumerate(groups)])


def parse_existing(doc, source):
    """Return ``(servers, group_defs)`` from an existing-servers doc."""
    reader = _Reader(source)
    doc = reader.mapping(doc, '(top)', {'servers', 'groups'})
    servers = doc.get('servers') or []
    if not isinstance(servers, list):
        reader.fail('servers', 'must be a list')
    found = []
    for i, spec in enumerate(servers):
        # Most running servers are plain: checked inline, without building
        # the field names that only an error message needs.
        if (isinstance(spec, dict) and spec.keys() <= SERVER_FIELDS and
                not spec.get('groups') and
                _nonempty_str(spec.get('host')) and
                _nonempty_str(spec.get('flavor'))):
            found.append(dc_model.ExistingServer(
                str(spec.get('id') or '%s-%d' % (source, i)),
                spec['host'], spec['flavor'], []))
        else:
            found.append(_existing_server(reader, source, i, spec))
    defs = {}
    groups = doc.get('groups') or []
    if not isinstance(groups, list):
        reader.fail('groups', 'must be a list')
    for j, spec in enumerate(groups):
        name, gtype, level = _group(reader, 'groups[%d]' % j, spec)
        defs[name] = (gtype, level)
    return found, defs


def datacenter_from_documents(conf, topology, existing=None,
                              source='topology', existing_source='existing'):
    """Build a data center from parsed topology and existing documents.

    :param topology: the topology document (a dict, as loaded from YAML).
    :param existing: the existing-servers document, or None.
    :param source: name of the topology's origin, used in errors.
    :param existing_source: name of the existing document's origin.
    :raises InvalidTopology: naming the origin and the field.
    """
    args = parse_topology(topology, source)
    servers, defs = [], {}
    if existing is not None:
        servers, defs = parse_existing(existing, existing_source)
    try:
        return dc_model.build(args['name'], args['hosts'], args['flavors'],
                              args['aggregates'], servers, conf,
                              group_defs=defs, source=source,
                              defaults=args['defaults'])
    except exception.InvalidTopology as exc:
        if exc.field.startswith('servers') and existing is not None:
            raise exception.InvalidTopology(existing_source, exc.field,
                                            exc.reason)
        raise


def load_datacenter(conf, topology_path, existing_path=None):
    """Build a data center from a topology file and an existing file."""
    existing = read_yaml(existing_path) if existing_path else None
    return datacenter_from_documents(
        conf, read_yaml(topology_path), existing, topology_path,
        existing_path)


class StaticTopology(base.TopologySource):
    """Reads ``[engine] topology_file``."""

    def load(self, existing=None):
        """Return the data center described by the topology file.

        :param existing: optional path of an existing-servers file.
        """
        return load_datacenter(self.conf, self.conf.engine.topology_file,
                               existing)
