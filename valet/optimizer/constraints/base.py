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

"""Base class of the hard-rule plugins (``valet.engine.constraints``).

A constraint narrows a boolean mask of candidate hosts for a unit (servers
that go to one host) given the current state of the search, and reports
how many hosts it removed so that a failure can be explained rule by rule.
Static constraints depend only on the problem and the unit; their masks are
computed once per unit.
"""

import abc

import numpy as np


class Constraint(object, metaclass=abc.ABCMeta):
    """A hard rule of placement.

    :param conf: the caller's ``ConfigOpts`` (plugins may read options).
    """

    #: Plugin name, as in the entry point and ``[engine] constraints``.
    name = None
    #: True when :meth:`allowed` ignores the state (cached per unit).
    static = False

    def __init__(self, conf=None):
        self.conf = conf

    @abc.abstractmethod
    def allowed(self, state, unit):
        """Return the bool mask of hosts allowed for ``unit``, or None.

        None means the rule does not restrict this unit at all (cheaper
        than a mask of all True).
        """

    def narrow(self, state, unit, mask, report=None):
        """Return ``mask`` narrowed by this rule.

        When ``report`` is a list, append ``(name, hosts removed)``.
        """
        if self.static:
            if self.name not in unit.cache:
                unit.cache[self.name] = self.allowed(state, unit)
            allowed = unit.cache[self.name]
        else:
            allowed = self.allowed(state, unit)
        if allowed is None:
            new = mask
        else:
            new = mask & allowed
        if report is not None:
            removed = int(np.count_nonzero(mask) - np.count_nonzero(new))
            report.append((self.name, removed))
        return new


class ServerConstraint(Constraint):
    """A static rule each server states for itself (its zone, its flavor).

    A unit may go wherever every one of its members may.
    """

    static = True

    @abc.abstractmethod
    def server_allowed(self, datacenter, server):
        """Return the bool mask of hosts allowed for server, or None."""

    def allowed(self, state, unit):
        """Hosts allowed for every member of the unit, or None."""
        problem = state.problem
        mask = None
        for s in unit.servers:
            smask = self.server_allowed(problem.datacenter,
                                        problem.servers[s])
            if smask is not None:
                mask = smask if mask is None else mask & smask
        return mask


def base_mask(state, unit):
    """Hosts enabled and within every member's own allowed hosts."""
    problem = state.problem
    mask = problem.datacenter.enabled.copy()
    for s in unit.servers:
        extra = problem.host_masks.get(s)
        if extra is not None:
            mask &= extra
    return mask


def candidates(constraints, state, unit, report=None):
    """Hosts where ``unit`` may go now under every constraint."""
    mask = base_mask(state, unit)
    if report is not None:
        report.append(('enabled_hosts', int(len(mask) -
                                            np.count_nonzero(mask))))
    for constraint in constraints:
        mask = constraint.narrow(state, unit, mask, report)
    return mask
