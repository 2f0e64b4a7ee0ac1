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

"""The listener's periodic reconcile with the servers Nova runs.

Notifications can be missed (a listener pool with no consumer, a queue
purged) or handled out of order (the listener handles several at once).
Every ``[listener] reconcile_interval`` seconds, :class:`Reconciler` asks
the topology source for the data center, whose known servers are those
Nova runs, and makes the records match (:func:`valet.db.servers.reconcile`).

The ``static`` source lists no running server: with it the reconcile
would delete every record, so it does not run at all. Every listener of
a deployment reconciles; the runs are idempotent, so several listeners
only repeat each other's work.
"""

import threading

from futurist import periodics
from oslo_log import log as logging
from oslo_utils import timeutils

from valet import context
from valet.db import hosts as db_hosts
from valet.db import servers as db_servers
from valet.optimizer import plugins

LOG = logging.getLogger(__name__)

#: Topology sources that list no running server.
SOURCES_WITHOUT_SERVERS = ('static',)


def _flavor_names(dc, count):
    """The flavor name of each known server of dc, None where unknown.

    ``server_flavor`` may hold names, Flavor objects or indexes into
    ``flavor_names``; a data center without it names no flavor (the
    sizes, ``server_demand``, are what counts).
    """
    flavors = getattr(dc, 'server_flavor', None)
    if flavors is None:
        return [None] * count
    table = getattr(dc, 'flavor_names', None)
    names = []
    for flavor in flavors:
        if isinstance(flavor, str) or flavor is None:
            names.append(flavor)
        elif hasattr(flavor, 'name'):
            names.append(flavor.name)
        else:
            names.append(table[int(flavor)] if table is not None else None)
    return names


def running_servers(dc):
    """``{uuid: (host, flavor, project_id)}`` of dc's known servers.

    ``flavor`` is ``{"name", "vcpus", "ram_mb", "disk_gb"}``; the project
    comes from ``server_project`` when the source gives it.
    """
    ids = list(getattr(dc, 'server_ids', None) or ())
    if not ids:
        return {}
    names = _flavor_names(dc, len(ids))
    projects = getattr(dc, 'server_project', None) or [None] * len(ids)
    servers = {}
    for j, uuid in enumerate(ids):
        sizes = [int(round(float(x))) for x in dc.server_demand[j]]
        flavor = dict(zip(('vcpus', 'ram_mb', 'disk_gb'), sizes),
                      name=names[j])
        servers[str(uuid)] = (dc.host_names[int(dc.server_host[j])], flavor,
                              projects[j])
    return servers


def racks_of(dc):
    """``{host: rack}`` of dc's hosts."""
    return {name: dc.rack_names[int(dc.host_rack[i])]
            for i, name in enumerate(dc.host_names)}


class Reconciler(object):
    """Compares the records with the servers a topology source lists.

    :param source: a topology source; by default the one named by
        ``[engine] topology_driver``, built on first use.
    """

    def __init__(self, conf, source=None):
        self.conf = conf
        self._source = source

    @property
    def enabled(self):
        """False when the topology source lists no running server."""
        return (self._source is not None or
                self.conf.engine.topology_driver not in
                SOURCES_WITHOUT_SERVERS)

    def run(self, ctx=None):
        """Reconcile once; return the repair counts (None if disabled).

        :raises: what the source or the database raise.
        """
        if not self.enabled:
            return None
        if self._source is None:
            self._source = plugins.load_topology(self.conf)
        ctx = ctx or context.RequestContext(config=self.conf)
        taken_at = timeutils.utcnow()
        dc = self._source.load()
        servers = running_servers(dc)
        db_hosts.sync_hosts(ctx, racks_of(dc))
        counts = db_servers.reconcile(ctx, servers, taken_at)
        if any(counts.values()):
            LOG.warning('Reconciled the records with the %(n)d servers '
                        'Nova runs: %(counts)s',
                        {'n': len(servers), 'counts': counts})
        else:
            LOG.debug('The records match the %d servers Nova runs',
                      len(servers))
        return counts


class PeriodicReconcile(object):
    """Runs a :class:`Reconciler` every ``interval`` seconds in a thread.

    A run that fails is logged; the next one tries again.
    """

    def __init__(self, reconciler, interval):
        self.reconciler = reconciler
        self.interval = interval
        self.done = threading.Event()
        self._worker = None
        self._thread = None

    def _run_once(self):
        try:
            self.reconciler.run()
        except Exception:
            LOG.exception('The periodic reconcile failed; it runs again in '
                          '%d seconds', self.interval)
        finally:
            self.done.set()

    def start(self):
        """Start the periodic runs, the first one interval from now."""
        @periodics.periodic(spacing=self.interval, run_immediately=False)
        def reconcile():
            self._run_once()

        self._worker = periodics.PeriodicWorker([(reconcile, None, None)])
        self._thread = threading.Thread(target=self._worker.start,
                                        name='valet-listener-reconcile',
                                        daemon=True)
        self._thread.start()

    def stop(self):
        """Stop the runs, waiting for one in progress to end."""
        if self._worker is None:
            return
        self._worker.stop()
        self._worker.wait()
        self._thread.join()
        self._worker = self._thread = None
