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

"""Plans and placements written straight to the database for API tests.

The unit tests of the API mock valet-engine; what the engine would have
stored is written here with the data layer it uses.
"""

from oslo_utils import uuidutils

from valet import context
from valet.db import plans as db_plans

FLAVOR = {'flavor': 'm1.small', 'vcpus': 1, 'ram_mb': 2048, 'disk_gb': 20}


def server(name, **properties):
    """A server resource as Heat's plugin sends it."""
    properties.setdefault('flavor', 'm1.small')
    return {'name': name, 'type': 'OS::Nova::Server',
            'properties': properties,
            'metadata': {'heat_resource_name': name}}


def resources(*names):
    """``{orchestration id: server}`` for servers of these names."""
    return {uuidutils.generate_uuid(): server(name) for name in names}


def store_plan(conf, project_id, servers, name='stack', stack_id=None,
               hints=None):
    """Store a plan as the engine would; return the data layer's dict.

    :param servers: ``{server name: host}``; a host ``h-r1-2`` is in rack
        ``r1``.
    :param hints: metadata given to every placement (Heat's hints).
    """
    ctx = context.RequestContext(config=conf)
    stack_id = stack_id or uuidutils.generate_uuid()
    plan = {'id': uuidutils.generate_uuid(), 'name': name,
            'stack_id': stack_id, 'project_id': project_id,
            'resources': {}, 'locations': None}
    placements = []
    for server_name, host in sorted(servers.items()):
        metadata = {'heat_root_stack_id': stack_id,
                    'heat_resource_name': server_name}
        metadata.update(hints or {})
        placement = {'id': uuidutils.generate_uuid(), 'name': server_name,
                     'orchestration_id': uuidutils.generate_uuid(),
                     'location': host, 'rack': host.split('-')[1],
                     'metadata': metadata, 'groups': []}
        placement.update(FLAVOR)
        placements.append(placement)
    return db_plans.create_plan(ctx, plan, placements, guard={})


def engine_plan(project_id='project-a', placements=None, **fields):
    """A plan dict as the engine's RPC answers it."""
    plan = {'id': uuidutils.generate_uuid(), 'name': 'web-stack',
            'stack_id': uuidutils.generate_uuid(), 'project_id': project_id,
            'placements': placements or {}}
    plan.update(fields)
    return plan
