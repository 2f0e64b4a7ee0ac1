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

"""Valet inside Heat: resource types, a client plugin, a lifecycle plugin.

* :mod:`.group_assignment`, :mod:`.pipe` and :mod:`.group` are the
  resource types ``ATT::Valet::GroupAssignment``, ``ATT::Valet::Pipe`` and
  ``OS::Valet::Group``. Heat finds them through ``plugin_dirs``: the
  directory of :mod:`valet.plugins.heat.plugin_dir` holds one module whose
  ``resource_mapping()`` returns them.
* :mod:`.client_plugin` is the ``valet`` client of Heat's ``heat.clients``
  namespace.
* :mod:`.lifecycle` sends a stack's plan to Valet before Heat creates,
  updates or deletes it; :mod:`.plan` builds that plan from Heat's own
  objects.
"""
