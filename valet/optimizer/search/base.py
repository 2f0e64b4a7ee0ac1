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

"""The interface every optimizer plugin implements.

An optimizer gets a :class:`valet.optimizer.problem.Problem` (the data center
snapshot, the servers still to place, their groups and links, what is fixed)
and returns a :class:`Solution`. It never touches a database or the network.
Plugins live in the ``valet.engine.optimizers`` stevedore namespace and are
built with the ``ConfigOpts`` the caller uses.
"""

import abc


class Solution(object):
    """What an optimizer found.

    :ivar placements: ``{server name: host index}`` for every server of the
        problem (fixed ones included) when ``ok``; empty on failure.
    :ivar ok: whether every server is placed with every hard rule held.
    :ivar reason: one sentence saying why no placement exists (failure).
    :ivar explanation: ``{rule: {"hosts_excluded": n, "servers": [...]}}``
        telling how many hosts each rule removed for the servers that could
        not be placed (failure).
    :ivar stats: free-form counters of the search (iterations, restarts...).
    """

    def __init__(self, placements=None, ok=True, reason=None,
                 explanation=None, stats=None):
        self.placements = dict(placements or {})
        self.ok = ok
        self.reason = reason
        self.explanation = dict(explanation or {})
        self.stats = dict(stats or {})

    @classmethod
    def failed(cls, reason, explanation=None, stats=None):
        """Build a failed solution with its reason and explanation."""
        return cls(ok=False, reason=reason, explanation=explanation,
                   stats=stats)


class Optimizer(object, metaclass=abc.ABCMeta):
    """Base class of the optimizer plugins.

    :param conf: the ``ConfigOpts`` with the ``[engine]`` group registered.
    :param constraints: the enabled constraint plugin objects, in order
        (see :mod:`valet.optimizer.constraints`).
    """

    #: Name of the plugin, as in the entry point.
    name = None

    def __init__(self, conf, constraints):
        self.conf = conf
        self.constraints = list(constraints)

    @abc.abstractmethod
    def solve(self, problem, deadline):
        """Place every unfixed server of ``problem``.

        :param problem: a :class:`valet.optimizer.problem.Problem`.
        :param deadline: ``time.monotonic()`` value by which the optimizer
            must return. A valid placement found before it is returned even
            if it may not be optimal.
        :returns: a :class:`Solution`; ``placements`` covers the fixed
            servers too.
        """
