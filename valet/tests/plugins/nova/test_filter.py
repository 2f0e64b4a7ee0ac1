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


"""ValetFilter in Nova's scheduler against a running Valet.

Every test schedules through Nova's own HostManager (filters loaded from
nova.conf, ValetFilter last) and checks both what Nova gets (the hosts
that pass) and what Valet recorded (the placement, its reservation).
"""

import json
import uuid

from nova import objects

from valet.tests.plugins.nova import base


class TestHeatServers(base.NovaFilterTestCase):
    """Servers of Heat stacks, planned by the Heat plugin."""

    def test_root_stack_server_gets_its_planned_host(self):
        stack_id, keys = self.heat_plan('web', {'web1': 'm1.small',
                                                'web2': 'm1.medium'})
        planned = self.placement(keys['web2'])
        self.assertFalse(planned['reserved'])
        server = str(uuid.uuid4())
        spec = self.request_spec(server, 'm1.medium', hints=self.heat_hints(
            stack_id, 'web', 'web2', keys['web2']))
        self.assertEqual([planned['location']], self.schedule(spec))
        reserved = self.placement(keys['web2'])
        self.assertTrue(reserved['reserved'])
        self.assertEqual(server, reserved['resource_id'])
        self.assertEqual(planned['location'], reserved['location'])
        self.assertIn('found by heat_resource_uuid', self.log())

    def test_nested_stack_servers_found_by_the_hints_search(self):
        # Three servers named "app" at three depths of nested stacks, kept
        # on three hosts: each must get its own placement's host.
        paths = ['tier_a/app', 'tier_b/app', 'tier_a/inner/app']
        stack_id, keys = self.heat_plan(
            'shop', {'front': 'm1.small', paths[0]: 'm1.small',
                     paths[1]: 'm1.small', paths[2]: 'm1.small'},
            groups=[('apart', 'diversity', 'host', paths)])
        planned = {p: self.placement(keys[p])['location'] for p in paths}
        self.assertEqual(3, len(set(planned.values())))
        for path in paths:
            server = str(uuid.uuid4())
            # Heat sends the nested server's own resource uuid, which the
            # Heat plugin could not know when it planned the stack.
            hints = self.heat_hints(stack_id, 'shop', path,
                                    str(uuid.uuid4()))
            spec = self.request_spec(server, hints=hints)
            self.assertEqual([planned[path]], self.schedule(spec), path)
            placement = self.placement(keys[path])
            self.assertEqual(server, placement['resource_id'])
            self.assertTrue(placement['reserved'])
        self.assertIn('valet_resource_path tier_a/inner/app', self.log())

    def test_planned_host_gone_replanned_within_the_hosts_left(self):
        stack_id, keys = self.heat_plan(
            'db', {'db1': 'm1.large', 'db2': 'm1.large'},
            groups=[('racks', 'diversity', 'rack', ['db1', 'db2'])])
        first = self.schedule(self.request_spec(
            str(uuid.uuid4()), 'm1.large',
            hints=self.heat_hints(stack_id, 'db', 'db1', keys['db1'])))
        self.assertEqual(1, len(first))
        planned = self.placement(keys['db2'])['location']
        # The planned host of db2 was disabled after the stack was planned.
        self.set_service(planned, disabled=True)
        server = str(uuid.uuid4())
        got = self.schedule(self.request_spec(
            server, 'm1.large',
            hints=self.heat_hints(stack_id, 'db', 'db2', keys['db2'])))
        self.assertEqual(1, len(got))
        self.assertNotEqual(planned, got[0])
        self.assertNotIn(got[0], ('r03-h04', planned))
        # The rule with its sibling still holds: another rack.
        self.assertNotEqual(self.rack(first[0]), self.rack(got[0]))
        placement = self.placement(keys['db2'])
        self.assertEqual(got[0], placement['location'])
        self.assertEqual(server, placement['resource_id'])
        self.assert_stack_rules(stack_id)

    def test_placement_held_by_another_server_lets_no_host_pass(self):
        stack_id, keys = self.heat_plan('web', {'web1': 'm1.small'})
        hints = self.heat_hints(stack_id, 'web', 'web1', keys['web1'])
        owner = str(uuid.uuid4())
        self.assertEqual(1, len(self.schedule(
            self.request_spec(owner, hints=hints))))
        other = str(uuid.uuid4())
        self.assertEqual([], self.schedule(
            self.request_spec(other, hints=hints)))
        log = self.log()
        self.assertIn('no host passes for instance %s' % other, log)
        self.assertIn('HTTP 409, valet.placement.reserved', log)
        self.assertEqual(owner, self.placement(keys['web1'])['resource_id'])


