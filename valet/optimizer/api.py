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

"""Public entry points of the optimizer library.

Build a data center once (:mod:`valet.topology` or
:func:`valet.optimizer.model.datacenter.build`), a stack per request
(:func:`stack_from_resources` / :func:`stack_from_template`), then call:

* :func:`place_stack` -- place a whole new stack;
* :func:`update_stack` -- a stack update: keep servers whose flavor did not
  change, place new ones, release removed ones;
* :func:`replan_server` -- one server within given hosts, siblings fixed;
* :func:`migrate_server` -- one server away from its host and excluded
  hosts; a host-affinity group moves as a whole.

Queries over what already runs are in :mod:`valet.optimizer.audit`
(members of a named group, servers whose host breaks a rule of their
group).

The servers of the stack itself must not be listed among the data
center's existing servers: their previous hosts are given to update,
replan and migrate (and their capacity either counted here or, with
``claimed=True``, already in the hosts' ``used``), otherwise they would
count as foreign occupants for the group rules.

Each returns a :class:`Result`. Nothing here reads global configuration:
pass the ``ConfigOpts`` (with ``[engine]`` registered). Invalid input raises
:class:`~valet.optimizer.exception.InvalidStack` or
:class:`~valet.optimizer.exception.InvalidRequest`; a request with no
placement returns a failed result, never a partial plan.
"""

import logging
import time

from valet.optimizer import exception
from valet.optimizer import metrics
from valet.optimizer.model import heat
from valet.optimizer import plugins
from valet.optimizer import problem as problem_mod
from valet.optimizer import units as units_mod

LOG = logging.getLogger(__name__)


class Result(object):
    """The answer to a placement request.

    :ivar status: ``"ok"`` or ``"failed"``.
    :ivar placements: ``{server name: {"host": h, "rack": r}}`` (ok).
    :ivar metrics: ``{"cross_rack_mbps", "hosts_used",
        "empty_hosts_opened", "elapsed_ms"}`` (ok).
    :ivar reason: why nothing was placed (failed).
    :ivar explanation: ``{rule: {"hosts_excluded": n, "servers": [...]}}``
        (failed).
    :ivar moved: servers given a new host besides those asked for (a
        host-affinity group moving with a migrated server).
    :ivar released: servers of a previous plan that are gone (update).
    :ivar stats: counters of the search.
    """

    def __init__(self, status, placements=None, metrics=None, reason=None,
                 explanation=None, moved=(), released=(), stats=None):
        self.status = status
        self.placements = placements or {}
        self.metrics = metrics or {}
        self.reason = reason
        self.explanation = explanation or {}
        self.moved = list(moved)
        self.released = list(released)
        self.stats = stats or {}

    @property
    def ok(self):
        """True when every server is placed."""
        return self.status == 'ok'

    def to_dict(self):
        """The JSON document of ``valet-manage plan`` (and the RPC reply)."""
        if not self.ok:
            return {'status': self.status, 'reason': self.reason,
                    'explanation': self.explanation}
        doc = {'status': self.status, 'placements': self.placements,
               'metrics': self.metrics}
        if self.moved:
            doc['moved'] = self.moved
        if self.released:
            doc['released'] = self.released
        return doc


def stack_from_resources(resources, datacenter, groups=None):
    """Build a stack from a plan's Heat ``resources`` (see model.heat)."""
    return heat.from_resources(resources, datacenter, groups)


def stack_from_template(template, datacenter, groups=None):
    """Build a stack from a parsed HOT template (see model.heat)."""
    return heat.from_template(template, datacenter, groups)


def solve(conf, problem, optimizer=None, time_limit=None, moved=(),
          released=()):
    """Run the optimizer on a prepared problem.

    :param problem: a :class:`~valet.optimizer.problem.Problem`.
    :param optimizer: plugin name (default ``[engine] optimizer``).
    :param time_limit: safety cap in seconds on the search (default
        ``[engine] time_limit``), counted from when the search starts,
        after the plugins are loaded.
    """
    if time_limit is None:
        time_limit = conf.engine.time_limit
    engine = plugins.load_optimizer(conf, optimizer)
    start = time.monotonic()
    solution = engine.solve(problem, start + time_limit)
    elapsed = round((time.monotonic() - start) * 1000.0, 3)
    if solution.stats.get('capped') and time_limit > 0:
        LOG.warning('The search reached its safety cap of %s s ([engine] '
                    'time_limit) and stopped early: the placement may '
                    'differ from that of an uncapped search', time_limit)
    if not solution.ok:
        return Result('failed', reason=solution.reason,
                      explanation=solution.explanation,
                      stats=dict(solution.stats, elapsed_ms=elapsed))
    dc = problem.datacenter
    where = [solution.placements[server.name] for server in problem.servers]
    placements = {}
    for s, host in enumerate(where):
        placements[problem.servers[s].name] = {
            'host': dc.host_names[host],
            'rack': dc.rack_names[dc.host_rack[host]]}
    found = metrics.evaluate(problem, where)
    found['elapsed_ms'] = elapsed
    return Result('ok', placements, found, moved=moved, released=released,
                  stats=solution.stats)


def _seed(conf, seed):
    return conf.engine.seed if seed is None else seed


def _locations_masks(datacenter, names, locations):
    if locations is None:
        return {}
    mask = datacenter.hosts_mask(locations)
    return {name: mask for name in names}


