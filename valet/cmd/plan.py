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

"""``valet-manage plan``: place a Heat template on a data center offline.

``valet/cmd/manage.py`` adds the sub-command with :func:`add_parser` and
calls :func:`run`; :func:`main` runs it stand-alone. Exit codes: 0 placed,
1 no placement (the JSON is still printed, with the reason), 2 bad input
(a message on stderr naming the file and the field).

The template is read as Heat reads it, with its environment files and
parameters (:mod:`valet.common.hot`). The command is run many times by
people and scripts, so it imports only what planning needs: no database,
message bus or Keystone library, and only the ``[engine]`` options.
"""

import argparse
import json
import sys

from oslo_config import cfg
import prettytable

from valet.common import hot
from valet.conf import engine as engine_conf
from valet.optimizer import api
from valet.optimizer import exception
from valet.optimizer import verdicts
from valet.topology import static

EXIT_PLACED = 0
EXIT_NO_PLACEMENT = 1
EXIT_BAD_INPUT = 2


def add_parser(subparsers):
    """Add the ``plan`` sub-command to an argparse ``subparsers``."""
    parser = subparsers.add_parser(
        'plan', help='Place a Heat template on a data center (offline).',
        description='Place every server of a HOT template on the data '
                    'center of a topology file and print the plan.')
    parser.add_argument('--topology', metavar='DC.yaml',
                        help='Topology file (default: [engine] '
                             'topology_file).')
    parser.add_argument('--template', metavar='STACK.yaml', required=True,
                        help='HOT template of the stack to place.')
    parser.add_argument('--environment', '-e', metavar='ENV.yaml',
                        action='append', default=[],
                        help='Heat environment file (parameters, '
                             'parameter_defaults, resource_registry); '
                             'repeatable, a later file wins.')
    parser.add_argument('--parameter', metavar='KEY=VALUE',
                        action='append', default=[],
                        help='Template parameter; repeatable, wins over '
                             'the environment files.')
    parser.add_argument('--existing', metavar='EXISTING.yaml',
                        help='Servers already running, with their groups.')
    parser.add_argument('--time-limit', metavar='SECONDS', type=float,
                        help='Safety cap in seconds on the search '
                             '(default: [engine] time_limit). The search\'s '
                             'effort is counted in work, so a healthy '
                             'search ends well before it; 0 skips the '
                             'improvement phase.')
    parser.add_argument('--optimizer', metavar='NAME',
                        help='Optimizer plugin (default: [engine] '
                             'optimizer).')
    parser.add_argument('--format', choices=('json', 'table'),
                        default='json', help='Output format.')
    return parser


def _groups_by_server(stack):
    found = {}
    for group in stack.groups.values():
        for server in stack.flatten(group.name):
            found.setdefault(server, []).append(group.name)
    return found


def _section(title, lines):
    return ['', title, '-' * len(title)] + (lines or ['(none)'])


def _totals(totals, metrics):
    """``name: value`` then what it is made of, indented, per total.

    The values are recounted from the placement; one that differs from
    the search's own figure says so (that would be a bug of the search).
    """
    lines = []
    for key, total in totals.items():
        value = total['value']
        shown = '%d%%' % round(value * 100) if key == 'dominant_fill' \
            else str(value)
        if key in metrics and metrics[key] != value:
            shown += ' (the search reported %s)' % (metrics[key],)
        lines += ['%s: %s' % (key, shown), '  ' + total['text']]
    for key, value in metrics.items():
        if key not in totals:
            lines.append('%s: %s' % (key, value))
    return lines


def _table(columns):
    """An empty table of these columns, left aligned, as OSC prints them."""
    table = prettytable.PrettyTable(columns)
    table.align = 'l'
    return table


