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


"""ValetFilter: Nova builds each server on the host Valet planned for it.

Enabled last in ``[filter_scheduler] enabled_filters``, after Nova's own
filters, it decides once per request (:meth:`ValetFilter.filter_all`, one
set of Valet API calls whatever the number of hosts) which of the hosts
that are left the server gets. It first finds the server's placement:

1. the ``heat_resource_uuid`` scheduler hint (Heat sends it when
   ``stack_scheduler_hints`` is on): ``GET /v1/placements/{uuid}``, the
   placement of a server of a stack's root template;
2. otherwise (or when that is not found) the Heat hints search,
   ``GET /v1/placements?heat_root_stack_id=R&valet_resource_path=P``
   where ``P`` is the names of the resources from the root stack down to
   the server, joined by ``/``: the resource names of the nested levels of
   ``heat_path_in_stack`` (each ``"resource,stack"``; the root level is the
   stack name alone) followed by ``heat_resource_name``. The Heat plugin
   stores its placements with that ``valet_resource_path``;
3. otherwise the server's own uuid, for a server Valet placed already
   (``GET /v1/placements?resource_id=<uuid>``, then the ad hoc plan's
   placement keyed by that uuid);
4. otherwise an ad hoc plan for a server Heat did not create
   (``POST /v1/plans``): the server alone, with its flavor, availability
   zone, Nova server group and the groups of its ``valet`` metadata, within
   the hosts that are left.

It then reserves the placement within those hosts (``POST
/v1/placements/{id}``) and lets through the host(s) whose name is the
answer. When the planned host is not among them Valet re-places the server
within them, every group rule still held.

How Nova's operations reach a filter (read from Nova's own code):

* a first build: nothing special; the server is not in Valet yet, or only
  as a Heat placement nobody reserved;
* rebuild with a new image: the ``_nova_check_type`` hint is ``rebuild``
  and only the server's current host is offered. The server stays where
  it is and Valet's plan does not change, so Valet is not asked and every
  host passes, as for Nova's filters that do not run on rebuild
  (``RUN_ON_REBUILD = False``);
* resize, cold and live migration, evacuation: Nova has already removed
  the source host (``ignore_hosts``) or kept only the requested
  destination (``requested_destination``). The server's placement, held
  by this server, is asked to ``replan`` within the hosts left; a resize
  that may stay on its host (``allow_resize_to_same_host``) keeps it;
* a retry after a failed build (``retry`` with ``num_attempts`` above 1):
  the hosts already tried (``retry.hosts``) are never offered to Valet
  again, so a server that failed on its planned host is re-placed.

Errors: Valet refusing (a rule no host can satisfy, a placement another
server holds...) lets no host pass and logs why, so that Nova reports
NoValidHost. Valet unreachable (or answering 503) follows ``[valet]
failure_mode``: ``reject`` lets no host pass, ``yield`` lets them all pass
with a warning.
"""

import json
import threading

from oslo_log import log as logging

import nova.conf
from nova import context as nova_context
from nova import objects
from nova.scheduler import filters
from nova.scheduler import utils as scheduler_utils

from valet.plugins import client as valet_client

LOG = logging.getLogger(__name__)

CONF = nova.conf.CONF
valet_client.register_opts(CONF, valet_client.GROUP)

# Heat's scheduler hints (heat.engine.resources.scheduler_hints).
HEAT_ROOT_STACK_ID = 'heat_root_stack_id'
HEAT_PATH_IN_STACK = 'heat_path_in_stack'
HEAT_RESOURCE_NAME = 'heat_resource_name'
HEAT_RESOURCE_UUID = 'heat_resource_uuid'
#: The placement metadata key the Heat plugin stores the path under.
VALET_RESOURCE_PATH = 'valet_resource_path'

SERVER = 'OS::Nova::Server'
SERVER_GROUP = 'OS::Nova::ServerGroup'

# Valet's error codes for "this server or stack has a plan already".
_ALREADY_PLANNED = ('valet.plan.duplicate_stack',
                    'valet.plan.duplicate_server')


