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

"""The data center: racks and hosts as arrays, and what already runs there.

Hosts are stored as a struct of numpy arrays (one row per host, one column
per resource) so that a constraint or a score is computed for every host at
once. Servers already running are arrays too (host index, flavor index):
50,000 of them cost a few megabytes, not 50,000 dictionaries. A
``Datacenter`` is built once per topology and shared by every request; a
request works on a copy of the ``free`` array only.
"""

import copy
import math
import re

import numpy as np

from valet.optimizer import exception

#: Resource columns of every capacity array.
RESOURCES = ('vcpus', 'ram_mb', 'disk_gb')
RATIO_KEYS = ('cpu_allocation_ratio', 'ram_allocation_ratio',
              'disk_allocation_ratio')
GROUP_TYPES = ('affinity', 'diversity', 'exclusivity')
LEVELS = ('host', 'rack')


class Flavor(object):
    """A Nova flavor; ``disk_gb`` is root + ephemeral + swap (rounded up)."""

    __slots__ = ('name', 'vcpus', 'ram_mb', 'disk_gb', 'extra_specs')

    def __init__(self, name, vcpus, ram_mb, disk_gb, extra_specs=None):
        self.name = name
        self.vcpus = vcpus
        self.ram_mb = ram_mb
        self.disk_gb = disk_gb
        self.extra_specs = dict(extra_specs or {})

    @classmethod
    def from_parts(cls, name, vcpus, ram_mb, root_gb=0, ephemeral_gb=0,
                   swap_mb=0, extra_specs=None):
        """Build a flavor from Nova's fields (swap in MB, rounded up)."""
        disk = root_gb + ephemeral_gb + int(math.ceil(swap_mb / 1024.0))
        return cls(name, vcpus, ram_mb, disk, extra_specs)

    @property
    def demand(self):
        """The flavor as a vector over :data:`RESOURCES`."""
        return np.array([self.vcpus, self.ram_mb, self.disk_gb],
                        dtype=np.float64)


class Aggregate(object):
    """A host aggregate: its metadata and the indexes of its hosts."""

    __slots__ = ('name', 'metadata', 'hosts')

    def __init__(self, name, metadata, hosts):
        self.name = name
        self.metadata = dict(metadata or {})
        self.hosts = np.asarray(hosts, dtype=np.int32)


class NamedGroup(object):
    """A group that spans stacks, with where its members already run."""

    __slots__ = ('name', 'type', 'level', 'servers', 'hosts', 'racks')

    def __init__(self, name, group_type, level):
        self.name = name
        self.type = group_type
        self.level = level
        self.servers = np.zeros(0, dtype=np.int32)
        self.hosts = np.zeros(0, dtype=np.int32)
        self.racks = np.zeros(0, dtype=np.int32)

    def occupied(self, level):
        """Indexes of the hosts or racks (``level``) the group holds."""
        return self.hosts if level == 'host' else self.racks


class HostSpec(object):
    """One host as a topology source describes it (used while building)."""

    __slots__ = ('name', 'vcpus', 'ram_mb', 'disk_gb', 'rack', 'ratios',
                 'used', 'availability_zone', 'enabled')

    def __init__(self, name, vcpus, ram_mb, disk_gb, rack=None, ratios=None,
                 used=None, availability_zone=None, enabled=True):
        self.name = name
        self.vcpus = vcpus
        self.ram_mb = ram_mb
        self.disk_gb = disk_gb
        self.rack = rack
        self.ratios = dict(ratios or {})
        self.used = dict(used or {})
        self.availability_zone = availability_zone
        self.enabled = enabled


class ExistingServer(object):
    """A server already running: ``groups`` is ``[(name, type, level)]``."""

    __slots__ = ('id', 'host', 'flavor', 'groups')

    def __init__(self, server_id, host, flavor, groups=()):
        self.id = server_id
        self.host = host
        self.flavor = flavor
        self.groups = tuple(groups)