class TestMoves(base.NovaFilterTestCase):
    """Nova moving or retrying a server Valet placed already."""

    def build_pair(self):
        """Two Heat servers kept on different racks, both built."""
        stack_id, keys = self.heat_plan(
            'pair', {'one': 'm1.medium', 'two': 'm1.medium'},
            groups=[('racks', 'diversity', 'rack', ['one', 'two'])])
        self.stack_id = stack_id
        built = {}
        for name in ('one', 'two'):
            server = str(uuid.uuid4())
            spec = self.request_spec(
                server, 'm1.medium',
                hints=self.heat_hints(stack_id, 'pair', name, keys[name]))
            [host] = self.schedule(spec)
            built[name] = (server, host, spec)
        return keys, built

    def assert_moved(self, keys, built, got, source):
        self.assertEqual(1, len(got), got)
        self.assertNotEqual(source, got[0])
        placement = self.placement(keys['two'])
        self.assertEqual(got[0], placement['location'])
        self.assertEqual(built['two'][0], placement['resource_id'])
        self.assertNotEqual(self.rack(built['one'][1]), self.rack(got[0]))
        self.assertIn(', replan)', self.log())
        self.assert_stack_rules(self.stack_id)

    def test_rebuild_keeps_the_host_and_asks_valet_nothing(self):
        keys, built = self.build_pair()
        server, host, spec = built['two']
        # What nova.compute.api does for a rebuild with a new image.
        spec.scheduler_hints['_nova_check_type'] = ['rebuild']
        spec.force_hosts = [host]
        spec.force_nodes = [host]
        spy = self.useFixture(base.CallSpy())
        self.assertEqual([host], self.schedule(spec))
        self.assertEqual([], spy.calls)
        self.assertEqual(host, self.placement(keys['two'])['location'])

    def test_cold_migration_replans_within_the_hosts_left(self):
        keys, built = self.build_pair()
        server, source, spec = built['two']
        # nova.compute.api resize/migrate: the source is ignored.
        spec.ignore_hosts = [source]
        spec.requested_destination = objects.Destination(
            allow_cross_cell_move=False)
        self.assert_moved(keys, built, self.schedule(spec), source)

    def test_resize_allowed_on_its_host_stays_there(self):
        keys, built = self.build_pair()
        server, source, spec = built['two']
        # allow_resize_to_same_host: Nova does not ignore the source.
        spec.ignore_hosts = []
        spec.flavor = self.flavor('m1.large')
        self.assertEqual([source], self.schedule(spec))
        self.assertEqual(source, self.placement(keys['two'])['location'])

    def test_evacuation_off_a_dead_host(self):
        keys, built = self.build_pair()
        server, source, spec = built['two']
        self.set_service(source, forced_down=True)
        # nova.conductor.manager rebuild_instance(evacuate=True).
        spec.ignore_hosts = [source]
        self.assert_moved(keys, built, self.schedule(spec), source)

    def test_live_migration_to_a_requested_host(self):
        keys, built = self.build_pair()
        server, source, spec = built['two']
        sibling_rack = self.rack(built['one'][1])
        allowed = next(h.host for h in self.hosts
                       if self.rack(h.host) not in (sibling_rack,
                                                    self.rack(source))
                       and h.host != 'r03-h04')
        spec.ignore_hosts = [source]
        spec.requested_destination = objects.Destination(host=allowed,
                                                         node=allowed)
        self.assert_moved(keys, built, self.schedule(spec), source)
        self.assertEqual(allowed, self.placement(keys['two'])['location'])

    def test_live_migration_to_a_host_breaking_a_rule_is_refused(self):
        keys, built = self.build_pair()
        server, source, spec = built['two']
        sibling = built['one'][1]
        target = next(h.host for h in self.hosts
                      if self.rack(h.host) == self.rack(sibling)
                      and h.host != sibling)
        spec.ignore_hosts = [source]
        spec.requested_destination = objects.Destination(host=target,
                                                         node=target)
        self.assertEqual([], self.schedule(spec))
        self.assertIn('no host passes for instance %s' % server, self.log())
        self.assertIn('HTTP 409, valet.plan.no_placement', self.log())
        # The server keeps its placement.
        self.assertEqual(source, self.placement(keys['two'])['location'])

    def test_ad_hoc_server_moves_within_its_own_plan(self):
        self.admin.create_group('web-racks', 'diversity', 'rack')
        metadata = {'valet': json.dumps({'groups': ['web-racks']})}
        built = []
        for name in ('w-1', 'w-2'):
            server = self.nova_instance(name, dict(metadata))
            spec = self.request_spec(server)
            [host] = self.schedule(spec)
            built.append((server, host, spec))
        server, source, spec = built[1]
        spec.ignore_hosts = [source]
        spy = self.useFixture(base.CallSpy())
        [host] = self.schedule(spec)
        self.assertNotEqual(source, host)
        self.assertNotEqual(self.rack(built[0][1]), self.rack(host))
        self.assertNotIn(('POST', '/v1/plans'), spy.calls)
        self.assertEqual(host, self.admin.get_plan(server)['placements'][
            server]['location'])
        self.assertIn('found by resource_id %s' % server, self.log())
        self.assertIn(', replan)', self.log())

    def test_retry_never_goes_back_to_the_failed_host(self):
        keys, built = self.build_pair()
        server, failed, spec = built['two']
        # nova.scheduler.utils.populate_retry after a failed build.
        spec.retry = objects.SchedulerRetries(
            num_attempts=2, hosts=objects.ComputeNodeList(objects=[
                objects.ComputeNode(host=failed,
                                    hypervisor_hostname=failed)]))
        self.assert_moved(keys, built, self.schedule(spec), failed)

    def test_retry_with_every_host_tried_lets_none_pass(self):
        keys, built = self.build_pair()
        server, failed, spec = built['two']
        spec.retry = objects.SchedulerRetries(
            num_attempts=3, hosts=objects.ComputeNodeList(objects=[
                objects.ComputeNode(host=h.host, hypervisor_hostname=h.host)
                for h in self.hosts]))
        spy = self.useFixture(base.CallSpy())
        self.assertEqual([], self.schedule(spec))
        self.assertEqual([], spy.calls)
        self.assertIn('the build already failed on every host left',
                      self.log())