class Refused(Exception):
    """No host can pass, for a reason that is not Valet being down."""


_client = None
_client_lock = threading.Lock()


def get_client():
    """The process's Valet client, built from ``[valet]`` on first use.

    A configuration that cannot make a client (e.g. an auth plugin missing
    a required option) raises :class:`ValetUnavailable`, and is tried
    again on the next request.
    """
    global _client
    with _client_lock:
        if _client is None:
            try:
                _client = valet_client.from_conf(CONF, valet_client.GROUP)
            except Exception as e:
                raise valet_client.ValetUnavailable(
                    'the [valet] section of nova.conf does not make a '
                    'client: %s' % e)
        return _client


def reset_client():
    """Forget the process's client (the next request builds a new one)."""
    global _client
    with _client_lock:
        _client = None


def resource_path(path_in_stack, resource_name):
    """The ``valet_resource_path`` of a server from Heat's hints.

    :param path_in_stack: the ``heat_path_in_stack`` hint: a list (or one
        string) whose first element names the root stack and whose others
        are ``"resource name,stack name"`` of each nested level (split at
        the last comma: stack names have none).
    :param resource_name: the ``heat_resource_name`` hint.
    :returns: the resource names from the root stack down to the server
        joined by ``/``, e.g. ``"web_group/0/server"``.
    """
    if path_in_stack is None:
        path_in_stack = []
    elif isinstance(path_in_stack, str):
        path_in_stack = [path_in_stack]
    names = []
    for level in path_in_stack:
        if ',' in level:
            names.append(level.rsplit(',', 1)[0])
    names.append(resource_name)
    return '/'.join(names)


def _tried_hosts(spec_obj):
    """The hosts a build already failed on (Nova's retry), as a set."""
    if 'retry' not in spec_obj or spec_obj.retry is None:
        return set()
    retry = spec_obj.retry
    if 'num_attempts' not in retry or retry.num_attempts <= 1 or \
            'hosts' not in retry or not retry.hosts:
        return set()
    return {node.host for node in retry.hosts if 'host' in node}


def _instance_group(spec_obj):
    if 'instance_group' not in spec_obj:
        return None
    return spec_obj.instance_group


def _group_policy(group):
    if 'policy' in group and group.policy:
        return group.policy
    if 'policies' in group and group.policies:
        return group.policies[0]
    return None


def lookup_instance(instance_uuid):
    """The Nova instance being scheduled, or None when it cannot be read.

    A server being built for the first time is still a BuildRequest of the
    API database; a server that is being moved is an Instance of its cell.
    Both are read through Nova's objects API; any failure (no database
    configured, no such record) means "unknown": the ad hoc plan is then
    named after the uuid and has no ``valet`` metadata.
    """
    ctx = nova_context.get_admin_context()
    try:
        try:
            return objects.BuildRequest.get_by_instance_uuid(
                ctx, instance_uuid).instance
        except Exception as e:
            LOG.debug('ValetFilter: no build request for instance %s: %s',
                      instance_uuid, e)
        mapping = objects.InstanceMapping.get_by_instance_uuid(
            ctx, instance_uuid)
        if 'cell_mapping' not in mapping or mapping.cell_mapping is None:
            return None
        with nova_context.target_cell(ctx, mapping.cell_mapping) as cctx:
            return objects.Instance.get_by_uuid(
                cctx, instance_uuid, expected_attrs=['metadata'])
    except Exception as e:
        LOG.info('ValetFilter: instance %(uuid)s cannot be read (%(error)s): '
                 'its ad hoc plan has no name or valet metadata of its own',
                 {'uuid': instance_uuid, 'error': e})
        return None


def _valet_metadata(instance):
    """The instance's ``valet`` metadata as a plan reads it, or None.

    Nova keeps metadata values as strings: Heat sends ``{"groups": [...]}``
    JSON-encoded, a user may type it (``--property valet='{"groups":
    ["db"]}'``). A value that is not JSON is passed as it is, for Valet to
    say what is wrong with it.
    """
    if instance is None or 'metadata' not in instance:
        return None
    value = (instance.metadata or {}).get('valet')
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _instance_name(instance, instance_uuid):
    if instance is not None and 'display_name' in instance and \
            instance.display_name and instance.display_name.strip():
        return instance.display_name
    return instance_uuid