class Datacenter(object):
    """Hosts, racks, aggregates, flavors and the servers already running.

    Arrays (N hosts, R racks):

    * ``host_rack`` (N,) rack index; ``host_az`` (N,) zone index;
    * ``capacity`` (N, 3) total x ratio - reserve; ``used`` (N, 3);
    * ``known`` (N, 3) flavors of the known servers on each host;
    * ``free`` (N, 3) capacity - used - known (may be negative);
    * ``enabled`` (N,) bool; ``occupied`` (N,) bool: something already runs
      there (a known server or ``used`` above zero);
    * ``server_host`` (M,) host index and ``server_demand`` (M, 3) size of
      each known server; ``server_ids`` their ids.
    """

    def __init__(self, name):
        self.name = name
        self.flavors = {}
        self.host_names = []
        self.host_index = {}
        self.rack_names = []
        self.rack_index = {}
        self.az_names = []
        self.aggregates = {}
        self.named_groups = {}
        self.server_ids = []
        self._spec_masks = {}

    @property
    def n_hosts(self):
        """Number of hosts."""
        return len(self.host_names)

    @property
    def n_racks(self):
        """Number of racks."""
        return len(self.rack_names)

    def flavor(self, name):
        """Return the flavor called name, or None."""
        return self.flavors.get(name)

    def az_mask(self, zone):
        """Boolean mask of the hosts in availability zone ``zone``."""
        try:
            return self.host_az == self.az_names.index(zone)
        except ValueError:
            return np.zeros(self.n_hosts, dtype=bool)

    def hosts_mask(self, names):
        """Boolean mask of the named hosts; unknown names are ignored."""
        mask = np.zeros(self.n_hosts, dtype=bool)
        idx = [self.host_index[n] for n in names if n in self.host_index]
        mask[idx] = True
        return mask

    def spec_mask(self, extra_specs, matcher):
        """Mask of hosts whose aggregates satisfy ``extra_specs``.

        ``matcher(extra_specs, datacenter)`` computes it; the result is
        cached per distinct extra specs since a data center serves many
        requests with the same few flavors.
        """
        key = tuple(sorted(extra_specs.items()))
        mask = self._spec_masks.get(key)
        if mask is None:
            mask = matcher(extra_specs, self)
            mask.setflags(write=False)
            self._spec_masks[key] = mask
        return mask


def _rack_of(spec, host_aggs, pattern):
    if spec.rack:
        return str(spec.rack)
    for agg in host_aggs:
        if agg.metadata.get('rack'):
            return str(agg.metadata['rack'])
    if pattern is not None:
        match = pattern.match(spec.name)
        if match and match.groupdict().get('rack'):
            return match.group('rack')
    return spec.name


def _zone_of(spec, host_aggs, default):
    # As in Nova: the host's own zone, else its aggregates', else the
    # default zone.
    if spec.availability_zone:
        return spec.availability_zone
    for agg in host_aggs:
        if agg.metadata.get('availability_zone'):
            return str(agg.metadata['availability_zone'])
    return default or ''


def _ratio(spec, host_aggs, key, default, source):
    if spec.ratios.get(key) is not None:
        return float(spec.ratios[key])
    values = []
    for agg in host_aggs:
        if key in agg.metadata:
            try:
                value = float(agg.metadata[key])
            except (TypeError, ValueError):
                value = None
            # Metadata are strings: float() takes "nan" and "inf" too.
            if value is None or not math.isfinite(value) or value < 0:
                raise exception.InvalidTopology(
                    source, 'aggregates.%s.metadata.%s' % (agg.name, key),
                    'not a number (finite, at least 0): %r'
                    % (agg.metadata[key],))
            values.append(value)
    return min(values) if values else default


def _index(names, name):
    return names.setdefault(name, len(names))


def build(name, hosts, flavors, aggregates, existing, conf,
          group_defs=None, source='topology', defaults=None):
    """Build a :class:`Datacenter`.

    :param hosts: list of :class:`HostSpec`.
    :param flavors: ``{name: Flavor}``.
    :param aggregates: ``{name: (metadata dict, [host names])}``.
    :param existing: list of :class:`ExistingServer`.
    :param conf: ``ConfigOpts`` with ``[engine]`` registered (defaults for
        ratios, reserves and the rack name pattern).
    :param group_defs: ``{name: (type, level)}`` of named groups that have
        no running member yet.
    :param source: name of the origin, used in error messages.
    :param defaults: allocation ratios of this data center, overriding the
        configuration's (``{cpu_allocation_ratio: 16.0, ...}``).
    """
    dc = Datacenter(name)
    dc.flavors = dict(flavors)
    n = len(hosts)
    for i, spec in enumerate(hosts):
        if spec.name in dc.host_index:
            raise exception.InvalidTopology(
                source, 'hosts[%d].name' % i,
                'duplicate host %r' % spec.name)
        dc.host_index[spec.name] = i
        dc.host_names.append(spec.name)
    per_host_aggs = [[] for _ in range(n)]
    for agg_name, (metadata, members) in sorted(aggregates.items()):
        idx = []
        for member in members:
            if member not in dc.host_index:
                raise exception.InvalidTopology(
                    source, 'aggregates.%s.hosts' % agg_name,
                    'unknown host %r' % member)
            idx.append(dc.host_index[member])
        agg = Aggregate(agg_name, metadata, sorted(set(idx)))
        dc.aggregates[agg_name] = agg
        for i in agg.hosts:
            per_host_aggs[i].append(agg)
    _fill_hosts(dc, hosts, per_host_aggs, conf, source, defaults or {})
    _fill_existing(dc, existing, group_defs or {}, source)
    return dc


