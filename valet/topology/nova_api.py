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

"""Reading Nova and Placement for the ``nova`` topology source.

:class:`Snapshot` reads, through openstacksdk with the ``[nova]`` session
(bounded by its ``timeout``), everything the source needs: compute
services, hypervisors, aggregates, flavors, servers of every project, and
the inventories and usages of the compute nodes' resource providers. The
first failure raises :class:`TopologyUnavailable` naming the endpoint; a
snapshot is complete or not at all.
"""

from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import loading as ks_loading
from openstack import connection as sdk_connection
from openstack import exceptions as sdk_exc
from openstack import utils as sdk_utils

from valet.conf import nova as nova_conf
from valet.optimizer import exception

SOURCE = 'nova'
COMPUTE_BINARY = 'nova-compute'
# Flavors list their extra specs from 2.61; servers embed their flavor
# from 2.47 and hypervisors name their service by UUID from 2.53.
MIN_COMPUTE_MICROVERSION = '2.61'

# Adapter options passed on to both APIs when set.
_ADAPTER_OPTIONS = ('connect_retries', 'connect_retry_delay',
                    'status_code_retries', 'status_code_retry_delay')


class TopologyUnavailable(exception.InvalidTopology):
    """Keystone, Nova or Placement could not be read.

    ``field`` names the endpoint (``compute GET /os-services``) and
    ``reason`` says why: a timeout, a refused connection, an error status.
    A caller may keep its previous data center and try again later.
    """


def _reason(exc):
    if isinstance(exc, sdk_exc.HttpException) and exc.status_code:
        return 'HTTP %s from %s: %s' % (exc.status_code, exc.url,
                                        exc.details or exc.message)
    return str(exc) or exc.__class__.__name__


def call(endpoint, fetch):
    """Return ``fetch()``; any failure becomes TopologyUnavailable.

    :param endpoint: what is read, for the message (``compute GET
        /os-services``).
    :param fetch: a function reading the whole answer (lists, not
        generators, so that paging errors are caught here too).
    """
    try:
        return fetch()
    except (sdk_exc.SDKException, ks_exc.ClientException) as exc:
        raise TopologyUnavailable(SOURCE, endpoint, _reason(exc))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        # A body the SDK could not read (not JSON, a missing key).
        raise TopologyUnavailable(SOURCE, endpoint,
                                  'unexpected answer: %s' % exc)


def connect(conf):
    """Return an openstacksdk Connection from the ``[nova]`` options.

    :raises InvalidTopology: the credentials are not configured.
    """
    group = nova_conf.GROUP_NAME
    try:
        auth = ks_loading.load_auth_from_conf_options(conf, group)
    except ks_exc.ClientException as exc:
        raise exception.InvalidTopology(SOURCE, '[nova] auth options',
                                        str(exc))
    if auth is None:
        raise exception.InvalidTopology(
            SOURCE, '[nova] auth_type',
            'is not set: the nova topology source needs credentials to '
            'read the Compute and Placement APIs')
    session = ks_loading.load_session_from_conf_options(conf, group,
                                                        auth=auth)
    opts = conf[group]
    kwargs = {key: getattr(opts, key) for key in _ADAPTER_OPTIONS
              if getattr(opts, key) is not None}
    if opts.valid_interfaces:
        kwargs['interface'] = list(opts.valid_interfaces)
    if opts.endpoint_override:
        kwargs['compute_endpoint_override'] = opts.endpoint_override
    return sdk_connection.Connection(
        session=session, region_name=opts.region_name, app_name='valet',
        **kwargs)


class Snapshot(object):
    """Everything read from the APIs, before it is turned into hosts."""

    def __init__(self, conn):
        self.conn = conn
        self.inventories = {}
        self.usages = {}

    def read(self):
        """Read every API; raises TopologyUnavailable on the first error."""
        conn = self.conn
        call('identity (token)', conn.session.get_token)
        supported = call('compute (version discovery)',
                         lambda: sdk_utils.supports_microversion(
                             conn.compute, MIN_COMPUTE_MICROVERSION))
        if not supported:
            raise TopologyUnavailable(
                SOURCE, 'compute (version discovery)',
                'the Compute API must support microversion %s or later'
                % MIN_COMPUTE_MICROVERSION)
        compute = conn.compute
        self.services = call('compute GET /os-services', lambda: list(
            compute.services(binary=COMPUTE_BINARY)))
        self.hypervisors = call('compute GET /os-hypervisors/detail',
                                lambda: list(compute.hypervisors(
                                    details=True)))
        self.aggregates = call('compute GET /os-aggregates',
                               lambda: list(compute.aggregates()))
        # is_public=None: the private flavors too.
        self.flavors = call('compute GET /flavors/detail', lambda: list(
            compute.flavors(details=True, is_public=None)))
        self.servers = call('compute GET /servers/detail', lambda: list(
            compute.servers(details=True, all_projects=True)))
        placement = conn.placement
        self.providers = call('placement GET /resource_providers',
                              lambda: list(placement.resource_providers()))
        self._by_name = {p.name: p for p in self.providers}
        self._by_id = {p.id: p for p in self.providers}
        # Only the compute nodes' providers: not their children, nor
        # sharing providers, nor other services' providers.
        wanted = {}
        for hv in self.hypervisors:
            provider = self.provider_of(hv)
            if provider is not None:
                wanted[provider.id] = provider
        for provider in wanted.values():
            self._read_provider(provider)
        return self

    def provider_of(self, hypervisor):
        """The resource provider of a compute node, or None."""
        # Nova names the provider after the hypervisor hostname and gives
        # it the compute node's UUID (the hypervisor id from 2.53).
        return (self._by_name.get(hypervisor.name) or
                self._by_id.get(hypervisor.id))

    def _read_provider(self, provider):
        path = 'placement GET /resource_providers/%s/' % provider.id
        placement = self.conn.placement
        self.inventories[provider.id] = call(
            path + 'inventories', lambda: {
                inv.resource_class: inv for inv in
                placement.resource_provider_inventories(provider)})
        self.usages[provider.id] = call(
            path + 'usages', lambda: dict(
                placement.fetch_resource_provider_usages(provider).usages
                or {}))
