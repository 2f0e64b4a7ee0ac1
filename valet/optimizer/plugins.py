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

"""Loading of the engine's stevedore plugins."""

import functools

from stevedore import driver
from stevedore import named

from valet.optimizer import exception

CONSTRAINTS = 'valet.engine.constraints'
OPTIMIZERS = 'valet.engine.optimizers'
TOPOLOGY = 'valet.topology'


@functools.lru_cache(maxsize=32)
def _constraint_classes(names):
    missing = []
    manager = named.NamedExtensionManager(
        CONSTRAINTS, names=list(names), name_order=True,
        on_missing_entrypoints_callback=missing.extend)
    if missing:
        raise exception.PluginNotFound(
            'unknown constraint(s) in [engine] constraints: %s'
            % ', '.join(sorted(missing)))
    return tuple(ext.plugin for ext in manager)


def load_constraints(conf, names=None):
    """Instantiate the constraints named (default ``[engine] constraints``).

    Plugin classes are looked up once per list of names and cached, since a
    service places many stacks with the same configuration.
    """
    if names is None:
        names = conf.engine.constraints
    return [cls(conf) for cls in _constraint_classes(tuple(names))]


@functools.lru_cache(maxsize=32)
def _driver_class(namespace, name):
    try:
        return driver.DriverManager(namespace, name,
                                    invoke_on_load=False).driver
    except Exception as exc:
        raise exception.PluginNotFound(
            'no plugin %r in namespace %s: %s' % (name, namespace, exc))


def load_optimizer(conf, name=None, constraints=None):
    """Instantiate the optimizer named (default ``[engine] optimizer``)."""
    if constraints is None:
        constraints = load_constraints(conf)
    cls = _driver_class(OPTIMIZERS, name or conf.engine.optimizer)
    return cls(conf, constraints)


def load_topology(conf, name=None):
    """Instantiate the topology source (default ``[engine] topology_driver``).
    """
    cls = _driver_class(TOPOLOGY, name or conf.engine.topology_driver)
    return cls(conf)
