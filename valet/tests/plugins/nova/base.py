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


"""Nova's scheduler, for real, with ValetFilter in it, against a real Valet.

Each test runs a Valet (:class:`~valet.tests.plugins.fixtures.RunningValet`,
the sample 16-host data center) and configures Nova as an operator would:
a nova.conf file with ``[filter_scheduler]`` naming ValetFilter last and a
``[valet]`` section for a service user with the ``service`` role, loaded
with ``nova.conf.CONF(['--config-file', path])``. Nova's own
:class:`~nova.scheduler.host_manager.HostManager` loads the filters from
that file and filters :class:`~nova.scheduler.host_manager.HostState`
objects built through ``HostState.update`` from ComputeNodes and services,
with Nova's :class:`~nova.objects.RequestSpec`. Only Nova's database is
replaced, at its object boundary: the cell list and aggregates the host
manager reads when it starts, and the instance records ValetFilter reads
for an ad hoc plan (:attr:`NovaFilterTestCase.instances`).
"""

import os
import uuid

import fixtures
from oslo_config import fixture as config_fixture
from oslo_utils import timeutils
import testtools
import yaml

import nova.conf
from nova import context as nova_context
from nova import exception as nova_exception
from nova import objects
from nova.scheduler import host_manager

from valet.cmd import allinone
from valet.plugins import client as valet_client
from valet.tests import checker
from valet.tests.plugins import fixtures as valet_fixtures

objects.register_all()

CONF = nova.conf.CONF

#: The data center RunningValet serves by default.
DATACENTER = os.path.join(allinone.SAMPLES, 'datacenter.yaml')

#: Nova's default filters, then Valet's, as the install guide says.
ENABLED_FILTERS = ['ComputeFilter', 'ComputeCapabilitiesFilter',
                   'ImagePropertiesFilter', 'ServerGroupAntiAffinityFilter',
                   'ServerGroupAffinityFilter', 'ValetFilter']

NOVA_CONF = """\
[DEFAULT]
host = scheduler-test

[filter_scheduler]
available_filters = nova.scheduler.filters.all_filters
available_filters = valet.plugins.nova.filter.ValetFilter
enabled_filters = {filters}
track_instance_changes = false

[valet]
url = {url}
auth_type = valet-noauth
endpoint = {url}
user_id = nova
project_id = service
roles = service
timeout = 30
failure_mode = {failure_mode}
"""

#: Racks of the sample hosts that name none (Valet's rack_name_pattern).
RACK_PATTERN = r'^(?P<rack>r\d+)-'

#: The project of the servers (the stacks' owner).
PROJECT = 'tenant-a'
#: The Heat plugin's identity: a member of the stack's project.
HEAT_USER = {'user_id': 'heat-user', 'project_id': PROJECT,
             'roles': ['member']}


def load_datacenter():
    with open(DATACENTER) as f:
        return yaml.safe_load(f)


class CallSpy(fixtures.Fixture):
    """Records every Valet API call the plugin client makes."""

    def _setUp(self):
        #: ``(method, path without query)`` of each call.
        self.calls = []
        #: The bodies sent, in the same order.
        self.bodies = []
        real = valet_client.Client.request
        spy = self

        def request(client, method, path, body=None, ok=(200, 201, 204),
                    **kwargs):
            spy.calls.append((method, path.split('?')[0]))
            spy.bodies.append(body)
            return real(client, method, path, body=body, ok=ok, **kwargs)

        self.useFixture(fixtures.MonkeyPatch(
            'valet.plugins.client.Client.request', request))


