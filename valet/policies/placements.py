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

"""Policies of /v1/placements: the Nova filter (service) and the admin.

The target of each check is the placement's project:
``{"project_id": ...}``.
"""

from oslo_policy import policy

from valet.policies import base

PREFIX = 'valet:placements:%s'
LIST = PREFIX % 'list'
SHOW = PREFIX % 'show'
RESERVE = PREFIX % 'reserve'
DELETE = PREFIX % 'delete'

READERS = '%s or %s' % (base.ADMIN_OR_SERVICE, base.PROJECT_READER)
_SCOPE = ['project']
_ONE = '/v1/placements/{placement_or_orchestration_id}'

rules = [
    policy.DocumentedRuleDefault(
        name=LIST, check_str=READERS, scope_types=_SCOPE,
        description='Search placements by field or scheduler hint.',
        operations=[{'method': 'GET', 'path': '/v1/placements'}]),
    policy.DocumentedRuleDefault(
        name=SHOW, check_str=READERS, scope_types=_SCOPE,
        description='Show a placement.',
        operations=[{'method': 'GET', 'path': _ONE}]),
    policy.DocumentedRuleDefault(
        name=RESERVE, check_str=base.ADMIN_OR_SERVICE, scope_types=_SCOPE,
        description='Reserve (or re-plan) the host of a placement.',
        operations=[{'method': 'POST', 'path': _ONE}]),
    policy.DocumentedRuleDefault(
        name=DELETE, check_str=base.ADMIN_OR_SERVICE, scope_types=_SCOPE,
        description='Delete a placement.',
        operations=[{'method': 'DELETE', 'path': _ONE}]),
]


def list_rules():
    """Return the placements rules."""
    return rules
