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

"""Valet's configuration options, one module per option group.

Nothing here touches a global ConfigOpts: callers build their own
cfg.ConfigOpts() and pass it to :func:`register_opts`.
"""

import importlib
import pkgutil


def _option_modules():
    """Yield every option module of this package (every module but opts)."""
    for info in pkgutil.iter_modules(__path__):
        if info.name == 'opts':
            continue
        yield importlib.import_module('%s.%s' % (__name__, info.name))


def register_opts(conf):
    """Register all of Valet's options (and oslo.log's) on conf."""
    # Imported here: a command that registers one group only (valet-manage
    # plan registers [engine]) imports the package without oslo.log.
    from oslo_log import log as logging

    logging.register_options(conf)
    for module in _option_modules():
        module.register_opts(conf)


def list_opts():
    """Return [(group, [opts])] for every option module, sorted by group."""
    found = {}
    for module in _option_modules():
        for group, opts in module.list_opts().items():
            found.setdefault(group, []).extend(opts)
    return sorted(found.items(), key=lambda item: str(item[0]))
