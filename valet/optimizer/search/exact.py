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

"""The ``exact`` optimizer: the whole stack as one CP-SAT model.

Every hard rule becomes a constraint of a 0/1 model (server ``s`` on host
``h``) and the lexicographic objective of engine.md one weighted sum whose
weights keep the order: any cross-rack Mbps outweighs every count of opened
empty hosts, which outweighs every fit penalty. CP-SAT (``ortools``, an
optional dependency: ``pip install valet[exact]``) either proves the optimum
or returns the best placement found by the deadline. It suits small stacks
(tens of servers, hundreds of hosts) and is the benchmark's yardstick.

Per-server filters that do not depend on other servers (availability zone,
aggregate extra specs, and any static filter a deployment adds) come from
the enabled constraint plugins; capacity and the group rules are modelled
here, each only when its plugin is enabled, so that the solver sees them
whole. The fit penalty is per server and host (the dominant resource left
on the host, before the stack lands): a static stand-in for best fit.
"""

import time

import numpy as np

from valet.optimizer import exception
from valet.optimizer.search import base
from valet.optimizer import state as state_mod

try:
    from ortools.sat.python import cp_model
except ImportError:  # pragma: no cover - depends on the environment
    cp_model = None

#: Fit penalty of one server on the worst-fitting host (0 = exact fit).
FIT_SCALE = 20
#: Rules the model expresses itself, by constraint plugin name.
MODELLED = ('capacity', 'affinity', 'diversity', 'exclusivity')
EPSILON = 1e-6


class _Unit(object):
    """One server, shaped like the search's units for the plugins."""

    def __init__(self, problem, s):
        self.servers = np.array([s], dtype=np.int32)
        self.demand = problem.demand[s]
        self.cache = {}


def allowed_hosts(problem, constraints):
    """(servers x hosts) mask of the hosts each server may use on its own.

    Enabled hosts, the server's own host mask, the filters of every
    constraint plugin that the model does not express, and room for the
    server alone. Fixed servers may only stay where they are.
    """
    state = state_mod.State(problem)
    dc = problem.datacenter
    enabled = set(c.name for c in constraints)
    out = np.zeros((problem.n_servers, dc.n_hosts), dtype=bool)
    for s in range(problem.n_servers):
        if s in problem.fixed:
            out[s, problem.fixed[s]] = True
            continue
        unit = _Unit(problem, s)
        mask = dc.enabled.copy()
        if s in problem.host_masks:
            mask &= problem.host_masks[s]
        for constraint in constraints:
            if constraint.name not in MODELLED:
                allowed = constraint.allowed(state, unit)
                if allowed is not None:
                    mask &= allowed
        if 'capacity' in enabled:
            mask &= np.all(problem.free >= problem.demand[s] - EPSILON,
                           axis=1)
        if 'exclusivity' in enabled:
            mask &= ~problem.exclusive_elsewhere
        out[s] = mask
    return out


