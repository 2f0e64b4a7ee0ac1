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

"""Improvement of a complete placement by moving one unit at a time.

Each pass takes every unit off its host and puts it back on the host that
lowers the primary objective most (cross-rack bandwidth, then empty hosts
opened), keeping every hard rule. Only strict improvements are taken, so
the search converges; it stops after a pass without one, or at the
deadline.
"""

import time

import numpy as np

from valet.engine.constraints import base

# Smallest objective change counted as an improvement.
MARGIN = 1e-6


def _move(problem, constraints, scorer, state, unit):
    current = int(state.where[unit.servers[0]])
    state.remove(unit)
    mask = base.candidates(constraints, state, unit)
    mask[current] = True
    idx = np.flatnonzero(mask)
    cost = scorer.primary(state, unit, idx)
    here = cost[np.searchsorted(idx, current)]
    best = int(np.argmin(cost))
    if cost[best] < here - MARGIN:
        state.place(unit, int(idx[best]))
        return True
    state.place(unit, current)
    return False


def improve(problem, constraints, scorer, state, units, deadline):
    """Improve ``state`` in place until no move helps or ``deadline``.

    :returns: the number of moves made.
    """
    movable = [u for u in units if u.links or not
               problem.datacenter.occupied[state.where[u.servers[0]]]]
    moves = 0
    while movable:
        improved = False
        for unit in movable:
            if time.monotonic() >= deadline:
                return moves
            if _move(problem, constraints, scorer, state, unit):
                improved = True
                moves += 1
        if not improved:
            break
    return moves