def format_table(result, stack, datacenter, nova_groups=()):
    """Return the result as a readable table and why it is right.

    A placed stack gets its server table, then the verdict of every rule
    (:func:`valet.optimizer.verdicts.explain`), its links and its totals
    with what each is made of. A failed one gets the reason and what each
    rule excluded.

    :param datacenter: the data center the stack was placed on.
    :param nova_groups: names of the stack's groups that are Nova server
        groups.
    """
    if not result.ok:
        table = _table(('RULE', 'HOSTS EXCLUDED', 'SERVERS'))
        table.align['HOSTS EXCLUDED'] = 'r'
        for rule, info in sorted(result.explanation.items()):
            table.add_row((rule, info['hosts_excluded'],
                           ', '.join(info['servers'])))
        return '\n'.join(['No placement: %s' % result.reason] +
                         ['  ' + line for line in
                          table.get_string().splitlines()])
    groups = _groups_by_server(stack)
    table = _table(('SERVER', 'HOST', 'RACK', 'FLAVOR', 'GROUPS'))
    for name, where in result.placements.items():
        table.add_row((name, where['host'], where['rack'],
                       stack.servers[name].flavor.name,
                       ','.join(groups.get(name, [])) or '-'))
    lines = table.get_string().splitlines()
    found = verdicts.explain(datacenter, stack, result.placements,
                             nova_groups)
    lines += _section('Rules', [r['text'] for r in found['rules']])
    lines += _section('Links', [k['text'] for k in found['links']])
    lines += _section('Totals', _totals(found['totals'], result.metrics))
    return '\n'.join(lines)


def _load(conf, args):
    # The template first: its errors come before reading a large topology.
    template, origins = hot.load(args.template, args.environment,
                                 args.parameter)
    topology = args.topology or conf.engine.topology_file
    dc = static.load_datacenter(conf, topology, args.existing)
    try:
        stack = api.stack_from_template(template, dc)
    except exception.InvalidStack as exc:
        field = exc.resource
        if exc.resource == 'template':
            field = '(top)'
        elif exc.resource != 'resources':
            field = 'resources.%s' % exc.resource
        raise exception.InvalidTopology(
            origins.get(exc.resource, args.template), field, exc.reason)
    # The table shows a Nova server group's policy, which the stack keeps
    # only as the Valet rule it became.
    nova_groups = [name for name, res in
                   (template.get('resources') or {}).items()
                   if isinstance(res, dict) and
                   res.get('type') == hot.SERVER_GROUP]
    return dc, stack, nova_groups


def register_opts(conf):
    """Register the options ``plan`` reads: ``[engine]`` only."""
    engine_conf.register_opts(conf)


def run(conf, args, stdout=None, stderr=None):
    """Run ``valet-manage plan`` with parsed ``args``; return the exit code.
    """
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    try:
        dc, stack, nova_groups = _load(conf, args)
        result = api.place_stack(conf, dc, stack, optimizer=args.optimizer,
                                 time_limit=args.time_limit)
    except exception.EngineError as exc:
        stderr.write('valet-manage plan: %s\n' % exc.message)
        return EXIT_BAD_INPUT
    if args.format == 'table':
        stdout.write(format_table(result, stack, dc, nova_groups) + '\n')
    else:
        stdout.write(json.dumps(result.to_dict(), indent=2) + '\n')
    return EXIT_PLACED if result.ok else EXIT_NO_PLACEMENT


def main(argv=None):
    """Stand-alone ``plan`` command (same options as valet-manage plan)."""
    parser = argparse.ArgumentParser(prog='valet-manage')
    parser.add_argument('--config-file', action='append', default=[],
                        help='Valet configuration file (repeatable).')
    add_parser(parser.add_subparsers(dest='command', required=True))
    args = parser.parse_args(argv)
    conf = cfg.ConfigOpts()
    register_opts(conf)
    try:
        conf([], project='valet', default_config_files=args.config_file)
    except cfg.Error as error:
        sys.stderr.write('valet-manage plan: %s\n' % error)
        return EXIT_BAD_INPUT
    return run(conf, args)


if __name__ == '__main__':
    sys.exit(main())