class PlacementModel(object):
    """The CP-SAT model of one problem.

    :param allowed: mask from :func:`allowed_hosts`.
    :param rules: names of the rules to model (a subset of ``MODELLED``).
    """

    def __init__(self, problem, allowed, rules=MODELLED):
        self.problem = problem
        self.model = cp_model.CpModel()
        self.rack = problem.datacenter.host_rack
        self.allowed = allowed
        self.x = {}
        self.rv = {}
        self.by_rack = {}
        for s in range(problem.n_servers):
            hosts = np.flatnonzero(allowed[s])
            for h in hosts.tolist():
                var = self.model.NewBoolVar('x%d_%d' % (s, h))
                self.x[s, h] = var
                self.by_rack.setdefault((s, int(self.rack[h])), []).append(
                    var)
            self.model.AddExactlyOne(self.x[s, h] for h in hosts.tolist())
        self.on_host = {}
        for (s, h), var in self.x.items():
            self.on_host.setdefault(h, []).append((s, var))
        if 'capacity' in rules:
            self._capacity()
        for group in problem.groups:
            if group.type in rules:
                getattr(self, '_' + group.type)(group)
        self._objective()

    def lv(self, s, level, d):
        """0/1 literal: server ``s`` is in host or rack ``d``."""
        if level == 'host':
            return self.x.get((s, d))
        if (s, d) not in self.rv:
            hosts = self.by_rack.get((s, d))
            if not hosts:
                self.rv[s, d] = None
            else:
                var = self.model.NewBoolVar('r%d_%d' % (s, d))
                self.model.Add(sum(hosts) == var)
                self.rv[s, d] = var
        return self.rv[s, d]

    def domains(self, s, level):
        """Hosts or racks server ``s`` may use."""
        hosts = np.flatnonzero(self.allowed[s])
        return set((hosts if level == 'host' else self.rack[hosts]).tolist())

    def forbid(self, s, level, domains):
        """Keep server ``s`` out of the given hosts or racks."""
        for d in domains:
            var = self.lv(s, level, int(d))
            if var is not None:
                self.model.Add(var == 0)

    def _capacity(self):
        free = self.problem.free
        demand = np.ceil(self.problem.demand - EPSILON).astype(np.int64)
        for h, members in self.on_host.items():
            need = demand[[s for s, _v in members]]
            for r in range(3):
                cap = int(np.floor(free[h, r] + EPSILON))
                if need[:, r].sum() > cap:
                    self.model.Add(sum(int(need[i, r]) * var for i, (
                        _s, var) in enumerate(members)) <= cap)

    def _affinity(self, group):
        servers = group.servers.tolist()
        common = set.intersection(*[self.domains(s, group.level)
                                    for s in servers])
        if len(group.held):
            common &= set(group.held.tolist())
        z = dict((d, self.model.NewBoolVar('a%d_%d' % (group.index, d)))
                 for d in sorted(common))
        self.model.Add(sum(z.values()) == 1)
        for s in servers:
            for d in self.domains(s, group.level):
                var = self.lv(s, group.level, d)
                if d in z:
                    self.model.AddImplication(var, z[d])
                else:
                    self.model.Add(var == 0)

    def _diversity(self, group):
        servers = group.servers.tolist()
        for s in servers:
            self.forbid(s, group.level, group.held.tolist())
        by_unit = {}
        for s in servers:
            by_unit.setdefault(group.unit_of[s], []).append(s)
        doms = set.union(*[self.domains(s, group.level) for s in servers])
        for d in sorted(doms):
            present = []
            for u, members in sorted(by_unit.items()):
                lits = [v for v in (self.lv(s, group.level, d)
                                    for s in members) if v is not None]
                if len(lits) == 1:
                    present.append(lits[0])
                elif lits:
                    w = self.model.NewBoolVar('w%d_%d_%d' % (
                        group.index, u, d))
                    for lit in lits:
                        self.model.AddImplication(lit, w)
                    present.append(w)
            if len(present) > 1:
                self.model.AddAtMostOne(present)

    def _exclusivity(self, group):
        members = set(group.servers.tolist())
        others = [s for s in range(self.problem.n_servers)
                  if s not in members]
        for s in members:
            self.forbid(s, group.level, np.flatnonzero(group.foreign))
        for s in others:
            # Where the named group already runs, nothing else may go.
            self.forbid(s, group.level, group.held.tolist())
        doms = set.union(*[self.domains(s, group.level) for s in members])
        for d in sorted(doms):
            lits = [v for v in (self.lv(s, group.level, d) for s in members)
                    if v is not None]
            if not lits:
                continue
            held = self.model.NewBoolVar('e%d_%d' % (group.index, d))
            for lit in lits:
                self.model.AddImplication(lit, held)
            for s in others:
                var = self.lv(s, group.level, d)
                if var is not None:
                    self.model.AddImplication(var, held.Not())

    def _objective(self):
        """Build the three objective terms of engine.md, in order."""
        p = self.problem
        cross = []
        for link in p.links:
            servers = list(link.members)
            racks = set.intersection(*[self.domains(s, 'rack')
                                       for s in servers])
            inside = []
            for k in sorted(racks):
                var = self.model.NewBoolVar('l%s_%d' % (link.name, k))
                for s in servers:
                    self.model.AddImplication(var, self.lv(s, 'rack', k))
                inside.append(var)
            if len(inside) > 1:
                self.model.AddAtMostOne(inside)
            # Cross-rack Mbps = bandwidth x (1 - inside).
            bandwidth = int(round(link.bandwidth))
            cross.append(bandwidth - bandwidth * sum(inside))
        opened = []
        occupied = p.datacenter.occupied
        for h, members in self.on_host.items():
            if occupied[h]:
                continue
            var = self.model.NewBoolVar('o%d' % h)
            for _s, lit in members:
                self.model.AddImplication(lit, var)
            opened.append(var)
        fit = []
        capacity = np.maximum(p.datacenter.capacity, 1.0)
        for (s, h), var in self.x.items():
            r = int(np.argmax(p.demand[s] / capacity[h]))
            left = (p.free[h, r] - p.demand[s, r]) / capacity[h, r]
            penalty = int(round(FIT_SCALE * min(1.0, max(0.0, left))))
            if penalty:
                fit.append(penalty * var)
        self.objectives = [sum(cross), sum(opened), sum(fit)]

    def hint(self, solver):
        """Start the next stage from the current solution."""
        self.model.ClearHints()
        for var in self.x.values():
            self.model.AddHint(var, solver.BooleanValue(var))


