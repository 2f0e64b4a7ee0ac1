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

"""Policy of /v1/status: the operator and the integrations may ask."""

from oslo_policy import policy

from valet.policies import base

SHOW = 'valet:status:show'

rules = [
    policy.DocumentedRuleDefault(
        name=SHOW, check_str=base.ADMIN_OR_SERVICE, scope_types=['project'],
        description='Check that the database and an engine answer.',
        operations=[{'method': 'GET', 'path': '/v1/status'},
                    {'method': 'HEAD', 'path': '/v1/status'}]),
]


def list_rules():
    """Return the status rules."""
    return rules
