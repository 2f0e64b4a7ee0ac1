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

"""Domain exceptions shared by Valet's API, database layer and services.

Each exception carries an API-WG error ``code`` (``valet.<noun>.<what>``) so
that the API layer maps it to an HTTP error without guessing. The optimizer
library (``valet.engine``) keeps its own errors: it depends on nothing here.
"""


class ValetException(Exception):
    """Base class: ``msg_fmt`` is formatted with the keyword arguments."""

    msg_fmt = 'An unknown exception occurred.'
    error_code = 'valet.error'

    def __init__(self, message=None, **kwargs):
        self.kwargs = kwargs
        if message is None:
            try:
                message = self.msg_fmt % kwargs
            except (KeyError, TypeError):
                # A caller passed the wrong keywords: keep the template rather
                # than hiding the real error behind a formatting one.
                message = self.msg_fmt
        self.message = message
        super().__init__(message)


class NotFound(ValetException):
    msg_fmt = 'Resource could not be found.'
    error_code = 'valet.not_found'


class Conflict(ValetException):
    msg_fmt = 'Conflict.'
    error_code = 'valet.conflict'


class Invalid(ValetException):
    msg_fmt = 'Invalid input.'
    error_code = 'valet.invalid'


class ServiceUnavailable(ValetException):
    msg_fmt = 'A backend service is unavailable: %(reason)s'
    error_code = 'valet.service_unavailable'


class GroupNotFound(NotFound):
    msg_fmt = "Group '%(group)s' not found"
    error_code = 'valet.group.not_found'


class GroupNameExists(Conflict):
    msg_fmt = "A group named '%(name)s' already exists"
    error_code = 'valet.group.duplicate_name'


class GroupInUse(Conflict):
    msg_fmt = "Group '%(group)s' cannot be deleted: %(reason)s"
    error_code = 'valet.group.in_use'


class MemberNotFound(NotFound):
    msg_fmt = "Project '%(project)s' is not a member of group '%(group)s'"
    error_code = 'valet.group.member_not_found'


class MemberInUse(Conflict):
    msg_fmt = ("Project '%(project)s' still has servers in group "
               "'%(group)s'")
    error_code = 'valet.group.member_in_use'


class UnknownProjects(Invalid):
    msg_fmt = 'Unknown project ids: %(projects)s'
    error_code = 'valet.group.unknown_projects'


class Forbidden(ValetException):
    msg_fmt = 'Forbidden.'
    error_code = 'valet.forbidden'


class PolicyNotAuthorized(Forbidden):
    msg_fmt = 'Policy does not allow %(action)s to be performed.'
    error_code = 'valet.policy.not_authorized'


class PlanNotFound(NotFound):
    msg_fmt = "Plan '%(plan)s' not found"
    error_code = 'valet.plan.not_found'


class PlanExists(Conflict):
    msg_fmt = "Stack '%(stack_id)s' already has a plan"
    error_code = 'valet.plan.duplicate_stack'


class ServerAlreadyPlanned(Conflict):
    msg_fmt = ("Server '%(orchestration_id)s' is already placed by another "
               "plan")
    error_code = 'valet.plan.duplicate_server'


class NoPlacement(Conflict):
    """No host satisfies the rules; the message names the failing rule."""

    msg_fmt = 'No placement satisfies the rules: %(reason)s'
    error_code = 'valet.plan.no_placement'


class PlacementNotFound(NotFound):
    msg_fmt = "Placement '%(placement)s' not found"
    error_code = 'valet.placement.not_found'


class PlacementReserved(Conflict):
    msg_fmt = ("Placement '%(placement)s' is already reserved by server "
               "'%(resource_id)s'")
    error_code = 'valet.placement.reserved'


class NotGroupMember(Forbidden):
    msg_fmt = ("Project '%(project)s' is not a member of group "
               "'%(group)s' and cannot place servers in it")
    error_code = 'valet.group.not_member'


class GenerationConflict(Conflict):
    """A host or group changed after the engine read it: plan again.

    Internal to the engine's commit loop; never answered to a client.
    """

    msg_fmt = '%(kind)s %(name)s changed while the plan was computed'
    error_code = 'valet.plan.concurrent_update'


class ConfigurationError(ValetException):
    """An option's value can never work: the service refuses to start.

    The message names the option (``[group] name``) so that the one line
    a server logs tells the operator what to fix.
    """

    msg_fmt = '%(option)s: %(reason)s'
    error_code = 'valet.configuration'
