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

"""The personas that Valet's policies are written with.

* admin: the operator (Keystone role ``admin``).
* project member / project reader: roles ``member`` / ``reader`` on the
  project named in the target (Keystone flattens implied roles into the
  token, so an admin is also member and reader).
* service: the Heat and Nova integrations (role ``service``).
"""

from oslo_policy import policy

ADMIN = 'rule:context_is_admin'
SERVICE = 'rule:service_api'
PROJECT_MEMBER = 'rule:project_member_api'
PROJECT_READER = 'rule:project_reader_api'
ANY_READER = 'rule:any_reader_api'

ADMIN_OR_SERVICE = 'rule:admin_or_service_api'
ANY_READER_OR_SERVICE = '%s or %s or %s' % (ADMIN, SERVICE, ANY_READER)

rules = [
    policy.RuleDefault(
        'context_is_admin', 'role:admin',
        description='The operator: may manage every Valet resource.'),
    policy.RuleDefault(
        'service_api', 'role:service',
        description='The Heat and Nova integrations of Valet.'),
    policy.RuleDefault(
        'admin_or_service_api', '%s or %s' % (ADMIN, SERVICE),
        description='The operator or a Valet integration.'),
    policy.RuleDefault(
        'project_member_api',
        'role:member and project_id:%(project_id)s',
        description='A member of the project that owns the resource.'),
    policy.RuleDefault(
        'project_reader_api',
        'role:reader and project_id:%(project_id)s',
        description='A reader of the project that owns the resource.'),
    policy.RuleDefault(
        'any_reader_api', 'role:reader',
        description='A reader of any project.'),
]


def list_rules():
    """Return the persona rules."""
    return rules
