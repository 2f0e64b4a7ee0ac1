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

"""``valet-manage all-in-one``: Valet in one process, on embedded defaults.

For trying Valet out: the API and the engine run in this process on a
SQLite file, the in-process message bus and ``noauth``, with the static
topology of a sample data center. The command then uses the REST API as
Heat would -- creates a named group, posts a sample stack's plan -- and
prints where every server went and why the plan is right. With
``--serve`` the API keeps answering on 127.0.0.1 until interrupted.
"""

import argparse
import os
import sys
import tempfile
import threading
import uuid
import warnings

from oslo_config import cfg
from oslo_log import log as logging

import valet
from valet.cmd import plan as plan_cmd

# The parser of this command is built by every valet-manage run, and
# "valet-manage plan" must stay light (valet/tests/unit/optimizer/
# test_plan_imports.py): the services are imported when this command runs.

SAMPLES = os.path.abspath(os.path.join(
    os.path.dirname(valet.__file__), '..', 'etc', 'valet', 'samples'))
PROJECT = 'demo-project'
HEADERS = {'X-User-Id': 'demo-user', 'X-Project-Id': PROJECT,
           'X-Roles': 'admin,member,reader',
           'Content-Type': 'application/json'}
GROUP = {'name': 'db-spread', 'type': 'diversity', 'level': 'rack',
         'description': 'Databases of the web shop, one per rack.'}


def add_parser(subparsers):
    """Add the ``all-in-one`` sub-command parser."""
    parser = subparsers.add_parser(
        'all-in-one', help='Run Valet in one process on embedded defaults '
        'and place a sample stack through its REST API.')
    parser.add_argument('--topology',
                        default=os.path.join(SAMPLES, 'datacenter.yaml'),
                        help='Static topology file (default: the sample '
                             '16-host data center).')
    parser.add_argument('--template',
                        default=os.path.join(SAMPLES, 'shop.yaml'),
                        help='Heat template of the stack to place (default: '
                             'the sample web shop).')
    parser.add_argument('--state-dir',
                        help='Where the SQLite database is kept (default: a '
                             'new temporary directory, removed at exit).')
    parser.add_argument('--serve', action='store_true',
                        help='Keep serving the API after the demonstration '
                             'until interrupted.')
    parser.add_argument('--port', type=int, default=0,
                        help='Port of the API on 127.0.0.1 (default: any '
                             'free port).')
    parser.add_argument('--group', action='append', default=[],
                        type=group_spec, metavar='NAME:TYPE:LEVEL',
                        help='Another named group to create through the '
                             'API before the stack is placed (e.g. '
                             'quorum-div:diversity:rack); repeatable.')
    return parser


def group_spec(text):
    """Parse ``NAME:TYPE:LEVEL`` (``--group``) into a group body."""
    parts = text.split(':')
    if len(parts) != 3 or not all(parts):
        raise argparse.ArgumentTypeError(
            '%r is not NAME:TYPE:LEVEL (e.g. quorum-div:diversity:rack)'
            % (text,))
    return {'name': parts[0], 'type': parts[1], 'level': parts[2]}


def build_conf(args, state_dir):
    """A ConfigOpts with every option at its all-in-one value."""
    import valet.conf

    conf = cfg.ConfigOpts()
    valet.conf.register_opts(conf)
    logging.register_options(conf)
    conf([], project='valet', default_config_files=[])
    conf.set_override('connection', 'sqlite:///%s' % os.path.join(
        state_dir, 'valet.sqlite'), group='database')
    conf.set_override('auth_strategy', 'noauth', group='api')
    conf.set_override('bind_host', '127.0.0.1', group='api')
    conf.set_override('bind_port', args.port, group='api')
    conf.set_override('transport_url', 'fake://')
    conf.set_override('topology_file', args.topology, group='engine')
    # Nobody listens to the in-process bus's notifications here: do not
    # let them pile up in memory.
    conf.set_override('driver', ['noop'],
                      group='oslo_messaging_notifications')
    conf.set_override('host', 'all-in-one')
    # The services' logs go to a file: the terminal shows the story.
    conf.set_override('log_file', os.path.join(state_dir, 'valet.log'))
    conf.set_override('use_stderr', False)
    return conf