def _fill_hosts(dc, hosts, per_host_aggs, conf, source, overrides):
    n = len(hosts)
    eng = conf.engine
    pattern = re.compile(eng.rack_name_pattern) if eng.rack_name_pattern \
        else None
    defaults = [overrides.get(key, getattr(eng, key)) for key in RATIO_KEYS]
    reserve = np.array([eng.reserved_vcpus_percent, eng.reserved_ram_percent,
                        eng.reserved_disk_percent]) / 100.0
    total = np.zeros((n, 3))
    ratio = np.zeros((n, 3))
    used = np.zeros((n, 3))
    host_rack = np.zeros(n, dtype=np.int32)
    host_az = np.zeros(n, dtype=np.int32)
    enabled = np.zeros(n, dtype=bool)
    racks, zones = {}, {}
    for i, spec in enumerate(hosts):
        aggs = per_host_aggs[i]
        total[i] = (spec.vcpus, spec.ram_mb, spec.disk_gb)
        ratio[i] = [_ratio(spec, aggs, key, default, source)
                    for key, default in zip(RATIO_KEYS, defaults)]
        used[i] = [spec.used.get(r, 0) for r in RESOURCES]
        host_rack[i] = _index(racks, _rack_of(spec, aggs, pattern))
        host_az[i] = _index(zones, _zone_of(spec, aggs,
                                            eng.default_availability_zone))
        enabled[i] = bool(spec.enabled)
    dc.rack_index = racks
    dc.rack_names = sorted(racks, key=racks.get)
    dc.az_names = sorted(zones, key=zones.get)
    dc.host_rack = host_rack
    dc.host_az = host_az
    dc.enabled = enabled
    dc.total = total
    dc.ratio = ratio
    dc.capacity = total * ratio * (1.0 - reserve)
    dc.used = used
    dc.rack_hosts = [np.flatnonzero(host_rack == r)
                     for r in range(len(racks))]


def with_servers(base, existing, group_defs=None, source='existing'):
    """Return a copy of ``base`` with other servers running on it.

    The hosts, racks, aggregates and flavors are shared with ``base``
    (they are read-only); the servers, named groups and free capacity are
    those of ``existing`` on top of ``base``'s ``used``. This is how a
    service lays what its database records over a topology it loaded
    once, for each request.

    :param existing: list of :class:`ExistingServer`; a server's
        ``flavor`` is a flavor name or a :class:`Flavor`.
    :param group_defs: ``{name: (type, level)}`` of named groups with no
        running member yet.
    """
    dc = copy.copy(base)
    dc.named_groups = {}
    dc.server_ids = []
    _fill_existing(dc, existing, group_defs or {}, source)
    return dc


def _server_demand(dc, srv, field, source):
    if isinstance(srv.flavor, Flavor):
        return srv.flavor.demand
    flavor = dc.flavors.get(srv.flavor)
    if flavor is None:
        raise exception.InvalidTopology(
            source, field + '.flavor', 'unknown flavor %r' % srv.flavor)
    return flavor.demand


def _fill_existing(dc, existing, group_defs, source):
    n = dc.n_hosts
    m = len(existing)
    server_host = np.zeros(m, dtype=np.int32)
    demands = np.zeros((m, 3))
    members = {}
    for gname, (gtype, level) in group_defs.items():
        dc.named_groups[gname] = NamedGroup(gname, gtype, level)
    for j, srv in enumerate(existing):
        field = 'servers[%d]' % j
        if srv.host not in dc.host_index:
            raise exception.InvalidTopology(
                source, field + '.host', 'unknown host %r' % srv.host)
        demands[j] = _server_demand(dc, srv, field, source)
        server_host[j] = dc.host_index[srv.host]
        dc.server_ids.append(srv.id)
        for gname, gtype, level in srv.groups:
            group = dc.named_groups.get(gname)
            if group is None:
                group = dc.named_groups[gname] = NamedGroup(
                    gname, gtype, level)
            elif (group.type, group.level) != (gtype, level):
                raise exception.InvalidTopology(
                    source, field + '.groups',
                    'group %r is %s/%s elsewhere, not %s/%s' % (
                        gname, group.type, group.level, gtype, level))
            members.setdefault(gname, []).append(j)
    dc.server_host = server_host
    dc.server_demand = demands
    known = np.zeros((n, 3))
    if m:
        for k in range(3):
            known[:, k] = np.bincount(server_host, weights=demands[:, k],
                                      minlength=n)
    dc.known = known
    dc.free = dc.capacity - dc.used - known
    dc.free.setflags(write=False)
    dc.server_count = np.bincount(server_host, minlength=n).astype(np.int32)
    dc.occupied = (dc.server_count > 0) | (dc.used > 0).any(axis=1)
    for gname, idx in members.items():
        group = dc.named_groups[gname]
        group.servers = np.asarray(idx, dtype=np.int32)
        group.hosts = np.unique(server_host[group.servers])
        group.racks = np.unique(dc.host_rack[group.hosts])
