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

"""``openstack placement plan ...``: Valet's placements of whole stacks.

``plan create`` reads a Heat template as ``openstack stack create`` and
``valet-manage plan`` read it (environment files, ``--parameter``,
nested templates and resource groups: :mod:`valet.common.hot`), posts it
as Heat's lifecycle plugin would, and prints where each server goes with
the verdict of each rule that the hosts and racks show
(:mod:`valet.osc.verdicts`). It exits 2 when the template, an environment
file or a parameter cannot be read (one line naming the file and the
field), 1 when Valet refuses the plan (its reason).
"""

import uuid

from osc_lib.command import command
from osc_lib import exceptions

from valet.osc import common

EXIT_BAD_INPUT = 2
FIELDS = ('id', 'name', 'stack_id', 'project_id')


def _placements(plan):
    """The ``placements`` column: one line per server, by server name."""
    records = [{'server': where.get('name'), 'host': where.get('location'),
                'rack': where.get('rack'), 'orchestration_id': key}
               for key, where in (plan.get('placements') or {}).items()]
    records.sort(key=lambda r: (str(r['server']), r['orchestration_id']))
    return common.LinesColumn((records, lambda r: '%s: %s (rack %s)' % (
        r['server'], r['host'], r['rack'])))


def _lines(records):
    return common.LinesColumn((records, lambda r: r['text']))


def _plan_argument(parser, help_text):
    parser.add_argument('plan', metavar='<plan>', help=help_text)


def find_plan(valet, reference):
    """The plan a plan id, stack id or plan name refers to.

    The API looks plans up by plan id or stack id; a name (what ``plan
    create`` was given) is looked up among the caller's plans, and must
    name one plan only.
    """
    try:
        return valet.get_plan(common.path_item(reference))
    except common.valet_client.ValetError as exc:
        if exc.status != 404:
            raise
        named = valet.list_plans(name=reference)
        if len(named) == 1:
            return named[0]
        if named:
            raise exceptions.CommandError(
                '%d plans are named %r: give a plan id or stack id (%s)' % (
                    len(named), reference,
                    ', '.join(sorted(plan['id'] for plan in named))))
        raise


class CreatePlan(common.ValetCommand, command.ShowOne):
    """Place a Heat template's servers with Valet and show why it holds.

    The plan holds capacity for the stack until it is deleted (placement
    plan delete) or Heat creates the stack with that stack id. Exit
    status 2 when the template, an environment file or a parameter
    cannot be read.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'name', metavar='<name>', help='Plan name (the stack name)')
        parser.add_argument(
            '--template', '-t', metavar='<template>', required=True,
            help='Heat template (HOT) of the stack')
        parser.add_argument(
            '--environment', '-e', metavar='<environment>',
            action='append', default=[],
            help='Heat environment file (parameters, parameter_defaults, '
                 'resource_registry); repeat for more, a later file wins')
        parser.add_argument(
            '--parameter', metavar='<key=value>', action='append',
            default=[],
            help='Template parameter; repeat for more, wins over the '
                 'environment files')
        parser.add_argument(
            '--stack-id', metavar='<stack-id>',
            help='Stack id the plan is for (default: a new UUID)')
        parser.add_argument(
            '--location', metavar='<host>', action='append',
            dest='locations',
            help='Only place servers on this host; repeat for more '
                 '(default: any host)')
        return parser

    def run(self, parsed_args):
        from valet.common import hot

        try:
            return super().run(parsed_args)
        except hot.TemplateError as exc:
            self.app.stderr.write(common.one_line(exc.message) + '\n')
            return EXIT_BAD_INPUT

    def take_action(self, parsed_args):
        from valet.common import hot
        from valet.osc import verdicts

        template, _origins = hot.load(parsed_args.template,
                                      parsed_args.environment,
                                      parsed_args.parameter)
        stack_id = parsed_args.stack_id or str(uuid.uuid4())
        resources = hot.stack_resources(template, stack_id)
        plan = self.valet.create_plan(parsed_args.name, stack_id, resources,
                                      parsed_args.locations)
        try:
            groups = self.valet.list_groups()
        except common.valet_client.ValetClientException as exc:
            # Placed: the plan is shown, the groups joined by name judged
            # as unknown to the stack.
            self.log.warning('Groups not read, named groups not judged: '
                             '%s', common.one_line(exc))
            groups = []
        found = verdicts.judge(resources, plan, groups)
        columns = FIELDS + ('placements', 'rules', 'links', 'not_judged')
        values = tuple(plan.get(f) for f in FIELDS) + (
            _placements(plan), _lines(found['rules']),
            _lines(found['links']),
            common.LinesColumn((found['not_judged'], str)))
        return columns, values


class ListPlan(common.ValetCommand, command.Lister):
    """List plans (a project's own; an admin sees every project's)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--name', metavar='<name>',
                            help='Only the plans of this name')
        parser.add_argument('--stack-id', metavar='<stack-id>',
                            help='Only the plan of this stack')
        return parser

    def take_action(self, parsed_args):
        plans = self.valet.list_plans(name=parsed_args.name,
                                      stack_id=parsed_args.stack_id)
        headers = ('ID', 'Name', 'Stack ID', 'Project ID', 'Servers')
        rows = [tuple(plan.get(f) for f in FIELDS) +
                (len(plan.get('placements') or {}),) for plan in plans]
        return headers, rows


class ShowPlan(common.ValetCommand, command.ShowOne):
    """Show a plan and where its servers go."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _plan_argument(parser, 'Plan to show (plan id, stack id or name)')
        return parser

    def take_action(self, parsed_args):
        plan = find_plan(self.valet, parsed_args.plan)
        return (FIELDS + ('placements',),
                tuple(plan.get(f) for f in FIELDS) + (_placements(plan),))


class DeletePlan(common.ValetCommand, command.Command):
    """Delete plan(s), releasing the capacity their servers held."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'plans', metavar='<plan>', nargs='+',
            help='Plan(s) to delete (plan id, stack id or name)')
        return parser

    def take_action(self, parsed_args):
        common.delete_each(
            self.log,
            lambda ref: self.valet.delete_plan(
                find_plan(self.valet, ref)['id']),
            'plan', parsed_args.plans)