class AllInOne(object):
    """The API and the engine of one process, and an HTTP client."""

    def __init__(self, conf):
        self.conf = conf
        self.engine = None
        self.server = None
        self.url = None

    def start(self):
        """Create the schema, start the engine, serve the API."""
        import logging as std_logging

        from valet.api import deploy
        from valet.cmd import api as api_cmd
        from valet.common import messaging
        from valet.db import api as db_api
        from valet.db import migration
        from valet.engine import service as engine_service

        logging.setup(self.conf, 'valet')
        std_logging.captureWarnings(True)
        migration.upgrade(self.conf)
        db_api.configure(self.conf)
        transport = messaging.shared_rpc_transport(self.conf)
        self.engine = engine_service.EngineService(
            self.conf, transport=transport, configure_db=False)
        self.engine.start()
        application = deploy.loadapp(self.conf)
        self.server = api_cmd.make_server(self.conf, application)
        self.url = 'http://127.0.0.1:%d' % self.server.server_port
        threading.Thread(target=self.server.serve_forever, daemon=True,
                         name='valet-api').start()

    def stop(self):
        """Stop serving and stop the engine."""
        from valet.common import messaging

        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
        if self.engine is not None:
            self.engine.stop()
        messaging.cleanup_shared_rpc_transport(self.conf)

    def call(self, method, path, body=None):
        """One REST call; return (status, JSON document or None)."""
        import requests

        response = requests.request(method, self.url + path, json=body,
                                    headers=HEADERS, timeout=120)
        try:
            return response.status_code, response.json()
        except ValueError:
            return response.status_code, None


def _say(out, step, status, document=None):
    out.write('%-44s %s\n' % (step, status))
    if document is not None and status >= 400:
        for error in document.get('errors', []):
            out.write('    %s\n' % error.get('detail'))


def demonstrate(aio, template_path, out, groups=()):
    """Drive the API as Heat would and print the plan; return exit code."""
    from valet.common import hot
    from valet import context
    from valet.optimizer import api as optimizer

    status, _doc = aio.call('GET', '/v1/status')
    _say(out, 'GET /v1/status', status)
    for group in [GROUP] + list(groups):
        status, doc = aio.call('POST', '/v1/groups', group)
        _say(out, 'POST /v1/groups (%s, %s %s)' % (
            group['name'], group['type'], group['level']), status, doc)
        if status != 201:
            return 1
    template, _origins = hot.load(template_path)
    stack_id = str(uuid.uuid4())
    resources = hot.stack_resources(template, stack_id)
    status, doc = aio.call('POST', '/v1/plans', {
        'plan_name': os.path.splitext(os.path.basename(template_path))[0],
        'stack_id': stack_id, 'resources': resources})
    _say(out, 'POST /v1/plans (%d resources)' % len(resources), status, doc)
    if status == 404 and any(e.get('code') == 'valet.group.not_found'
                             for e in doc.get('errors', [])):
        out.write('    The template joins a named group Valet does not know: '
                  'create it first, e.g. --group NAME:TYPE:LEVEL.\n')
    if status != 201:
        return 1
    plan = doc['plan']
    # The verdicts are recounted here, independently of the engine, on
    # the data center as it was before this plan.
    ctx = context.RequestContext(config=aio.conf)
    manager = aio.engine.manager
    with manager._lock:
        view = manager.cache.view(ctx, exclude_plan=plan['id'])
    stack = optimizer.stack_from_resources(resources, view.datacenter,
                                           view.group_defs())
    by_key = {server.key: name for name, server in stack.servers.items()}
    placements = {}
    for name in stack.servers:
        placements[name] = None
    for key, where in plan['placements'].items():
        placements[by_key[key]] = {'host': where['location'],
                                   'rack': where['rack']}
    result = optimizer.Result('ok', placements)
    out.write('\nPlan %s of stack %s: %d servers placed\n\n' % (
        plan['id'], stack_id, len(plan['placements'])))
    out.write(plan_cmd.format_table(result, stack, view.datacenter) + '\n')
    return 0


def run(args, out=sys.stdout):
    """Run the all-in-one demonstration; return the exit code."""
    # oslo.messaging imports eventlet, whose DNS module loads dnspython's
    # DSA support, which the cryptography library warns about on import:
    # noise on a terminal that shows a demonstration.
    warnings.filterwarnings('ignore', message='DSA is deprecated')
    state = args.state_dir
    cleanup = None
    if state is None:
        cleanup = tempfile.TemporaryDirectory(prefix='valet-')
        state = cleanup.name
    os.makedirs(state, exist_ok=True)
    for path, what in ((args.topology, '--topology'),
                       (args.template, '--template')):
        if not os.path.isfile(path):
            sys.stderr.write('valet-manage all-in-one: %s %s: no such file\n'
                             % (what, path))
            return 2
    conf = build_conf(args, state)
    aio = AllInOne(conf)
    try:
        aio.start()
        out.write('Valet all-in-one: API on %s (noauth, SQLite in %s, '
                  'in-process bus, topology %s; logs in %s)\n\n' % (
                      aio.url, state, args.topology,
                      conf.log_file))
        code = demonstrate(aio, args.template, out, args.group)
        if args.serve:
            out.write('\nServing the API on %s; try:\n  curl -H '
                      '"X-User-Id: %s" -H "X-Project-Id: %s" -H '
                      '"X-Roles: admin" %s/v1/plans\n'
                      'Interrupt (Ctrl-C) to stop.\n' % (
                          aio.url, HEADERS['X-User-Id'], PROJECT, aio.url))
            out.flush()
            threading.Event().wait()
        return code
    except KeyboardInterrupt:
        return 0
    finally:
        aio.stop()
        if cleanup is not None:
            cleanup.cleanup()
