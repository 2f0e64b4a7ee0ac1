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

"""Why a unit has no host: the rule that blocks it, in one sentence.

The filter that removes the last candidates is often not the one to
blame: at high load capacity leaves a handful of hosts, and whichever
rule happens to come last in the chain removes them. The blocking rule is
found by relaxation instead: a rule blocks the unit when, with that rule
alone left out, some host would take it. Among the blocking rules, those
of the unit's own groups (affinity, diversity, exclusivity) come first,
the latest of them in the chain (the earlier ones say where the unit must
go, the later one what leaves no room there); then the other rules, the
one that removed most hosts first. When no single rule blocks alone, the
rule after which no candidate was left is named.
"""

import numpy as np

from valet.optimizer.constraints import base

ENABLED = 'enabled_hosts'


def _relaxed_count(constraints, state, unit, skip):
    """Hosts left for ``unit`` with the rule ``skip`` left out."""
    problem = state.problem
    if skip == ENABLED:
        mask = np.ones(problem.datacenter.n_hosts, dtype=bool)
        for s in unit.servers:
            extra = problem.host_masks.get(s)
            if extra is not None:
                mask &= extra
    else:
        mask = base.base_mask(state, unit)
    for constraint in constraints:
        if constraint.name != skip:
            mask = constraint.narrow(state, unit, mask)
            if not mask.any():
                return 0
    return int(np.count_nonzero(mask))


def diagnose(problem, constraints, state, unit):
    """Return ``(report, left, rule, hosts)`` for ``unit`` in ``state``.

    ``report`` lists ``(rule, hosts removed)`` in chain order, ``left``
    the hosts the whole chain leaves, ``rule`` the blocking rule (None
    when hosts are left) and ``hosts`` how many hosts would take the unit
    without that rule (None when no rule blocks alone).
    """
    report = []
    left = int(np.count_nonzero(base.candidates(constraints, state, unit,
                                                report)))
    if left:
        return report, left, None, None
    own = {problem.groups[g].type for g in unit.groups}
    blocking = []
    for position, (rule, removed) in enumerate(report):
        if removed:
            hosts = _relaxed_count(constraints, state, unit, rule)
            if hosts:
                blocking.append((position, rule, removed, hosts))
    mine = [b for b in blocking if b[1] in own]
    if mine:
        _pos, rule, _removed, hosts = mine[-1]
        return report, left, rule, hosts
    if blocking:
        _pos, rule, _removed, hosts = min(
            blocking, key=lambda b: (-b[2], b[0]))
        return report, left, rule, hosts
    remaining = problem.datacenter.n_hosts
    for rule, removed in report:
        remaining -= removed
        if removed and remaining <= 0:
            return report, left, rule, None
    return report, left, report[-1][0], None


def _group_words(problem, group):
    """``name (level level[, named group N, running in L])``."""
    words = '%s (%s level' % (group.name, group.level)
    if group.named and group.named != group.name:
        words += ', named group %s' % group.named
    if len(group.held):
        dc = problem.datacenter
        names = dc.host_names if group.level == 'host' else dc.rack_names
        held = [names[i] for i in group.held[:5]]
        if len(group.held) > 5:
            held.append('...')
        words += ', running in %s %s' % (group.level, ', '.join(held))
    return words + ')'


def sentence(problem, rule, unit, hosts):
    """The one-line reason naming ``rule`` and the servers it blocks.

    A rule of the unit's own groups is followed by those groups' names.
    """
    groups = [_group_words(problem, problem.groups[g])
              for g in unit.groups if problem.groups[g].type == rule]
    reason = ('No host satisfies rule %r%s for server(s) %s: %d host(s) '
              'examined' % (rule, ' of group %s' % ', '.join(groups)
                            if groups else '',
                            ', '.join(unit.names(problem)),
                            problem.datacenter.n_hosts))
    if hosts:
        reason += '; without this rule %d host(s) would take them' % hosts
    return reason


def explain(problem, constraints, state, unit):
    """Return ``(reason, explanation, rule)`` for a unit with no host.

    ``explanation`` maps each rule of the chain to the hosts it excluded
    and the servers concerned. ``rule`` is None when the rules leave the
    unit some host (only the search ruled them out).
    """
    report, left, rule, hosts = diagnose(problem, constraints, state, unit)
    names = unit.names(problem)
    explanation = dict((name, {'hosts_excluded': removed, 'servers': names})
                       for name, removed in report)
    return sentence(problem, rule or report[-1][0], unit, hosts), \
        explanation, rule