class TestAdHocServers(base.NovaFilterTestCase):
    """Servers Heat did not create: ``openstack server create``."""

    def plan_body(self, spy):
        bodies = [b for (method, path), b in zip(spy.calls, spy.bodies)
                  if (method, path) == ('POST', '/v1/plans')]
        self.assertEqual(1, len(bodies))
        return bodies[0]

    def test_plain_server_gets_an_ad_hoc_plan(self):
        server = self.nova_instance('vm-1')
        for host in ('r01-h01', 'r01-h02', 'r01-h03'):
            self.set_service(host, disabled=True)
        spy = self.useFixture(base.CallSpy())
        got = self.schedule(self.request_spec(server, 'm1.medium',
                                              availability_zone='nova'))
        self.assertEqual(1, len(got))
        self.assertNotIn(got[0], ('r01-h01', 'r01-h02', 'r01-h03',
                                  'r03-h04'))
        plan = self.admin.get_plan(server)
        self.assertEqual('vm-1', plan['name'])
        self.assertEqual(server, plan['stack_id'])
        self.assertEqual(got[0], plan['placements'][server]['location'])
        placement = self.placement(server)
        self.assertTrue(placement['reserved'])
        self.assertEqual(server, placement['resource_id'])
        body = self.plan_body(spy)
        self.assertEqual(
            {server: {'name': 'vm-1', 'type': 'OS::Nova::Server',
                      'properties': {'flavor': 'm1.medium',
                                     'availability_zone': 'nova'}}},
            body['resources'])
        # The candidates are the hosts Nova's filters left.
        self.assertEqual(12, len(body['locations']))
        self.assertIn('found by a new ad hoc plan', self.log())

    def test_unknown_instance_record_plan_named_after_its_uuid(self):
        server = str(uuid.uuid4())
        self.assertEqual(1, len(self.schedule(self.request_spec(server))))
        self.assertEqual(server, self.admin.get_plan(server)['name'])
        self.assertIn('instance %s cannot be read' % server, self.log())

    def test_server_valet_never_saw_is_planned_when_it_moves(self):
        # Built before Valet was installed: Nova moves it off its host.
        server, targeted = self.nova_built_instance('old-vm', {
            'valet': '{"groups": []}'})
        spec = self.request_spec(server, ignore_hosts=['r02-h01'])
        [host] = self.schedule(spec)
        self.assertNotEqual('r02-h01', host)
        self.assertEqual([(self.cell_uuid, server, ('metadata',))],
                         targeted)
        plan = self.admin.get_plan(server)
        self.assertEqual('old-vm', plan['name'])
        self.assertEqual(host, plan['placements'][server]['location'])

    def test_server_group_anti_affinity_with_a_member_placed(self):
        group = self.server_group('anti-affinity')
        first = self.nova_instance('a-1')
        spec = self.request_spec(first, group=group)
        [host_a] = self.schedule(spec)
        self.land(spec, host_a)
        # What Nova knows of the group when it schedules the second one.
        group.members = [first]
        group.hosts = [host_a]
        second = self.nova_instance('a-2')
        spy = self.useFixture(base.CallSpy())
        [host_b] = self.schedule(self.request_spec(second, group=group))
        self.assertNotEqual(host_a, host_b)
        resources = self.plan_body(spy)['resources']
        self.assertEqual(
            {'name': 'sg', 'type': 'OS::Nova::ServerGroup',
             'properties': {'policies': ['anti-affinity']}},
            resources[group.uuid])
        self.assertEqual({'group': group.uuid},
                         resources[second]['properties']['scheduler_hints'])
        # Without the group Valet packs servers together: the rule, not
        # chance, kept these two apart.
        third = self.nova_instance('a-3')
        [host_c] = self.schedule(self.request_spec(third))
        self.assertIn(host_c, (host_a, host_b))

    def test_metadata_valet_groups_join_a_named_group(self):
        self.admin.create_group('db-racks', 'diversity', 'rack')
        metadata = {'valet': json.dumps({'groups': ['db-racks']})}
        first = self.nova_instance('db-1', metadata)
        [host_1] = self.schedule(self.request_spec(first, 'm1.large'))
        second = self.nova_instance('db-2', dict(metadata))
        spy = self.useFixture(base.CallSpy())
        [host_2] = self.schedule(self.request_spec(second, 'm1.large'))
        self.assertNotEqual(self.rack(host_1), self.rack(host_2))
        self.assertEqual(
            {'valet': {'groups': ['db-racks']}},
            self.plan_body(spy)['resources'][second]['properties'][
                'metadata'])
        members = {s['resource_id'] for s in self.admin.list_placements()
                   if s['resource_id'] in (first, second)}
        self.assertEqual({first, second}, members)
        # Without the group Valet packs servers in the racks it uses: the
        # rule, not chance, kept these two apart.
        third = self.nova_instance('db-3')
        [host_3] = self.schedule(self.request_spec(third, 'm1.large'))
        self.assertIn(self.rack(host_3), (self.rack(host_1),
                                          self.rack(host_2)))

    def test_ad_hoc_plan_is_the_servers_project_s(self):
        # A named group open to the server's project only: the plan is
        # made for the server's project, not the filter's service project.
        group = self.admin.create_group('tenant-db', 'diversity', 'rack')
        self.admin.add_members(group['id'], [base.PROJECT])
        metadata = {'valet': json.dumps({'groups': ['tenant-db']})}
        server = self.nova_instance('db-1', metadata)
        spy = self.useFixture(base.CallSpy())
        self.assertEqual(1, len(self.schedule(self.request_spec(server))))
        self.assertEqual(base.PROJECT, self.plan_body(spy)['project_id'])
        self.assertEqual(base.PROJECT,
                         self.admin.get_plan(server)['project_id'])
        # A server of another project may not join it.
        other = self.nova_instance('db-2', dict(metadata))
        spec = self.request_spec(other, project_id='other-project')
        self.assertEqual([], self.schedule(spec))
        self.assertIn('valet.group.not_member', self.log())

    def test_metadata_naming_an_unknown_group_lets_no_host_pass(self):
        server = self.nova_instance('lost', {
            'valet': json.dumps({'groups': ['no-such-group']})})
        self.assertEqual([], self.schedule(self.request_spec(server)))
        log = self.log()
        self.assertIn('no host passes for instance %s' % server, log)
        self.assertIn('no-such-group', log)

    def test_no_placement_lets_no_host_pass_and_says_why(self):
        self.admin.create_group('together', 'affinity', 'host')
        metadata = {'valet': json.dumps({'groups': ['together']})}
        first = self.nova_instance('t-1', metadata)
        [host] = self.schedule(self.request_spec(first))
        # The only host the group may use is gone.
        self.set_service(host, disabled=True)
        second = self.nova_instance('t-2', dict(metadata))
        self.assertEqual([], self.schedule(self.request_spec(second)))
        log = self.log()
        self.assertIn('no host passes for instance %s' % second, log)
        self.assertIn('HTTP 409, valet.plan.no_placement', log)
        self.assertIn('together', log)


