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

"""What valet-engine does for each request: plan, then commit.

Every placement request follows the same loop: take a :class:`View` of
the data center (the topology plus what the database records, refreshed
incrementally), run the pure optimizer (:mod:`valet.optimizer.api`), and
commit the plan, its placements and the capacity they claim in one
transaction guarded by the generations the view was built from. When
another engine changed one of those hosts or groups first, the commit
raises GenerationConflict, nothing is kept, and the request is planned
again on a fresh view (``[engine] commit_retries`` times at most).

Requests of one engine are planned one at a time (the search is CPU
bound); several engines share the load through the RPC topic.
"""

import threading
import time

from oslo_db import api as oslo_db_api
from oslo_log import log as logging
from oslo_utils import uuidutils

from valet.db import groups as db_groups
from valet.db import hosts as db_hosts
from valet.db import placements as db_placements
from valet.db import plans as db_plans
from valet.engine import cache as cache_mod
from valet.engine import planned as planned_mod
from valet import exception
from valet.optimizer import api as optimizer
from valet.optimizer import audit
from valet.optimizer import exception as optimizer_exception

LOG = logging.getLogger(__name__)

# Pauses between two attempts of a commit that met a conflict (seconds).
RETRY_INTERVAL = 0.01
MAX_RETRY_INTERVAL = 0.5


def _check_deadline(ctx, what):
    """Refuse to commit for a caller that has already given up."""
    deadline = getattr(ctx, 'deadline', None)
    if deadline is not None and time.time() > deadline:
        LOG.warning('%s: its caller gave up %.1f s ago; not committed',
                    what, time.time() - deadline)
        raise exception.ServiceUnavailable(
            reason='%s came too late: its caller had given up' % what)


