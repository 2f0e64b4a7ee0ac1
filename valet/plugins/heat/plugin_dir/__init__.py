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

"""The directory to add to heat.conf's ``plugin_dirs``.

Heat imports every module of a plugin directory (this file aside) and
registers what their ``resource_mapping()`` return; this directory holds
one, :mod:`.valet_resources`. Its path is printed by::

    python -c 'import valet.plugins.heat.plugin_dir as p; print(p.PATH)'
"""

import os

#: The directory's path, for heat.conf's ``plugin_dirs``.
PATH = os.path.dirname(os.path.abspath(__file__))
