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

"""Errors of the optimizer library.

The library depends on nothing outside ``valet.engine`` (no database, RPC or
HTTP), so it keeps its own errors; the service maps them to the API's.
"""


class EngineError(Exception):
    """Base class of every error the optimizer library raises."""

    def __init__(self, message):
        self.message = message
        super().__init__(message)


class InvalidStack(EngineError):
    """A stack breaks a modelling rule; names the resource and the rule."""

    def __init__(self, resource, reason):
        self.resource = resource
        self.reason = reason
        super().__init__("Resource '%s': %s" % (resource, reason))


class InvalidTopology(EngineError):
    """A topology or existing-servers description is malformed.

    ``source`` is the file (or other origin) and ``field`` the path of the
    offending field inside it, e.g. ``hosts[3].vcpus``.
    """

    def __init__(self, source, field, reason):
        self.source = source
        self.field = field
        self.reason = reason
        super().__init__('%s: %s: %s' % (source, field, reason))


class InvalidRequest(EngineError):
    """A request names something the problem does not have."""


class PluginNotFound(EngineError):
    """A configured constraint, optimizer or topology plugin is missing."""
