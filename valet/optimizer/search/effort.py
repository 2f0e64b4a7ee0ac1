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

"""Search effort counted in work, with the clock only as a safety cap.

Each phase of the improvement search gets a budget of work units (moves
tried, exchanges tried, parts relocated) that depends on the size of the
problem only, so the same input gives the same plan on a fast machine and
a loaded one, in a cold process and a warm one. The deadline
(``[engine] time_limit`` after the search started) is a safety cap that a
healthy search never reaches: when it is reached the search stops where it
is, ``capped`` says so, and the plan may then depend on the machine.
"""

import time


class Effort(object):
    """Work left to one phase of the search, under a shared safety cap.

    :param budget: work units the phase may spend.
    :param deadline: ``time.monotonic()`` value of the safety cap.
    :param tally: a dict collecting the work spent, by ``kind``, over
        every phase of a request (the search's statistics).
    :param kind: the name this phase's work is counted under.
    """

    __slots__ = ('left', 'deadline', 'tally', 'kind')

    def __init__(self, budget, deadline, tally, kind):
        self.left = int(budget)
        self.deadline = deadline
        self.tally = tally
        self.kind = kind
        tally.setdefault(kind, 0)

    def spend(self, units=1):
        """Take ``units`` of work; False when the budget or the cap is out.
        """
        if self.left < units:
            return False
        if time.monotonic() >= self.deadline:
            self.tally['capped'] = True
            return False
        self.left -= units
        self.tally[self.kind] += units
        return True

    def charge(self, units=1):
        """Count ``units`` of work already done (the budget may go below 0).
        """
        self.left -= units
        self.tally[self.kind] += units

    def past_cap(self):
        """Whether the safety cap is reached (the budget aside)."""
        if time.monotonic() >= self.deadline:
            self.tally['capped'] = True
            return True
        return False

    def out(self):
        """Whether no work is left (budget spent or safety cap reached)."""
        if self.left <= 0:
            return True
        if time.monotonic() >= self.deadline:
            self.tally['capped'] = True
            return True
        return False
