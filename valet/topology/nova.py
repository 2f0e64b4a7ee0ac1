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

"""The ``nova`` topology source: the data center as Nova and Placement see it.

Hosts are the ``nova-compute`` services (the ``host`` that Nova's
notifications and a server's ``OS-EXT-SRV-ATTR:host`` carry); a host is
enabled when its service is enabled, up and not forced down. A host's
capacity and allocation ratios are the Placement inventories (VCPU,
MEMORY_MB, DISK_GB) of its compute nodes' resource providers, found by the
hypervisor hostname. Aggregates give zones and, with ``rack`` metadata,
racks; flavors carry their extra specs; servers of every project are the
known servers, sized by the flavor Nova embeds in them (a server whose
flavor was deleted, or renamed, still holds what it was built with).

Placement's usages already hold the known servers' allocations and
``datacenter.build`` adds the known servers' flavors again, so ``used`` is
the usages, plus what is reserved, minus the known servers' flavors: what
runs there that Valet cannot name (a server of a cell that is down, an
allocation of another service).

Reading is :mod:`valet.topology.nova_api`'s: every call is bounded by
``[nova] timeout``; a failure raises :class:`TopologyUnavailable` naming
the endpoint and the reason, and no half-read data center is returned.
"""

import math

from oslo_log import log as logging

from valet.optimizer import exception
from valet.optimizer.model import datacenter as dc_model
from valet.topology import base
from valet.topology import nova_api
from valet.topology import static

LOG = logging.getLogger(__name__)

SOURCE = nova_api.SOURCE
#: Raised when Keystone, Nova or Placement cannot be read.
TopologyUnavailable = nova_api.TopologyUnavailable
#: Placement resource class: (Valet resource, allocation ratio key).
RESOURCE_CLASSES = {
    'VCPU': ('vcpus', 'cpu_allocation_ratio'),
    'MEMORY_MB': ('ram_mb', 'ram_allocation_ratio'),
    'DISK_GB': ('disk_gb', 'disk_allocation_ratio'),
}


def read_rack_mapping(path):
    """Return ``{host: rack}`` from a YAML mapping file (``{}``: no file).

    :raises InvalidTopology: naming the file and the host.
    """
    if not path:
        return {}
    doc = static.read_yaml(path)
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise exception.InvalidTopology(
            path, '(top)', 'must be a mapping of host names to rack names')
    mapping = {}
    for host, rack in doc.items():
        if (isinstance(rack, bool) or not isinstance(rack, (str, int)) or
                rack == ''):
            raise exception.InvalidTopology(
                path, str(host),
                'rack must be a non-empty string, not %r' % (rack,))
        mapping[str(host)] = str(rack)
    return mapping


def _number(value, field):
    if (isinstance(value, bool) or not isinstance(value, (int, float)) or
            not math.isfinite(value) or value < 0):
        raise exception.InvalidTopology(
            SOURCE, field,
            'must be a finite number, at least 0, not %r' % (value,))
    return value


def _compute_hosts(snapshot):
    """Return ``({host: enabled}, {host: [hypervisor]})``."""
    enabled = {}
    for svc in snapshot.services:
        if svc.binary == nova_api.COMPUTE_BINARY:
            enabled[svc.host] = (svc.status == 'enabled' and
                                 svc.state == 'up' and
                                 not svc.is_forced_down)
    nodes = {}
    for hv in snapshot.hypervisors:
        host = (hv.service_details or {}).get('host')
        if host in enabled:
            nodes.setdefault(host, []).append(hv)
        else:
            LOG.warning('Compute node %(node)s belongs to no nova-compute '
                        'service (host %(host)s): skipped',
                        {'node': hv.name, 'host': host})
    for host in sorted(set(enabled) - set(nodes)):
        LOG.info('nova-compute service %s has no compute node yet: '
                 'skipped', host)
    return enabled, nodes


class _Resource(object):
    """One resource of one host, summed over its compute nodes."""

    def __init__(self):
        self.total = 0.0
        self.capacity = 0.0
        self.used = 0.0
        self.ratios = set()

    def add(self, inventory, usage, field):
        total = _number(inventory.total, field + '.total')
        reserved = _number(inventory.reserved or 0, field + '.reserved')
        ratio = _number(inventory.allocation_ratio, field +
                        '.allocation_ratio')
        self.total += total
        self.capacity += total * ratio
        # Placement fits allocations in (total - reserved) x ratio; Valet
        # computes total x ratio - used: the reserve counts x ratio.
        self.used += _number(usage or 0, field + '.usage') + reserved * ratio
        self.ratios.add(ratio)

    def size(self):
        """Return ``(total, ratio or None)`` giving the same capacity."""
        if not self.ratios:
            return 0, None
        if len(self.ratios) == 1:
            return self.total, next(iter(self.ratios))
        # Nodes of one host with different ratios: their summed capacity.
        return self.capacity, 1.0


