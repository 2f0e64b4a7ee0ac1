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

"""valet-engine's in-memory model of the data center.

The hosts, racks, aggregates and flavors come from the topology source,
loaded at start and again every ``[engine] topology_refresh_interval``
seconds (or on demand). What Valet's database records on top of them --
live placements, servers Nova runs that no plan placed, named groups and
their members -- is cached per host and refreshed incrementally: each
request reads the hosts' generations (one small query) and re-reads only
the servers of the hosts whose generation moved.

A :class:`View` is what one request plans with: the data center with the
recorded servers laid over it (minus the servers of the plan being
changed) and the generations it was built from, which the commit checks.
"""

import time

from oslo_log import log as logging

from valet.db import groups as db_groups
from valet.db import hosts as db_hosts
from valet import exception
from valet.optimizer.model import datacenter as dc_model

LOG = logging.getLogger(__name__)


class View(object):
    """One request's picture of the data center.

    :ivar datacenter: the data center with every recorded server on it
        except those of ``exclude_plan``.
    :ivar generations: ``{host: generation}`` the picture was built from.
    :ivar groups: ``{group id: {"id", "name", "type", "level",
        "generation", "members"}}`` of the API's named groups.
    :ivar topology: the topology the picture was laid over.
    """

    def __init__(self, datacenter, generations, groups, topology=None):
        self.datacenter = datacenter
        self.generations = generations
        self.groups = groups
        self.topology = topology
        self.by_name = {g['name']: g for g in groups.values()}

    def group_defs(self):
        """``{name: (type, level)}`` of every named group."""
        return {g['name']: (g['type'], g['level'])
                for g in self.groups.values()}


class ModelCache(object):
    """The topology and the recorded servers, per host."""

    def __init__(self, conf, source):
        self.conf = conf
        self.source = source
        self.base = None
        self.loaded_at = None
        self._generations = {}
        self._summary = None
        self._servers = {}

    @property
    def n_hosts(self):
        """Hosts of the loaded topology (0 before the first load)."""
        return self.base.n_hosts if self.base is not None else 0

    def load_topology(self, ctx):
        """(Re)load the topology and register its hosts in the database.

        :raises valet.optimizer.exception.EngineError: the source could
            not be read (the previous topology, if any, stays in use).
        """
        base = self.source.load()
        self.base = base
        self.loaded_at = time.monotonic()
        racks = {name: base.rack_names[base.host_rack[i]]
                 for i, name in enumerate(base.host_names)}
        # A host with no row yet gets one at its first commit: a database
        # that is down now does not keep the topology from being used.
        try:
            db_hosts.sync_hosts(ctx, racks)
        except exception.ServiceUnavailable as exc:
            LOG.error('Could not register the hosts in the database: %s',
                      exc.message)
        LOG.info('Loaded data center %(name)s: %(hosts)d hosts in '
                 '%(racks)d racks', {'name': base.name,
                                     'hosts': base.n_hosts,
                                     'racks': base.n_racks})

    def topology_is_stale(self):
        """True when the topology is due for its periodic reload."""
        # A source may have an interval of its own ([nova]
        # refresh_interval).
        interval = getattr(self.source, 'refresh_interval',
                           self.conf.engine.topology_refresh_interval)
        if self.base is None or self.loaded_at is None:
            return True
        return bool(interval) and (
            time.monotonic() - self.loaded_at >= interval)

    def refresh(self, ctx):
        """Bring the cached servers up to date with the database."""
        # Generations only grow: the same count and sum mean that no
        # host changed, and a thousand rows need not be read.
        summary = db_hosts.generations_summary(ctx)
        if summary == self._summary:
            return self._generations
        generations = db_hosts.generations(ctx)
        changed = [host for host, gen in generations.items()
                   if self._generations.get(host) != gen]
        changed.extend(h for h in self._servers if h not in generations)
        if changed:
            for host in changed:
                self._servers.pop(host, None)
            for server in db_hosts.servers_on(ctx, changed):
                self._servers.setdefault(server['host'], []).append(server)
        self._generations = generations
        self._summary = (len(generations), sum(generations.values()))
        return generations

    def committed(self, touched, added=(), removed=()):
        """Apply this engine's own commit to the cache, without a read.

        The commit incremented the generation of each host of ``touched``
        by one (every host it guarded had the generation cached here, or
        it would have failed). A host also changed by someone else shows
        a generation, or a sum, that differs at the next refresh, and is
        read again then.

        :param added: server dicts (as :func:`valet.db.hosts.servers_on`
            gives them) the commit placed.
        :param removed: ids of the servers the commit released.
        """
        if self._summary is None:
            return
        if any(host not in self._generations for host in touched):
            # A host row was created: let the next refresh read it all.
            self._summary = None
            return
        for host in touched:
            self._generations[host] += 1
        gone = set(removed)
        if gone:
            for host in touched:
                self._servers[host] = [
                    s for s in self._servers.get(host, ())
                    if s['id'] not in gone]
        for server in added:
            self._servers.setdefault(server['host'], []).append(server)
        self._summary = (len(self._generations),
                         sum(self._generations.values()))

    def view(self, ctx, exclude_plan=None):
        """Return a :class:`View` of the data center as recorded now.

        :param exclude_plan: id of a plan whose servers are left out (the
            plan being changed: its servers are placed by the request).
        """
        if self.base is None:
            self.load_topology(ctx)
        generations = self.refresh(ctx)
        groups = {g['id']: g for g in db_groups.group_index(ctx)}
        base = self.base
        existing = []
        for host in sorted(self._servers):
            if host not in base.host_index:
                # Recorded on a host the topology no longer lists: it
                # cannot be planned around; the reconcile cleans it up.
                continue
            for server in self._servers[host]:
                if exclude_plan and server['plan_id'] == exclude_plan:
                    continue
                existing.append(_existing(server, groups))
        dc = dc_model.with_servers(
            base, existing,
            {g['name']: (g['type'], g['level']) for g in groups.values()},
            source='database')
        # A copy: committed() moves the cache on, not a view handed out.
        return View(dc, dict(generations), groups, base)


def _existing(server, groups):
    flavor = dc_model.Flavor('(recorded)', server['vcpus'],
                             server['ram_mb'], server['disk_gb'])
    memberships = [(groups[gid]['name'], groups[gid]['type'],
                    groups[gid]['level'])
                   for gid in server['groups'] if gid in groups]
    return dc_model.ExistingServer(server['id'], server['host'], flavor,
                                   memberships)
