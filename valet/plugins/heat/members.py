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

"""What a group assignment or a pipe may name, and how it is found.

A member is named as Heat gives it: a resource name (a plain string, or
``{get_resource: NAME}`` before the resource exists) or the resource's
physical id (``get_resource`` once it exists, e.g. on a stack update). It
is a server, a group assignment, or a nested stack holding servers (a
template resource, an ``OS::Heat::ResourceGroup``...), whose servers are
then all members.
"""

from heat.common import exception
from heat.engine.resources.openstack.nova import server
from heat.engine.resources import stack_resource
from heat.engine import rsrc_defn

ASSIGNMENT = 'ATT::Valet::GroupAssignment'
PIPE = 'ATT::Valet::Pipe'
SERVER = 'OS::Nova::Server'


def find(stack, value):
    """The resource of ``stack`` that ``value`` names, or None."""
    if not isinstance(value, str):
        return None
    if value in stack:
        return stack[value]
    for res in stack.resources.values():
        if res.resource_id is not None and res.resource_id == value:
            return res
    return None


def is_server(res):
    return isinstance(res, server.Server)


def is_assignment(res):
    # By type name, not class: Heat loads the plugin_dirs module under a
    # name of its own.
    return res.has_interface(ASSIGNMENT)


def is_nested(res):
    return isinstance(res, stack_resource.StackResource)


def kind(res):
    """'server', 'assignment', 'nested' or None (not a valid member)."""
    if is_server(res):
        return 'server'
    if is_assignment(res):
        return 'assignment'
    if is_nested(res):
        return 'nested'
    return None


def lookup(resource, prop, value):
    """The member ``value`` of ``resource``'s property ``prop``.

    :raises StackValidationFailed: with Heat's property path, when the
        value names no resource of the stack, or one that cannot be a
        member.
    """
    found = find(resource.stack, value)
    if found is None:
        raise property_error(
            resource, prop, '%r is not a resource of the stack (members are '
            'servers, group assignments or nested stacks of servers, named '
            'by resource name or get_resource)' % (value,))
    if kind(found) is None:
        raise property_error(
            resource, prop, '%r is a %s, not an %s, an %s or a nested stack '
            'of servers' % (found.name, found.type(), SERVER, ASSIGNMENT))
    if found is resource:
        raise property_error(resource, prop, '%r names itself' % (value,))
    return found


def property_error(resource, prop, message):
    """A StackValidationFailed on ``resources.NAME.properties.PROP``."""
    template = resource.stack.t
    return exception.StackValidationFailed(
        error='Property error',
        path=[template.RESOURCES, resource.name,
              template.get_section_name(rsrc_defn.PROPERTIES), prop],
        message=message)