def adhoc_resources(spec_obj, instance):
    """The ``resources`` of the ad hoc plan of a server Heat did not make.

    The server, keyed by its uuid, and its Nova server group (keyed by the
    group's uuid) as an ``OS::Nova::ServerGroup`` that the server names in
    ``scheduler_hints.group``.
    """
    uuid = spec_obj.instance_uuid
    name = _instance_name(instance, uuid)
    properties = {'flavor': spec_obj.flavor.name}
    if 'availability_zone' in spec_obj and spec_obj.availability_zone:
        properties['availability_zone'] = spec_obj.availability_zone
    valet = _valet_metadata(instance)
    if valet is not None:
        properties['metadata'] = {'valet': valet}
    resources = {uuid: {'name': name, 'type': SERVER,
                        'properties': properties}}
    group = _instance_group(spec_obj)
    policy = _group_policy(group) if group is not None else None
    if policy:
        group_name = group.name if 'name' in group and group.name else \
            group.uuid
        if group_name == name:
            group_name = group.uuid
        resources[group.uuid] = {'name': group_name, 'type': SERVER_GROUP,
                                 'properties': {'policies': [policy]}}
        properties['scheduler_hints'] = {'group': group.uuid}
    return resources


class _Request(object):
    """One scheduling request's conversation with Valet."""

    def __init__(self, client, spec_obj, instance_uuid, locations):
        self.client = client
        self.spec = spec_obj
        self.uuid = instance_uuid
        self.locations = locations

    def hint(self, name):
        return self.spec.get_scheduler_hint(name)

    def _get(self, placement_id):
        """The placement, or None when Valet does not know it."""
        try:
            return self.client.get_placement(placement_id)
        except valet_client.ValetError as e:
            if e.status == 404:
                return None
            raise

    def _one(self, found, how):
        live = [p for p in found if p.get('state') != 'deleted'] or found
        if len(live) > 1:
            raise Refused('%d placements match %s: %s' % (
                len(live), how, ', '.join(p['id'] for p in live)))
        return live[0] if live else None

    def find(self):
        """``(placement, how it was found)``, or ``(None, None)``."""
        uuid_hint = self.hint(HEAT_RESOURCE_UUID)
        if uuid_hint:
            placement = self._get(uuid_hint)
            if placement is not None:
                return placement, 'heat_resource_uuid %s' % uuid_hint
        root = self.hint(HEAT_ROOT_STACK_ID)
        name = self.hint(HEAT_RESOURCE_NAME)
        if root and name:
            path = resource_path(self.hint(HEAT_PATH_IN_STACK), name)
            how = 'heat_root_stack_id %s and %s %s' % (
                root, VALET_RESOURCE_PATH, path)
            placement = self._one(self.client.list_placements(
                heat_root_stack_id=root, valet_resource_path=path), how)
            if placement is not None:
                return placement, how
        if self.uuid:
            how = 'resource_id %s' % self.uuid
            placement = self._one(
                self.client.list_placements(resource_id=self.uuid), how)
            if placement is not None:
                return placement, how
            placement = self._get(self.uuid)
            if placement is not None:
                return placement, 'ad hoc plan %s' % self.uuid
        return None, None

    def plan(self):
        """Make the ad hoc plan of this server.

        :returns: the id to reserve its placement by: the orchestration id
            it is keyed by, the instance uuid.
        """
        if not self.uuid:
            raise Refused('the request names no instance uuid to plan')
        instance = lookup_instance(self.uuid)
        resources = adhoc_resources(self.spec, instance)
        name = resources[self.uuid]['name']
        try:
            # For the server's project, so that its memberships of
            # named groups apply (the filter's own user is a service).
            self.client.create_plan(name, self.uuid, resources,
                                    locations=self.locations,
                                    project_id=self.spec.project_id)
        except valet_client.ValetError as e:
            # Another scheduler planned it in the meantime: use that plan.
            if e.code not in _ALREADY_PLANNED:
                raise
        return self.uuid

    def decide(self):
        """The host name Valet reserved for this server, and why."""
        placement, how = self.find()
        if placement is None:
            placement_id, how = self.plan(), 'a new ad hoc plan'
            moving = False
        else:
            placement_id = placement['id']
            # A server Valet placed already whose host Nova no longer
            # offers (migration, evacuation, retry): placed again within
            # what is left.
            moving = (placement.get('resource_id') == self.uuid and
                      placement.get('location') not in self.locations)
        action = 'replan' if moving else 'reserve'
        reserved = self.client.reserve_placement(
            placement_id, self.locations, resource_id=self.uuid,
            action=action)
        return reserved['location'], '%s (placement %s, %s)' % (
            how, reserved['id'], action)