def _host_spec(host, enabled, nodes, snapshot, rack, known):
    resources = {rc: _Resource() for rc in RESOURCE_CLASSES}
    for hv in nodes:
        provider = snapshot.provider_of(hv)
        if provider is None:
            LOG.warning('Compute node %(node)s of host %(host)s has no '
                        'resource provider: its capacity is not counted',
                        {'node': hv.name, 'host': host})
            continue
        usages = snapshot.usages[provider.id]
        for rc, inventory in snapshot.inventories[provider.id].items():
            if rc in resources:
                field = 'placement resource_providers/%s/inventories.%s' % (
                    provider.id, rc)
                resources[rc].add(inventory, usages.get(rc), field)
    sizes, ratios, used = {}, {}, {}
    for rc, (name, ratio_key) in RESOURCE_CLASSES.items():
        sizes[name], ratio = resources[rc].size()
        if ratio is not None:
            ratios[ratio_key] = ratio
        used[name] = max(0.0, resources[rc].used - known.get(name, 0))
    missing = [rc for rc in RESOURCE_CLASSES if not resources[rc].ratios]
    if missing:
        LOG.warning('Host %(host)s has no %(rcs)s inventory in Placement: '
                    'Valet sees none of it', {'host': host,
                                              'rcs': ', '.join(missing)})
    return dc_model.HostSpec(host, sizes['vcpus'], sizes['ram_mb'],
                             sizes['disk_gb'], rack=rack, ratios=ratios,
                             used=used, enabled=enabled)


def _flavor(name, flavor):
    return dc_model.Flavor.from_parts(
        name, flavor.vcpus or 0, flavor.ram or 0, flavor.disk or 0,
        flavor.ephemeral or 0, flavor.swap or 0, flavor.extra_specs or {})


def _server_flavor(flavors, embedded):
    """A server's Flavor: the listed one if its sizes match, else its own."""
    name = embedded.original_name or embedded.name
    listed = flavors.get(name)
    flavor = _flavor(name, embedded)
    if listed is not None and (
            (flavor.vcpus, flavor.ram_mb, flavor.disk_gb) ==
            (listed.vcpus, listed.ram_mb, listed.disk_gb)):
        return listed
    # Deleted since the server was built, or the name was reused for
    # other sizes: the server still holds what it was built with. It is
    # no flavor a new server can be planned with.
    return flavor


def _known_servers(snapshot, hosts, flavors, existing):
    """Return ([ExistingServer], {host: {resource: sum of flavors}})."""
    groups = {srv.id: srv.groups for srv in existing}
    servers, known = [], {}
    for srv in snapshot.servers:
        host = srv.compute_host
        if not host:
            # Not (or no longer) on a host: a server being scheduled
            # keeps what Valet knows of it.
            continue
        memberships = groups.pop(srv.id, ())
        if host not in hosts or srv.flavor is None:
            # Its usage, if Placement holds any, stays in "used".
            LOG.warning('Server %(id)s on %(host)s is not counted: no '
                        'such compute host, or no flavor shown',
                        {'id': srv.id, 'host': host})
            continue
        flavor = _server_flavor(flavors, srv.flavor)
        servers.append(dc_model.ExistingServer(srv.id, host, flavor,
                                               memberships))
        sums = known.setdefault(host, {})
        for resource, amount in zip(dc_model.RESOURCES, flavor.demand):
            sums[resource] = sums.get(resource, 0) + amount
    # Servers Valet knows that Nova shows on no host (yet) come last.
    servers.extend(srv for srv in existing if srv.id in groups)
    return servers, known


def build_datacenter(conf, snapshot, racks, existing=(), group_defs=None):
    """Build the Datacenter from what was read and the rack mapping."""
    enabled, nodes = _compute_hosts(snapshot)
    hosts = sorted(nodes)
    flavors = {f.name: _flavor(f.name, f) for f in snapshot.flavors}
    servers, known = _known_servers(snapshot, set(hosts), flavors,
                                    list(existing or ()))
    specs = [_host_spec(host, enabled[host], nodes[host], snapshot,
                        racks.get(host), known.get(host, {}))
             for host in hosts]
    members = set(hosts)
    aggregates = {agg.name: (dict(agg.metadata or {}),
                             [h for h in agg.hosts or () if h in members])
                  for agg in snapshot.aggregates}
    return dc_model.build(conf.nova.region_name or SOURCE, specs, flavors,
                          aggregates, servers, conf, group_defs=group_defs,
                          source=SOURCE)


class NovaTopology(base.TopologySource):
    """Reads the data center from Nova and Placement (``[nova]``)."""

    def __init__(self, conf):
        super().__init__(conf)
        self._connection = None

    @property
    def refresh_interval(self):
        """Seconds between two loads by the engine (0: at start only).

        ``[nova] refresh_interval``, else ``[engine]
        topology_refresh_interval``.
        """
        interval = self.conf.nova.refresh_interval
        if interval is None:
            return self.conf.engine.topology_refresh_interval
        return interval

    def load(self, existing=None, group_defs=None):
        """Return the data center as Nova and Placement describe it now.

        :param existing: optional list of
            :class:`~valet.optimizer.model.datacenter.ExistingServer` that
            Valet knows: a server Nova shows on a host takes its host and
            flavor from Nova and its groups from here; one Nova shows on
            no host (yet) is added as given.
        :param group_defs: ``{name: (type, level)}`` of named groups that
            have no running member yet.
        :raises TopologyUnavailable: an API could not be read.
        :raises InvalidTopology: the rack mapping file or an answer is
            malformed.
        """
        racks = read_rack_mapping(self.conf.nova.rack_mapping_file)
        if self._connection is None:
            self._connection = nova_api.connect(self.conf)
        snapshot = nova_api.Snapshot(self._connection).read()
        return build_datacenter(self.conf, snapshot, racks, existing or (),
                                group_defs)