class TestMultiCreate(base.NovaFilterTestCase):
    """``openstack server create --min 3``: one request, three servers."""

    def test_each_server_its_own_plan(self):
        group = self.server_group('anti-affinity')
        servers = [self.nova_instance('multi-%d' % i) for i in range(3)]
        spec = self.request_spec(servers[0], group=group, num_instances=3)
        spy = self.useFixture(base.CallSpy())
        hosts = []
        # What nova.scheduler.manager does for each instance of the request.
        for index, server in enumerate(servers):
            spec.instance_uuid = server
            [host] = self.schedule(spec, index)
            self.land(spec, host)
            group.members.append(server)
            group.hosts.append(host)
            hosts.append(host)
        self.assertEqual(3, len(set(hosts)))
        self.assertEqual(3, spy.calls.count(('POST', '/v1/plans')))
        for server, host in zip(servers, hosts):
            self.assertEqual(host, self.placement(server)['location'])
            self.assertEqual(server, self.placement(server)['resource_id'])


class TestServiceRole(base.NovaFilterTestCase):
    """A [valet] user without the service role."""

    def test_member_role_lets_no_host_pass_and_says_why(self):
        path = self.write_nova_conf(self.valet.url)
        with open(path) as f:
            text = f.read()
        with open(path, 'w') as f:
            f.write(text.replace('roles = service', 'roles = member'))
        base.CONF(['--config-file', path], project='nova',
                  default_config_files=[])
        self.filter_module.reset_client()
        stack_id, keys = self.heat_plan('web', {'web1': 'm1.small'})
        server = str(uuid.uuid4())
        self.assertEqual([], self.schedule(self.request_spec(
            server,
            hints=self.heat_hints(stack_id, 'web', 'web1', keys['web1']))))
        self.assertIn('no host passes for instance %s: Valet refused '
                      '(HTTP 403' % server, self.log())
        self.assertFalse(self.placement(keys['web1'])['reserved'])


