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

"""An independent checker of placements, written from engine.md alone.

It reads only the external formats (topology dict, existing-servers dict,
Heat template ``resources`` and the ``placements`` output) and shares no code
with ``valet.engine``, so the property tests and the benchmark can judge the
engine without trusting it. :func:`check` lists every broken hard rule,
:func:`measure` computes the objective metrics, :func:`validate` finds the
malformed group rules a template may carry and :func:`contradictions` the
rules no placement can hold.

The code lives in :mod:`.problem` (the problem a placement answers: hosts,
servers, pipes), :mod:`.groups` (the group rules a stack states: named
groups joined by ``group_name`` or metadata, local groups, Nova server
groups) and :mod:`.rules` (each hard rule, the metrics and the template
checks); every name callers use is available here.
"""

from valet.tests.checker.problem import _resolve_flavor  # noqa: F401
from valet.tests.checker.problem import EPSILON  # noqa: F401
from valet.tests.checker.problem import flavor_demand  # noqa: F401
from valet.tests.checker.problem import GROUP  # noqa: F401
from valet.tests.checker.problem import PIPE  # noqa: F401
from valet.tests.checker.problem import Problem  # noqa: F401
from valet.tests.checker.problem import RESOURCES  # noqa: F401
from valet.tests.checker.problem import SERVER  # noqa: F401
from valet.tests.checker.problem import SERVER_GROUP  # noqa: F401
from valet.tests.checker.rules import _match  # noqa: F401
from valet.tests.checker.rules import check  # noqa: F401
from valet.tests.checker.rules import contradictions  # noqa: F401
from valet.tests.checker.rules import host_passes_extra_specs  # noqa: F401
from valet.tests.checker.rules import measure  # noqa: F401
from valet.tests.checker.rules import validate  # noqa: F401