class ValetFilter(filters.BaseHostFilter):
    """Let through only the host Valet reserved for the server.

    The decision is taken once per request, in :meth:`filter_all`; it
    handles rebuilds itself (see the module's documentation).
    """

    # A rebuild keeps the server on its host: nothing for Valet to decide.
    RUN_ON_REBUILD = False

    def host_passes(self, host_state, spec_obj):
        """Whether Valet would take this host alone for the server.

        Nova calls :meth:`filter_all`; this is the same decision with one
        candidate, for callers that ask host by host.
        """
        return bool(list(self.filter_all([host_state], spec_obj)))

    def filter_all(self, filter_obj_list, spec_obj):
        hosts = list(filter_obj_list)
        if not hosts:
            return []
        uuid = spec_obj.instance_uuid if 'instance_uuid' in spec_obj \
            else None
        if scheduler_utils.request_is_rebuild(spec_obj):
            LOG.debug('ValetFilter: instance %s is rebuilt on its host; '
                      'its placement does not change', uuid)
            return hosts
        tried = _tried_hosts(spec_obj)
        candidates = [h for h in hosts if h.host not in tried]
        locations = list(dict.fromkeys(h.host for h in candidates))
        if not locations:
            LOG.warning('ValetFilter: no host passes for instance %(uuid)s: '
                        'the build already failed on every host left '
                        '(%(tried)s)',
                        {'uuid': uuid, 'tried': ', '.join(sorted(tried))})
            return []
        try:
            location, why = _Request(get_client(), spec_obj, uuid,
                                     locations).decide()
        except valet_client.ValetUnavailable as e:
            if CONF.valet.failure_mode == 'yield':
                LOG.warning('ValetFilter: every host passes for instance '
                            '%(uuid)s without Valet ([valet] failure_mode '
                            '= yield): %(error)s', {'uuid': uuid, 'error': e})
                return hosts
            LOG.error('ValetFilter: no host passes for instance %(uuid)s: '
                      '%(error)s ([valet] failure_mode = reject)',
                      {'uuid': uuid, 'error': e})
            return []
        except (valet_client.ValetError, Refused) as e:
            LOG.error('ValetFilter: no host passes for instance %(uuid)s: '
                      '%(error)s', {'uuid': uuid, 'error': e})
            return []
        except Exception:
            LOG.exception('ValetFilter: no host passes for instance '
                          '%(uuid)s: unexpected error', {'uuid': uuid})
            return []
        chosen = [h for h in candidates if h.host == location]
        if not chosen:
            LOG.error('ValetFilter: no host passes for instance %(uuid)s: '
                      'Valet answered host %(host)r, which is not among '
                      'the hosts left (%(hosts)s)',
                      {'uuid': uuid, 'host': location,
                       'hosts': ', '.join(locations)})
            return []
        LOG.info('ValetFilter: instance %(uuid)s goes to %(host)s, found '
                 'by %(why)s', {'uuid': uuid, 'host': location, 'why': why})
        return chosen
