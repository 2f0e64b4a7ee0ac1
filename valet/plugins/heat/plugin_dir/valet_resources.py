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

"""Valet's Heat resource types, for Heat's ``plugin_dirs`` loader.

Heat imports this file under a name of its own
(``heat.engine.plugins.valet_resources``); the classes themselves live in
:mod:`valet.plugins.heat`, imported normally, so that there is one copy of
each.
"""

from valet.plugins.heat import group
from valet.plugins.heat import group_assignment
from valet.plugins.heat import pipe


def resource_mapping():
    """The resource types Heat registers from this plugin directory."""
    mapping = {}
    for module in (group_assignment, pipe, group):
        mapping.update(module.resource_mapping())
    return mapping
