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

"""Policies of /v1/plans: a project's own plans, the service, the admin.

The target of each check is the plan's project: ``{"project_id": ...}``
(for a creation, the caller's project).
"""

from oslo_policy import policy

from valet.policies import base

PREFIX = 'valet:plans:%s'
CREATE = PREFIX % 'create'
LIST = PREFIX % 'list'
LIST_ALL = PREFIX % 'list:all_projects'
SHOW = PREFIX % 'show'
UPDATE = PREFIX % 'update'
DELETE = PREFIX % 'delete'

OWNER_SERVICE_OR_ADMIN = '%s or %s or %s' % (base.PROJECT_MEMBER,
                                             base.SERVICE, base.ADMIN)
_SCOPE = ['project']
_ONE = '/v1/plans/{plan_or_stack_id}'

rules = [
    policy.DocumentedRuleDefault(
        name=CREATE, check_str=OWNER_SERVICE_OR_ADMIN, scope_types=_SCOPE,
        description="Place a stack: create a plan for one's own project.",
        operations=[{'method': 'POST', 'path': '/v1/plans'}]),
    policy.DocumentedRuleDefault(
        name=LIST, check_str=OWNER_SERVICE_OR_ADMIN, scope_types=_SCOPE,
        description="List the plans of one's own project.",
        operations=[{'method': 'GET', 'path': '/v1/plans'}]),
    policy.DocumentedRuleDefault(
        name=LIST_ALL, check_str=base.ADMIN_OR_SERVICE, scope_types=_SCOPE,
        description='List the plans of every project.',
        operations=[{'method': 'GET', 'path': '/v1/plans'}]),
    policy.DocumentedRuleDefault(
        name=SHOW, check_str=OWNER_SERVICE_OR_ADMIN, scope_types=_SCOPE,
        description='Show a plan.',
        operations=[{'method': 'GET', 'path': _ONE}]),
    policy.DocumentedRuleDefault(
        name=UPDATE, check_str=OWNER_SERVICE_OR_ADMIN, scope_types=_SCOPE,
        description='Update a plan (stack update) or migrate a server.',
        operations=[{'method': 'PUT', 'path': _ONE}]),
    policy.DocumentedRuleDefault(
        name=DELETE, check_str=OWNER_SERVICE_OR_ADMIN, scope_types=_SCOPE,
        description='Delete a plan and release what it holds.',
        operations=[{'method': 'DELETE', 'path': _ONE}]),
]


def list_rules():
    """Return the plans rules."""
    return rules