class EngineManager(object):
    """The engine's requests, on a model cache and the database."""

    def __init__(self, conf, source):
        self.conf = conf
        self.cache = cache_mod.ModelCache(conf, source)
        self._lock = threading.Lock()

    # -- the model ---------------------------------------------------------

    def load(self, ctx):
        """Load the topology (at start); errors are logged, not raised."""
        with self._lock:
            try:
                self.cache.load_topology(ctx)
            except optimizer_exception.EngineError as exc:
                LOG.error('Could not load the data center topology: %s', exc)

    def _view(self, ctx, exclude_plan=None):
        if self.cache.topology_is_stale():
            try:
                self.cache.load_topology(ctx)
            except optimizer_exception.EngineError as exc:
                if self.cache.base is None:
                    raise exception.ServiceUnavailable(
                        reason='the data center topology cannot be read: '
                        '%s' % exc)
                LOG.error('Could not reload the topology, planning on the '
                          'one loaded before: %s', exc)
        return self.cache.view(ctx, exclude_plan)

    def refresh_topology(self):
        """Reload the topology before the next request."""
        self.cache.loaded_at = None
        LOG.info('Topology refresh asked: reloading before the next '
                 'request')

    def describe(self):
        """``{"hosts": N}`` of the loaded topology."""
        return {'hosts': self.cache.n_hosts}

    # -- planning ------------------------------------------------------------

    def _stack(self, ctx, view, resources):
        resources = planned_mod.with_group_names(resources, view.groups)
        try:
            stack = optimizer.stack_from_resources(
                resources, view.datacenter, view.group_defs())
        except optimizer_exception.EngineError as exc:
            raise planned_mod.invalid(exc)
        return stack, resources

    def _memberships(self, ctx, view, planned, project_id):
        """Record which API groups each server joins; check membership."""
        stack = planned.stack
        for group in stack.groups.values():
            if group.named is None:
                continue
            api_group = view.by_name.get(group.named)
            if api_group is None:
                if group.type == 'exclusivity':
                    # Exclusivity spans stacks: it must be an API group.
                    raise exception.GroupNotFound(group=group.named)
                continue
            if api_group['members'] and project_id not in \
                    api_group['members']:
                raise exception.NotGroupMember(project=project_id,
                                               group=api_group['name'])
            for name in stack.flatten(group.name):
                planned.memberships.setdefault(name, set()).add(
                    api_group['id'])
                if group.type == 'exclusivity' and group.level == 'rack':
                    planned.rack_exclusive.add(name)

    def _plan(self, ctx, view, resources, project_id, solve):
        stack, resources = self._stack(ctx, view, resources)
        planned = planned_mod.Planned(view, stack, None, resources)
        self._memberships(ctx, view, planned, project_id)
        try:
            result = solve(stack)
        except optimizer_exception.EngineError as exc:
            raise planned_mod.invalid(exc)
        if not result.ok:
            raise planned_mod.no_placement(result)
        planned.result = result
        return planned

    def _retrying(self, what, attempt):
        """Run attempt() until it commits without a generation conflict.

        oslo.db's retry decorator runs it again after a short, growing
        and jittered pause (so that engines that collided do not collide
        again in step), at most ``[engine] commit_retries`` times.
        """
        retry = oslo_db_api.wrap_db_retry(
            max_retries=self.conf.engine.commit_retries,
            retry_interval=RETRY_INTERVAL, inc_retry_interval=True,
            max_retry_interval=MAX_RETRY_INTERVAL, jitter=True,
            exception_checker=lambda exc: isinstance(
                exc, exception.GenerationConflict))

        def logged():
            try:
                return attempt()
            except exception.GenerationConflict as exc:
                # The benchmark counts these lines: keep their wording.
                LOG.info('%(what)s: %(error)s; planning again',
                         {'what': what, 'error': exc.message})
                raise

        try:
            done = retry(logged)()
        except exception.GenerationConflict:
            raise exception.ServiceUnavailable(
                reason='%s: the data center changed under %d attempts to '
                'plan; try again' % (what,
                                     self.conf.engine.commit_retries + 1))
        LOG.info('%s: committed', what)
        return done

    def create_plan(self, ctx, plan_name, stack_id, resources,
                    locations=None):
        """Place a new stack and store its plan; return the plan dict."""
        project_id = ctx.project_id
        last = {}

        def attempt():
            view = self._view(ctx)
            planned = last.get('planned')
            if planned is not None and planned.still_fits(view):
                planned = planned.moved_to(view)
            else:
                planned = self._plan(
                    ctx, view, resources, project_id,
                    lambda stack: optimizer.place_stack(
                        self.conf, view.datacenter, stack,
                        locations=locations))
            last['planned'] = planned
            names = list(planned.stack.servers)
            plan = {'id': uuidutils.generate_uuid(), 'name': plan_name,
                    'stack_id': stack_id, 'project_id': project_id,
                    'resources': resources, 'locations': locations}
            rows = [planned.placement(n) for n in names]
            guard = planned.guard(names)
            _check_deadline(ctx, 'plan of stack %s' % stack_id)
            stored = db_plans.create_plan(ctx, plan, rows, guard)
            self.cache.committed(
                set(guard['hosts']) | {row['location'] for row in rows},
                added=[planned_mod.recorded(plan['id'], row) for row in rows])
            return stored

        with self._lock:
            return self._retrying('plan of stack %s' % stack_id, attempt)

    def _record(self, ctx, plan_id):
        record = db_plans.get_plan_record(ctx, plan_id)
        # Placements holding capacity: what the stack's servers keep.
        live = {row['orchestration_id']: row
                for row in record['placements']
                if row['state'] in db_hosts.LIVE_STATES}
        return record, live

    def update_plan(self, ctx, plan_id, resources):
        """Re-place a stack after a stack update; return the plan dict.

        Servers that still exist with the same flavor keep their hosts;
        new ones are placed; removed ones are released.
        """
        def attempt():
            record, live = self._record(ctx, plan_id)
            plan = record['plan']
            view = self._view(ctx, exclude_plan=plan['id'])

            def solve(stack):
                current = {}
                for name, server in stack.servers.items():
                    row = live.get(server.key)
                    if row is not None:
                        current[name] = {'host': row['location'],
                                         'flavor': row['flavor']}
                return optimizer.update_stack(
                    self.conf, view.datacenter, stack, current,
                    locations=record['locations'])

            planned = self._plan(ctx, view, resources, plan['project_id'],
                                 solve)
            rows = {row['orchestration_id']: row
                    for row in record['placements']}
            added, moved, changed, removed = [], {}, [], []
            for name, server in planned.stack.servers.items():
                row = rows.get(server.key)
                if row is not None and (
                        row['state'] == 'deleted' or
                        row['flavor'] != server.flavor.name):
                    # Placed again from scratch: a new placement.
                    removed.append(server.key)
                    row = None
                if row is None:
                    added.append(planned.placement(name))
                    changed.append(name)
                elif row['state'] not in db_hosts.LIVE_STATES:
                    # Shelved: Nova places it again when it unshelves
                    # it (through the filter); the plan keeps its row.
                    continue
                elif row['location'] != planned.host_of(name):
                    moved[server.key] = planned.result.placements[name]
                    changed.append(name)
            keys = {server.key for server in planned.stack.servers.values()}
            removed.extend(key for key in rows if key not in keys)
            _check_deadline(ctx, 'update of plan %s' % plan_id)
            return db_plans.change_plan(
                ctx, plan['id'], planned.guard(changed), resources=resources,
                added=added,
                moved={k: {'location': v['host'], 'rack': v['rack']}
                       for k, v in moved.items()},
                removed=sorted(set(removed)))

        with self._lock:
            return self._retrying('update of plan %s' % plan_id, attempt)

    def _server_name(self, stack, live, server):
        for name, srv in stack.servers.items():
            row = live.get(srv.key)
            if srv.key == server or (row and row['resource_id'] == server):
                return name
        raise exception.PlacementNotFound(placement=server)

    def _move(self, ctx, plan_id, server, solve):
        """Plan new hosts for one server (and what must move with it)."""
        record, live = self._record(ctx, plan_id)
        plan = record['plan']
        view = self._view(ctx, exclude_plan=plan['id'])
        holder = {}

        def run(stack):
            name = self._server_name(stack, live, server)
            placements = {n: live[s.key]['location']
                          for n, s in stack.servers.items() if s.key in live}
            holder['name'] = name
            return solve(view, stack, placements, name)

        planned = self._plan(ctx, view, record['resources'],
                             plan['project_id'], run)
        names = [holder['name']] + list(planned.result.moved)
        moved = {}
        for name in names:
            key = planned.stack.servers[name].key
            where = planned.result.placements[name]
            if key in live and live[key]['location'] != where['host']:
                moved[key] = {'location': where['host'],
                              'rack': where['rack']}
        changed = [n for n in names
                   if planned.stack.servers[n].key in moved]
        _check_deadline(ctx, 'move of %s' % server)
        stored = db_plans.change_plan(ctx, plan['id'], planned.guard(changed),
                                      moved=moved)
        return stored, planned, holder['name']

    def migrate_server(self, ctx, plan_id, server, excluded_hosts=()):
        """Move one server off its host; return the plan with ``moved``."""
        def solve(view, stack, placements, name):
            return optimizer.migrate_server(
                self.conf, view.datacenter, stack, placements, name,
                excluded_hosts=excluded_hosts)

        def attempt():
            stored, planned, _name = self._move(ctx, plan_id, server, solve)
            stored['moved'] = sorted(planned.stack.servers[n].key
                                     for n in planned.result.moved)
            return stored

        with self._lock:
            return self._retrying('migration of %s' % server, attempt)

    def replan_server(self, ctx, placement_id, locations):
        """Re-place one placement within ``locations``; return it."""
        row = db_placements.get_placement(ctx, placement_id)

        def solve(view, stack, placements, name):
            return optimizer.replan_server(
                self.conf, view.datacenter, stack, placements, name,
                locations)

        def attempt():
            self._move(ctx, row['plan_id'], row['orchestration_id'], solve)
            return db_placements.get_placement(ctx, row['id'])

        with self._lock:
            return self._retrying('replan of %s' % placement_id, attempt)

    def release_plan(self, ctx, plan_id):
        """Delete a plan; its placements give their capacity back."""
        with self._lock:
            _check_deadline(ctx, 'release of plan %s' % plan_id)
            gone = db_plans.delete_plan(ctx, plan_id)
            self.cache.committed(gone['touched'], removed=gone['released'])

    # -- queries -------------------------------------------------------------

    def group_servers(self, ctx, group):
        """The servers of a named group and their hosts."""
        return db_groups.group_servers(ctx, group)

    def violations(self, ctx):
        """Servers whose host breaks a rule of one of their named groups."""
        with self._lock:
            view = self._view(ctx)
        return audit.broken_rules(view.datacenter)