class TestValetFailures(base.NovaFilterTestCase):
    """Valet unreachable: ``[valet] failure_mode``."""

    def use_conf(self, url, failure_mode):
        base.CONF(['--config-file', self.write_nova_conf(
            url, failure_mode=failure_mode)], project='nova',
            default_config_files=[])
        self.filter_module.reset_client()

    def test_unreachable_reject_lets_no_host_pass(self):
        self.use_conf(base.valet_fixtures.unused_url(), 'reject')
        server = self.nova_instance('vm')
        self.assertEqual([], self.schedule(self.request_spec(server)))
        log = self.log()
        self.assertIn('ERROR ValetFilter: no host passes for instance %s: '
                      'Valet is unavailable' % server, log)
        self.assertIn('failure_mode = reject', log)

    def test_unreachable_yield_lets_every_host_pass(self):
        self.use_conf(base.valet_fixtures.unused_url(), 'yield')
        server = self.nova_instance('vm')
        got = self.schedule(self.request_spec(server))
        self.assertEqual(15, len(got))
        self.assertNotIn('r03-h04', got)
        self.assertIn('WARNING ValetFilter: every host passes for instance '
                      '%s without Valet ([valet] failure_mode = yield)'
                      % server, self.log())

    def test_hung_valet_follows_failure_mode_after_the_timeout(self):
        # A Valet that takes connections and never answers (a hung API or
        # database): the filter gives up after [valet] timeout.
        url = self.useFixture(base.valet_fixtures.HungServer()).url
        for mode, passing in (('reject', 0), ('yield', 15)):
            path = self.write_nova_conf(url, failure_mode=mode)
            with open(path) as f:
                text = f.read()
            with open(path, 'w') as f:
                f.write(text.replace('timeout = 30\n', 'timeout = 1\n'))
            base.CONF(['--config-file', path], project='nova',
                      default_config_files=[])
            self.filter_module.reset_client()
            server = self.nova_instance('vm-' + mode)
            self.assertEqual(passing,
                             len(self.schedule(self.request_spec(server))))
            self.assertIn('failure_mode = %s' % mode, self.log())
            self.assertIn('no answer within 1 seconds', self.log())

    def test_default_failure_mode_is_reject(self):
        path = self.write_nova_conf(base.valet_fixtures.unused_url())
        with open(path) as f:
            text = f.read()
        with open(path, 'w') as f:
            f.write(text.replace('failure_mode = reject\n', ''))
        base.CONF(['--config-file', path], project='nova',
                  default_config_files=[])
        self.filter_module.reset_client()
        self.assertEqual('reject', base.CONF.valet.failure_mode)
        server = self.nova_instance('vm')
        self.assertEqual([], self.schedule(self.request_spec(server)))
        self.assertIn('failure_mode = reject', self.log())


