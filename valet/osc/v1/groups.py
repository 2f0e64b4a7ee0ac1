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

"""``openstack placement group ...`` (also spelt ``placement-group``).

Groups are Valet's named, long-lived placement rules that servers of
several stacks join; only admins manage them (Valet's default policy).
A group is named by its id or its name everywhere.
"""

from osc_lib.cli import format_columns
from osc_lib.command import command
from osc_lib import exceptions

from valet.osc import common

TYPES = ('affinity', 'diversity', 'exclusivity')
LEVELS = ('host', 'rack')
FIELDS = ('id', 'name', 'type', 'level', 'description', 'members')


def _show(group):
    """``(columns, values)`` of one group for a ShowOne."""
    values = [group.get(field) for field in FIELDS]
    values[FIELDS.index('members')] = format_columns.ListColumn(
        group.get('members') or [])
    return FIELDS, tuple(values)


def _group_argument(parser, help_text='Group (id or name)'):
    parser.add_argument('group', metavar='<group>', help=help_text)


class CreateGroup(common.ValetCommand, command.ShowOne):
    """Create a placement group."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'name', metavar='<name>',
            help='New group name (1 to 255 of A-Z a-z 0-9 - . _ ~)')
        parser.add_argument(
            '--type', metavar='<type>', required=True, choices=TYPES,
            help='Rule of the group: %s' % ', '.join(TYPES))
        parser.add_argument(
            '--level', metavar='<level>', required=True, choices=LEVELS,
            help='Where the rule applies: %s' % ', '.join(LEVELS))
        parser.add_argument(
            '--description', metavar='<description>',
            help='Group description')
        return parser

    def take_action(self, parsed_args):
        return _show(self.valet.create_group(
            parsed_args.name, parsed_args.type, parsed_args.level,
            parsed_args.description))


class ListGroup(common.ValetCommand, command.Lister):
    """List placement groups."""

    def take_action(self, parsed_args):
        headers = ('ID', 'Name', 'Type', 'Level', 'Description', 'Members')
        rows = [tuple(group.get(field) for field in FIELDS[:-1]) +
                (format_columns.ListColumn(group.get('members') or []),)
                for group in self.valet.list_groups()]
        return headers, rows


class ShowGroup(common.ValetCommand, command.ShowOne):
    """Show a placement group."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _group_argument(parser, 'Group to show (id or name)')
        return parser

    def take_action(self, parsed_args):
        return _show(self.valet.get_group(
            common.path_item(parsed_args.group)))


class SetGroup(common.ValetCommand, command.Command):
    """Set a placement group's description (its other fields never change).
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _group_argument(parser, 'Group to modify (id or name)')
        parser.add_argument(
            '--description', metavar='<description>', required=True,
            help='New description ("" to clear it)')
        return parser

    def take_action(self, parsed_args):
        self.valet.update_group(common.path_item(parsed_args.group),
                                parsed_args.description)


class DeleteGroup(common.ValetCommand, command.Command):
    """Delete placement group(s).

    Valet refuses to delete a group that has members or placed servers.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'groups', metavar='<group>', nargs='+',
            help='Group(s) to delete (id or name)')
        return parser

    def take_action(self, parsed_args):
        common.delete_each(
            self.log,
            lambda name: self.valet.delete_group(common.path_item(name)),
            'group', parsed_args.groups)


class AddMember(common.ValetCommand, command.Command):
    """Add projects to the members of a placement group.

    Once a group has members, only they may place servers in it.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _group_argument(parser)
        parser.add_argument(
            'projects', metavar='<project-id>', nargs='+',
            help='Project id(s) to add')
        return parser

    def take_action(self, parsed_args):
        self.valet.add_members(common.path_item(parsed_args.group),
                               parsed_args.projects)


class RemoveMember(common.ValetCommand, command.Command):
    """Remove projects from the members of a placement group."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _group_argument(parser)
        parser.add_argument(
            'projects', metavar='<project-id>', nargs='*',
            help='Project id(s) to remove')
        parser.add_argument(
            '--all', action='store_true',
            help='Remove every member (the group is then open to any '
                 'project)')
        return parser

    def take_action(self, parsed_args):
        group = common.path_item(parsed_args.group)
        if parsed_args.all == bool(parsed_args.projects):
            raise exceptions.CommandError(
                'Give the project id(s) to remove, or --all (not both)')
        if parsed_args.all:
            self.valet.remove_all_members(group)
            return
        for project in parsed_args.projects:
            self.valet.remove_member(group, common.path_item(project))


class ListMember(common.ValetCommand, command.Lister):
    """List the member projects of a placement group."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _group_argument(parser)
        return parser

    def take_action(self, parsed_args):
        group = self.valet.get_group(common.path_item(parsed_args.group))
        return ('Project ID',), [(p,) for p in group.get('members') or []]
