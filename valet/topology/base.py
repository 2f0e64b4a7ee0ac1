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

"""Topology sources: where the engine learns the data center from.

A source is a stevedore plugin in the ``valet.topology`` namespace, built
with the caller's ``ConfigOpts``. ``static`` reads a YAML file; a ``nova``
source (Nova and Placement APIs) implements the same interface.
"""

import abc


class TopologySource(object, metaclass=abc.ABCMeta):
    """Base class of the topology sources."""

    def __init__(self, conf):
        self.conf = conf

    @abc.abstractmethod
    def load(self, existing=None):
        """Return a :class:`~valet.optimizer.model.datacenter.Datacenter`.

        :param existing: optional list of
            :class:`~valet.optimizer.model.datacenter.ExistingServer` running
            on top of what the source knows, and ``group_defs``.
        :raises valet.optimizer.exception.InvalidTopology: naming the source
            and the field.
        """
