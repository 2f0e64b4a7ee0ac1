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

"""Entry points for oslo-config-generator (``oslo.config.opts[.defaults]``)."""

import valet.conf
from valet.conf import api
from valet.conf import database
from valet.conf import messaging


def list_opts():
    """List Valet's own options, grouped, for the sample config file."""
    return valet.conf.list_opts()


def set_library_defaults():
    """Show Valet's defaults for library options in the sample config.

    The ``oslo.config.opts.defaults`` hook of oslo-config-generator.
    """
    api.set_library_defaults()
    database.set_library_defaults()
    messaging.set_library_defaults()