class ExactOptimizer(base.Optimizer):
    """Optimal placement by constraint programming (OR-Tools CP-SAT)."""

    name = 'exact'
    #: CP-SAT workers; 1 keeps the result deterministic for a seed.
    workers = 1

    def __init__(self, conf, constraints):
        if cp_model is None:
            raise exception.PluginNotFound(
                'The "exact" optimizer needs the ortools package (CP-SAT): '
                'install it with "pip install valet[exact]" or choose '
                'another [engine] optimizer.')
        super().__init__(conf, constraints)

    def _solver(self, problem, deadline):
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(
            0.01, deadline - time.monotonic())
        solver.parameters.num_workers = self.workers
        solver.parameters.random_seed = int(problem.seed)
        return solver

    def _run(self, problem, allowed, rules, deadline):
        """Solve the three objectives one after the other (lexicographic).

        Each stage keeps the previous objectives at their best value and
        starts from the previous solution, which proves optima far sooner
        than one weighted sum would. ``proven`` tells, stage by stage,
        whether the optimum was proven.
        """
        start = time.monotonic()
        model = PlacementModel(problem, allowed, rules)
        found, status, proven, values = None, cp_model.UNKNOWN, [], []
        for stage, objective in enumerate(model.objectives):
            if isinstance(objective, int) and stage:
                values.append(objective)
                proven.append(True)
                continue
            model.model.Minimize(objective)
            limit = deadline
            if stage == len(model.objectives) - 1:
                # Fit only breaks ties: it gets half the time the rest took.
                now = time.monotonic()
                limit = min(deadline, now + max(1.0, (now - start) / 2))
            solver = self._solver(problem, limit)
            status = solver.Solve(model.model)
            if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                if found is None:
                    return model, None, status, False, values
                break
            found = dict((key, solver.BooleanValue(var))
                         for key, var in model.x.items())
            value = int(round(solver.ObjectiveValue()))
            values.append(value)
            proven.append(status == cp_model.OPTIMAL)
            model.model.Add(objective <= value)
            model.hint(solver)
            if time.monotonic() >= deadline:
                break
        return model, found, status, proven, values

    def solve(self, problem, deadline):
        """Solve ``problem`` to optimality or until ``deadline``."""
        allowed = allowed_hosts(problem, self.constraints)
        stuck = [s for s in range(problem.n_servers) if not allowed[s].any()]
        if stuck:
            names = problem.names(stuck)
            return base.Solution.failed(
                'No host passes the filters for server(s) %s'
                % ', '.join(names),
                {'filters': {'servers': names,
                             'hosts_excluded': problem.datacenter.n_hosts}})
        rules = [c.name for c in self.constraints if c.name in MODELLED]
        model, found, status, proven, values = self._run(
            problem, allowed, rules, deadline)
        optimal = bool(found) and len(proven) == 3 and all(proven)
        stats = {'optimal': optimal, 'proven': proven,
                 'status': getattr(status, 'name', str(status)),
                 'objectives': values, 'variables': len(model.x)}
        if found:
            placements = dict((problem.servers[s].name, h)
                              for (s, h), chosen in found.items() if chosen)
            return base.Solution(placements, stats=stats)
        if status == cp_model.INFEASIBLE:
            blocking = self._blocking(problem, allowed, rules, deadline)
            return base.Solution.failed(
                'No placement satisfies every rule (proven by the exact '
                'solver); it exists without: %s'
                % (', '.join(blocking) or 'no single rule'),
                dict((rule, {'servers': problem.names(range(
                    problem.n_servers))}) for rule in blocking), stats)
        return base.Solution.failed(
            'The exact solver found no placement before the deadline (%s); '
            'give it more time ([engine] time_limit, or --time-limit of '
            'valet-manage plan)' % stats['status'], stats=stats)

    def _blocking(self, problem, allowed, rules, deadline):
        """Rules whose removal alone makes the problem feasible."""
        found = []
        for rule in rules:
            if time.monotonic() >= deadline:
                break
            model = PlacementModel(problem, allowed,
                                   [r for r in rules if r != rule])
            status = self._solver(problem, deadline).Solve(model.model)
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                found.append(rule)
        return found
