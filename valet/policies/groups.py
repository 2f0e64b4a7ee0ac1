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

"""Policies of /v1/groups: managed by admin, readable by readers/service."""

from oslo_policy import policy

from valet.policies import base

PREFIX = 'valet:groups:%s'
CREATE = PREFIX % 'create'
LIST = PREFIX % 'list'
SHOW = PREFIX % 'show'
UPDATE = PREFIX % 'update'
DELETE = PREFIX % 'delete'
MEMBERS_ADD = PREFIX % 'members:add'
MEMBERS_SHOW = PREFIX % 'members:show'
MEMBERS_DELETE = PREFIX % 'members:delete'

_SCOPE = ['project']

rules = [
    policy.DocumentedRuleDefault(
        name=CREATE, check_str=base.ADMIN, scope_types=_SCOPE,
        description='Create a group.',
        operations=[{'method': 'POST', 'path': '/v1/groups'}]),
    policy.DocumentedRuleDefault(
        name=LIST, check_str=base.ANY_READER_OR_SERVICE, scope_types=_SCOPE,
        description='List groups.',
        operations=[{'method': 'GET', 'path': '/v1/groups'}]),
    policy.DocumentedRuleDefault(
        name=SHOW, check_str=base.ANY_READER_OR_SERVICE, scope_types=_SCOPE,
        description='Show a group.',
        operations=[{'method': 'GET', 'path': '/v1/groups/{group}'}]),
    policy.DocumentedRuleDefault(
        name=UPDATE, check_str=base.ADMIN, scope_types=_SCOPE,
        description="Change a group's description.",
        operations=[{'method': 'PUT', 'path': '/v1/groups/{group}'}]),
    policy.DocumentedRuleDefault(
        name=DELETE, check_str=base.ADMIN, scope_types=_SCOPE,
        description='Delete a group.',
        operations=[{'method': 'DELETE', 'path': '/v1/groups/{group}'}]),
    policy.DocumentedRuleDefault(
        name=MEMBERS_ADD, check_str=base.ADMIN, scope_types=_SCOPE,
        description='Add member projects to a group.',
        operations=[{'method': 'PUT', 'path': '/v1/groups/{group}/members'}]),
    policy.DocumentedRuleDefault(
        name=MEMBERS_SHOW, check_str=base.ANY_READER_OR_SERVICE,
        scope_types=_SCOPE,
        description='Check whether a project is a member of a group.',
        operations=[{'method': 'GET',
                     'path': '/v1/groups/{group}/members/{project}'}]),
    policy.DocumentedRuleDefault(
        name=MEMBERS_DELETE, check_str=base.ADMIN, scope_types=_SCOPE,
        description='Remove one or every member project of a group.',
        operations=[{'method': 'DELETE',
                     'path': '/v1/groups/{group}/members/{project}'},
                    {'method': 'DELETE',
                     'path': '/v1/groups/{group}/members'}]),
]


def list_rules():
    """Return the groups rules."""
    return rules