class NovaFilterTestCase(testtools.TestCase):
    """A Valet, nova.conf and a Nova host manager with ValetFilter."""

    failure_mode = 'reject'

    def setUp(self):
        super().setUp()
        self.valet = self.useFixture(valet_fixtures.RunningValet())
        self.admin = self.valet.client()
        self.heat = self.valet.client(**HEAT_USER)
        #: The resources of the stacks heat_plan() planned, by stack id.
        self.stacks = {}
        self.nova_conf = self.write_nova_conf(self.valet.url)
        self.useFixture(config_fixture.Config(CONF))
        # The Config fixture's cleanup forgets set_default(): register as
        # importing the filter did.
        valet_client.register_opts(CONF)
        CONF(['--config-file', self.nova_conf], project='nova',
             default_config_files=[])
        from valet.plugins.nova import filter as valet_filter
        self.filter_module = valet_filter
        valet_filter.reset_client()
        self.addCleanup(valet_filter.reset_client)
        self.logger = self.useFixture(fixtures.FakeLogger(
            name='valet.plugins.nova.filter', level='DEBUG',
            format='%(levelname)s %(message)s'))
        #: Nova's instance records by uuid (BuildRequest of a new server).
        self.instances = {}
        self.useFixture(fixtures.MockPatchObject(
            objects.BuildRequest, 'get_by_instance_uuid',
            side_effect=self._build_request))
        self.useFixture(fixtures.MockPatchObject(
            objects.InstanceMapping, 'get_by_instance_uuid',
            side_effect=self._no_mapping))
        self.host_manager = self.make_host_manager()
        self.datacenter = load_datacenter()
        self.flavors = self.datacenter['flavors']
        self.hosts = [self.host_state(h) for h in self.datacenter['hosts']]

    # -- Nova's side --------------------------------------------------------

    def write_nova_conf(self, url, failure_mode=None, filters=None):
        path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                            'nova.conf')
        with open(path, 'w') as f:
            f.write(NOVA_CONF.format(
                url=url, failure_mode=failure_mode or self.failure_mode,
                filters=','.join(filters or ENABLED_FILTERS)))
        return path

    def make_host_manager(self):
        """Nova's HostManager, its database replaced by one cell."""
        cell = objects.CellMapping(uuid=str(uuid.uuid4()), name='cell1',
                                   transport_url='fake://',
                                   database_connection='sqlite://',
                                   disabled=False)
        self.useFixture(fixtures.MockPatchObject(
            objects.CellMappingList, 'get_all',
            return_value=objects.CellMappingList(objects=[cell])))
        self.useFixture(fixtures.MockPatchObject(
            objects.AggregateList, 'get_all',
            return_value=objects.AggregateList(objects=[])))
        self.cell_uuid = cell.uuid
        return host_manager.HostManager()

    def _build_request(self, ctx, instance_uuid):
        if instance_uuid not in self.instances:
            raise nova_exception.BuildRequestNotFound(uuid=instance_uuid)
        return objects.BuildRequest(instance_uuid=instance_uuid,
                                    instance=self.instances[instance_uuid])

    def _no_mapping(self, ctx, instance_uuid):
        raise nova_exception.InstanceMappingNotFound(uuid=instance_uuid)

    def nova_built_instance(self, name, metadata=None):
        """A server Nova built already: an Instance record in its cell.

        Its uuid; Nova's API database maps it to the cell, whose database
        holds the record (read through the objects API, replaced here).
        """
        instance_uuid = str(uuid.uuid4())
        instance = objects.Instance(uuid=instance_uuid, display_name=name,
                                    metadata=metadata or {})
        cell = objects.CellMapping(uuid=self.cell_uuid, name='cell1',
                                   transport_url='fake://',
                                   database_connection='sqlite://',
                                   disabled=False)
        targeted = []

        def mapping(ctx, wanted):
            if wanted != instance_uuid:
                raise nova_exception.InstanceMappingNotFound(uuid=wanted)
            return objects.InstanceMapping(instance_uuid=wanted,
                                           cell_mapping=cell)

        def get_by_uuid(ctx, wanted, expected_attrs=None):
            # Read in the instance's cell, with its metadata.
            targeted.append((ctx.cell_uuid, wanted,
                             tuple(expected_attrs or ())))
            if wanted != instance_uuid:
                raise nova_exception.InstanceNotFound(instance_id=wanted)
            return instance

        self.useFixture(fixtures.MockPatchObject(
            objects.InstanceMapping, 'get_by_instance_uuid',
            side_effect=mapping))
        self.useFixture(fixtures.MockPatchObject(
            objects.Instance, 'get_by_uuid', side_effect=get_by_uuid))
        return instance_uuid, targeted

    def nova_instance(self, name=None, metadata=None):
        """A server Nova is creating: its uuid (its record is known)."""
        instance_uuid = str(uuid.uuid4())
        instance = objects.Instance(uuid=instance_uuid,
                                    display_name=name, metadata={})
        if metadata is not None:
            instance.metadata = metadata
        self.instances[instance_uuid] = instance
        return instance_uuid

    def host_state(self, spec, disabled=None, forced_down=False):
        name = spec['name']
        used = spec.get('used', {})
        index = self.datacenter['hosts'].index(spec) + 1
        state = host_manager.HostState(name, name, self.cell_uuid)
        ram, vcpus, disk = spec['ram_mb'], spec['vcpus'], spec['disk_gb']
        node = objects.ComputeNode(
            uuid=str(uuid.UUID(int=index)), host=name,
            hypervisor_hostname=name, hypervisor_type='QEMU',
            hypervisor_version=1, cpu_info='',
            memory_mb=ram, memory_mb_used=used.get('ram_mb', 0),
            free_ram_mb=ram - used.get('ram_mb', 0),
            local_gb=disk, local_gb_used=used.get('disk_gb', 0),
            free_disk_gb=disk - used.get('disk_gb', 0),
            disk_available_least=disk - used.get('disk_gb', 0),
            vcpus=vcpus, vcpus_used=used.get('vcpus', 0),
            current_workload=0, running_vms=0, host_ip='10.0.0.%d' % index,
            supported_hv_specs=[], stats={}, numa_topology=None,
            pci_device_pools=objects.PciDevicePoolList(),
            cpu_allocation_ratio=4.0, ram_allocation_ratio=1.0,
            disk_allocation_ratio=1.0, updated_at=None, metrics='[]',
            service_id=None)
        if disabled is None:
            disabled = not spec.get('enabled', True)
        now = timeutils.utcnow()
        state.update(compute=node, service={
            'host': name, 'binary': 'nova-compute', 'disabled': disabled,
            'disabled_reason': 'test' if disabled else None,
            'forced_down': forced_down, 'last_seen_up': now,
            'created_at': now}, aggregates=[], inst_dict={})
        return state

    def set_service(self, host, disabled=None, forced_down=None):
        """Change a compute service as ``openstack compute service set``."""
        state = self.host(host)
        service = dict(state.service)
        if disabled is not None:
            service['disabled'] = disabled
        if forced_down is not None:
            service['forced_down'] = forced_down
            if forced_down:
                # A host that is down is not heard from any more.
                service['last_seen_up'] = timeutils.utcnow().replace(
                    year=2000)
        state.service = service

    def host(self, name):
        for state in self.hosts:
            if state.host == name:
                return state
        raise KeyError(name)

    def flavor(self, name):
        spec = self.flavors[name]
        return objects.Flavor(
            id=sorted(self.flavors).index(name) + 1, flavorid=name,
            name=name, memory_mb=spec['ram_mb'], vcpus=spec['vcpus'],
            root_gb=spec.get('disk_gb', spec.get('root_gb', 0)),
            ephemeral_gb=spec.get('ephemeral_gb', 0),
            swap=spec.get('swap', 0), extra_specs=spec.get('extra_specs', {}))

    def request_spec(self, instance_uuid, flavor='m1.small', hints=None,
                     group=None, availability_zone=None, **fields):
        """Nova's RequestSpec of one server.

        Hints are stored as Nova's API stores them: every value a list.
        """
        stored = {}
        for key, value in (hints or {}).items():
            stored[key] = value if isinstance(value, list) else [value]
        spec = objects.RequestSpec(
            context=nova_context.RequestContext('user-1', PROJECT),
            instance_uuid=instance_uuid, project_id=PROJECT,
            user_id='user-1', num_instances=1, flavor=self.flavor(flavor),
            image=objects.ImageMeta.from_dict({'properties': {}}),
            scheduler_hints=stored, ignore_hosts=None, force_hosts=None,
            force_nodes=None, availability_zone=availability_zone,
            instance_group=group, is_bfv=False,
            pci_requests=objects.InstancePCIRequests(requests=[]),
            numa_topology=None, retry=None, requested_destination=None)
        for key, value in fields.items():
            setattr(spec, key, value)
        return spec

    def schedule(self, spec, index=0):
        """The names of the hosts Nova's filters (ValetFilter last) pass."""
        passed = self.host_manager.get_filtered_hosts(self.hosts, spec,
                                                      index)
        return [state.host for state in passed]

    def land(self, spec, host):
        """Nova builds the server on ``host``: its HostState knows it.

        What the scheduler does with the host it selected
        (``consume_from_request``, the instance in ``instances``).
        """
        state = self.host(host)
        state.consume_from_request(spec)
        state.instances[spec.instance_uuid] = objects.Instance(
            uuid=spec.instance_uuid)

    def server_group(self, policy, members=(), hosts=(), name='sg'):
        return objects.InstanceGroup(
            uuid=str(uuid.uuid4()), name=name, policy=policy,
            policies=[policy],
            members=list(members), hosts=list(hosts), project_id=PROJECT,
            user_id='user-1')

    # -- Valet's side -------------------------------------------------------

    def heat_plan(self, stack_name, servers, groups=(), nested=None):
        """Create the plan Heat's lifecycle plugin makes for a stack.

        :param servers: ``{path: flavor}`` where ``path`` is the
            valet_resource_path ("web" in the root template,
            "tier/web" in a nested one).
        :param groups: ``[(name, type, level, [paths])]``.
        :returns: ``(root stack id, {path: orchestration id})``.
        """
        stack_id = str(uuid.uuid4())
        resources, keys = {}, {}
        for path, flavor in servers.items():
            key = str(uuid.uuid4())
            keys[path] = key
            name = path.rsplit('/', 1)[-1]
            metadata = {'heat_root_stack_id': stack_id,
                        'heat_resource_name': name,
                        'valet_resource_path': path,
                        'heat_stack_name': stack_name}
            if '/' not in path:
                metadata['heat_resource_uuid'] = key
            resources[key] = {'name': path, 'type': 'OS::Nova::Server',
                              'properties': {'flavor': flavor,
                                             'image': 'cirros'},
                              'metadata': metadata}
        for name, gtype, level, members in groups:
            resources[str(uuid.uuid4())] = {
                'name': name, 'type': 'ATT::Valet::GroupAssignment',
                'properties': {'group_type': gtype, 'level': level,
                               'resources': list(members)}}
        self.heat.create_plan(stack_name, stack_id, resources)
        self.stacks[stack_id] = resources
        return stack_id, keys

    def assert_stack_rules(self, stack_id):
        """The independent checker finds no broken rule in the stack.

        It reads the stack's resources by name and the hosts Valet's plan
        holds now (after reservations, moves and replans).
        """
        resources = {res['name']: {'type': res['type'],
                                   'properties': res['properties']}
                     for res in self.stacks[stack_id].values()}
        plan = self.admin.get_plan(stack_id)
        placements = {one['name']: {'host': one['location']}
                      for one in plan['placements'].values()}
        self.assertEqual(
            [], checker.check(self.datacenter, {}, resources, placements,
                              rack_pattern=RACK_PATTERN))

    def heat_hints(self, stack_id, stack_name, path, key):
        """The scheduler hints Heat sends with a server of that stack."""
        levels = path.split('/')
        in_stack = [stack_name]
        for i, level in enumerate(levels[:-1]):
            in_stack.append('%s,%s-%s-%d' % (level, stack_name, level, i))
        return {'heat_root_stack_id': stack_id,
                'heat_stack_id': str(uuid.uuid4()) if len(levels) > 1
                else stack_id,
                'heat_stack_name': in_stack[-1].split(',')[-1],
                'heat_path_in_stack': in_stack,
                'heat_resource_name': levels[-1],
                'heat_resource_uuid': key}

    def placement(self, placement_id):
        return self.admin.get_placement(placement_id)

    def rack(self, host):
        for spec in self.datacenter['hosts']:
            if spec['name'] == host:
                return spec.get('rack') or host.split('-')[0]
        raise KeyError(host)

    def log(self):
        return self.logger.output
