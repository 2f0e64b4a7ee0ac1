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

"""The two baselines Valet is measured against.

* :func:`nova_like` places one server at a time in template order, as Nova's
  filter scheduler does: capacity, AZ and aggregate extra-spec filters,
  host-level server-group affinity / anti-affinity (rack rules and
  exclusivity are unknown to Nova), then the RAM weigher's spreading (most
  free RAM first).
* :func:`greedy` is Valet 1.0's search: largest work first, rack then host,
  best fit, and when a group's member finds no host it retries the group
  from the next candidate.
* :func:`rack_first` scores whole racks for each block of linked servers
  (see :mod:`tools.benchmarks.rack_first`).

Both take the external formats and return the engine's output shape:
``{"status": "ok" | "failed", "placements": {...}, "reason": ...}``.
"""

import numpy

from tools.benchmarks import rack_first as rack_first_mod
from tools.benchmarks import state as state_mod
from valet.tests import checker

RAM = 1
RETRIES = 8


def _result(state, failed=None):
    if failed:
        return {'status': 'failed', 'placements': state.placements(),
                'reason': 'no host for server %s' % failed}
    return {'status': 'ok', 'placements': state.placements()}


def _nova_rule(group):
    """Nova server groups: host (anti-)affinity over plain servers only."""
    if group.level != 'host' or group.type == 'exclusivity':
        return False
    return group.type == 'affinity' or not group.subgroups


def prepare(kind, topology, existing, resources, reserved=None):
    """Read the documents into host arrays for ``kind``.

    ``kind`` is ``nova`` (host-level server groups only) or the name of
    another baseline (every rule).

    The benchmark times the search only, as it does for Valet, whose data
    center model is built once and kept in memory.
    """
    problem = checker.Problem(topology, existing, resources,
                              reserved=reserved)
    return state_mod.HostState(
        problem, select=_nova_rule if kind == 'nova' else None)


def nova_like(topology, existing, resources, reserved=None, state=None):
    """Place servers one by one like Nova's filter scheduler."""
    if state is None:
        state = prepare('nova', topology, existing, resources, reserved)
    problem = state.problem
    for server in problem.servers:
        mask = state.candidates(server)
        if not mask.any():
            return _result(state, server)
        ram = numpy.where(mask, state.free[:, RAM], -numpy.inf)
        state.place(server, int(numpy.argmax(ram)))
    return _result(state)


def _units(problem):
    """Top-level groups with their servers, then lone servers."""
    nested = set()
    for group in problem.groups.values():
        nested.update(problem.group_key(s) for s in group.subgroups)
    seen, units = set(), []
    for name in sorted(problem.groups):
        if name in nested:
            continue
        group = problem.groups[name]
        servers = [s for s in problem.leaves(group) if s not in seen]
        seen.update(servers)
        if servers:
            units.append((group, servers))
    units.extend((None, [s]) for s in problem.servers if s not in seen)
    return units


def _size(problem, servers):
    return sum(problem.demand(s)['ram_mb'] for s in servers)


def _fill(state, servers, allowed, banned=None):
    """Best-fit each server inside ``allowed``; undo all on failure."""
    done = []
    for server in servers:
        mask = state.candidates(server) & allowed & numpy.all(
            state.free + checker.EPSILON >= state.block_need(server),
            axis=1)
        if banned is not None and not done:
            mask &= ~banned
        if not mask.any():
            for placed in reversed(done):
                state.unplace(placed)
            return server, done
        ram = numpy.where(mask, state.free[:, RAM] - state.demand(server)[
            RAM], numpy.inf)
        state.place(server, int(numpy.argmin(ram)))
        done.append(server)
    return None, done


def _rack_order(state, need):
    """Racks by best fit: the least free RAM that still holds ``need``."""
    rack = state.dom['rack']
    free = numpy.bincount(rack, weights=numpy.maximum(state.free[:, RAM], 0))
    order = numpy.argsort(free, kind='stable')
    return [int(r) for r in order if free[r] >= need]


def _place_unit(state, group, servers):
    everywhere = numpy.ones(len(state.names), dtype=bool)
    if group is not None and group.level == 'rack' and group.type in (
            'affinity', 'exclusivity'):
        failed = servers[0]
        for rack in _rack_order(state, _size(state.problem, servers)):
            failed, _done = _fill(state, servers, state.dom['rack'] == rack)
            if failed is None:
                return None
        return failed
    banned = numpy.zeros(len(state.names), dtype=bool)
    for _attempt in range(RETRIES):
        failed, done = _fill(state, servers, everywhere, banned)
        if failed is None:
            return None
        if not done:
            return failed
        # Retry the group from the next candidate for its first member.
        first = state.candidates(servers[0]) & ~banned
        ram = numpy.where(first, state.free[:, RAM], numpy.inf)
        banned[int(numpy.argmin(ram))] = True
    return failed


def greedy(topology, existing, resources, reserved=None, state=None):
    """Valet 1.0's greedy: largest first, rack then host, best fit."""
    if state is None:
        state = prepare('greedy', topology, existing, resources, reserved)
    problem = state.problem
    units = _units(problem)
    units.sort(key=lambda unit: -_size(problem, unit[1]))
    for group, servers in units:
        servers = sorted(servers, key=lambda s: -problem.demand(s)['ram_mb'])
        failed = _place_unit(state, group, servers)
        if failed:
            return _result(state, failed)
    return _result(state)


def rack_first(topology, existing, resources, reserved=None, state=None):
    """The rack-first greedy: best rack per block, then best-fit hosts."""
    if state is None:
        state = prepare('rack_first', topology, existing, resources, reserved)
    failed = rack_first_mod.RackFirst(state).run()
    return _result(state, failed)