class TestEndpoint(base.NovaFilterTestCase):
    """Where the filter finds Valet."""

    def conf_without(self, *lines):
        path = self.write_nova_conf(self.valet.url)
        with open(path) as f:
            text = f.read()
        for line in lines:
            text = text.replace(line + '\n', '')
        with open(path, 'w') as f:
            f.write(text)
        base.CONF(['--config-file', path], project='nova',
                  default_config_files=[])
        self.filter_module.reset_client()

    def test_auth_plugin_endpoint_without_url(self):
        # No [valet] url: the endpoint comes from the auth plugin (with
        # Keystone, from the catalog's "valet" service).
        self.conf_without('url = ' + self.valet.url)
        self.assertIsNone(base.CONF.valet.url)
        server = self.nova_instance('vm')
        self.assertEqual(1, len(self.schedule(self.request_spec(server))))
        self.assertTrue(self.placement(server)['reserved'])

    def test_no_endpoint_at_all_says_so(self):
        self.conf_without('url = ' + self.valet.url,
                          'endpoint = ' + self.valet.url)
        server = self.nova_instance('vm')
        self.assertEqual([], self.schedule(self.request_spec(server)))
        log = self.log()
        self.assertIn('no host passes for instance %s: Valet is '
                      'unavailable' % server, log)
        self.assertIn('set [valet] url', log)


class TestRoundTrips(base.NovaFilterTestCase):
    """One set of calls per request, whatever the number of hosts."""

    def test_heat_server_two_calls(self):
        stack_id, keys = self.heat_plan('web', {'web1': 'm1.small'})
        spy = self.useFixture(base.CallSpy())
        got = self.schedule(self.request_spec(
            str(uuid.uuid4()),
            hints=self.heat_hints(stack_id, 'web', 'web1', keys['web1'])))
        calls = list(spy.calls)
        self.assertEqual(1, len(got))
        placement = self.placement(keys['web1'])
        self.assertEqual([('GET', '/v1/placements/%s' % keys['web1']),
                          ('POST', '/v1/placements/%s' % placement['id'])],
                         calls)
        # Reserved within every host Nova's filters left.
        self.assertEqual(15, len(spy.bodies[1]['locations']))

    def test_ad_hoc_server_one_set_of_calls(self):
        server = self.nova_instance('vm')
        spy = self.useFixture(base.CallSpy())
        self.assertEqual(1, len(self.schedule(self.request_spec(server))))
        calls = list(spy.calls)
        placement = self.placement(server)
        self.assertEqual([('GET', '/v1/placements'),
                          ('GET', '/v1/placements/%s' % server),
                          ('POST', '/v1/plans'),
                          ('POST', '/v1/placements/%s' % server)],
                         calls)
        self.assertTrue(placement['reserved'])

    def test_client_built_once_per_process(self):
        first = self.filter_module.get_client()
        for name in ('vm-1', 'vm-2'):
            self.schedule(self.request_spec(self.nova_instance(name)))
        self.assertIs(first, self.filter_module.get_client())