def place_stack(conf, datacenter, stack, locations=None, optimizer=None,
                time_limit=None, seed=None):
    """Place every server of a new stack.

    :param conf: ``ConfigOpts`` with ``[engine]`` registered.
    :param datacenter: a :class:`~valet.optimizer.model.datacenter.Datacenter`.
    :param stack: a :class:`~valet.optimizer.model.stack.Stack`.
    :param locations: host names the servers may use (all when None).
    :param optimizer: optimizer plugin name (default from conf).
    :param time_limit: seconds of local search (default from conf).
    :param seed: tie-breaking seed (default ``[engine] seed``).
    :returns: :class:`Result`.
    """
    problem = problem_mod.Problem(
        datacenter, stack,
        host_masks=_locations_masks(datacenter, stack.servers, locations),
        seed=_seed(conf, seed))
    return solve(conf, problem, optimizer, time_limit)


def update_stack(conf, datacenter, stack, current, locations=None,
                 claimed=False, optimizer=None, time_limit=None, seed=None):
    """Place an updated stack, keeping what did not change.

    :param current: the previous plan, ``{server name: {"host": host name,
        "flavor": flavor name}}``. A server still in ``stack`` with the same
        flavor keeps its host (unless the host left the data center);
        others are placed again.
    :param claimed: True when the data center already counts the previous
        plan's servers (as ``used``): the capacity of the servers that move
        or go away is then given back, and kept ones are not counted twice.
    :returns: :class:`Result`; ``released`` names the servers gone.
    """
    fixed, released, gone = {}, [], []
    for name, previous in sorted(current.items()):
        if not isinstance(previous, dict):
            raise exception.InvalidRequest(
                'current[%r] must be {"host": ..., "flavor": ...}' % (name,))
        host, flavor = previous.get('host'), previous.get('flavor')
        old = datacenter.flavor(flavor)
        server = stack.servers.get(name)
        if (server is not None and server.flavor.name == flavor and
                host in datacenter.host_index):
            fixed[name] = host
            continue
        if server is None:
            gone.append(name)
        if claimed and host and old is not None:
            released.append((host, old.demand))
    new = [n for n in stack.servers if n not in fixed]
    problem = problem_mod.Problem(
        datacenter, stack, fixed=fixed, fixed_claimed=claimed,
        released=released,
        host_masks=_locations_masks(datacenter, new, locations),
        seed=_seed(conf, seed))
    return solve(conf, problem, optimizer, time_limit, released=gone)


def _check_server(stack, server):
    if server not in stack.servers:
        raise exception.InvalidRequest(
            'server %r is not in the stack' % (server,))


def replan_server(conf, datacenter, stack, placements, server, locations,
                  claimed=False, optimizer=None, time_limit=None, seed=None):
    """Find a new host for one server among ``locations``.

    :param placements: ``{server name: host name}`` of the stack; every
        server but ``server`` keeps its host, and every group rule holds.
    :param locations: the host names the server may use (e.g. the hosts
        Nova still considers).
    :param claimed: True when the data center counts the placed servers.
    :returns: :class:`Result`.
    """
    _check_server(stack, server)
    fixed = {n: h for n, h in placements.items()
             if n != server and n in stack.servers}
    released = []
    if claimed and placements.get(server):
        released.append((placements[server],
                         stack.servers[server].flavor.demand))
    problem = problem_mod.Problem(
        datacenter, stack, fixed=fixed, fixed_claimed=claimed,
        released=released,
        host_masks={server: datacenter.hosts_mask(locations)},
        seed=_seed(conf, seed))
    return solve(conf, problem, optimizer, time_limit)


def _host_affine(datacenter, stack, server):
    """The servers that must share a host with ``server`` (itself too)."""
    probe = problem_mod.Problem(datacenter, stack)
    index = probe.index[server]
    for unit in units_mod.build_units(probe):
        if index in unit.servers:
            return unit.names(probe)
    return [server]


def migrate_server(conf, datacenter, stack, placements, server,
                   excluded_hosts=(), claimed=False, optimizer=None,
                   time_limit=None, seed=None):
    """Move one server off its host (live migration or evacuation).

    The server never lands on its current host nor on ``excluded_hosts``.
    If it is in a host-affinity group, the whole group moves with it and
    ``Result.moved`` names the servers that move.

    :param placements: ``{server name: host name}`` of the stack.
    :param claimed: True when the data center counts the placed servers.
    :returns: :class:`Result`.
    """
    _check_server(stack, server)
    moving = _host_affine(datacenter, stack, server)
    avoid = set(excluded_hosts)
    if placements.get(server):
        avoid.add(placements[server])
    allowed = datacenter.enabled & ~datacenter.hosts_mask(sorted(avoid))
    fixed = {n: h for n, h in placements.items()
             if n not in moving and n in stack.servers}
    released = []
    if claimed:
        for name in moving:
            if placements.get(name):
                released.append((placements[name],
                                 stack.servers[name].flavor.demand))
    problem = problem_mod.Problem(
        datacenter, stack, fixed=fixed, fixed_claimed=claimed,
        released=released, host_masks={n: allowed for n in moving},
        seed=_seed(conf, seed))
    extra = [n for n in moving if n != server]
    return solve(conf, problem, optimizer, time_limit, moved=extra)
