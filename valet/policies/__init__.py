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

"""Valet's policy defaults, in code, one module per noun."""

import itertools

from valet.policies import base
from valet.policies import groups
from valet.policies import placements
from valet.policies import plans
from valet.policies import status


def list_rules():
    """Return every default rule (the oslo.policy.policies entry point)."""
    return list(itertools.chain(
        base.list_rules(),
        groups.list_rules(),
        plans.list_rules(),
        placements.list_rules(),
        status.list_rules(),
    ))
