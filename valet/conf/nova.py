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

"""Options of the ``[nova]`` group: the ``nova`` topology source.

The source (``[engine] topology_driver = nova``) reads the data center from
the Compute and Placement APIs with Valet's own service credentials. The
group holds keystoneauth's session, auth plugin and adapter options, and
Valet's rack mapping and refresh interval.
"""

from keystoneauth1 import loading as ks_loading
from oslo_config import cfg

GROUP_NAME = 'nova'

# keystoneauth's session has no timeout by default: a Nova that accepts
# the connection and never answers would hang the engine's refresh. Every
# call of the source is bounded by this many seconds instead.
DEFAULT_TIMEOUT = 30.0

# As Nova's own clients of other services: a service talks to the APIs on
# the internal network when the catalog has such endpoints.
DEFAULT_INTERFACES = ['internal', 'public']

nova_opts = [
    cfg.StrOpt('rack_mapping_file',
               help='YAML file mapping host names (the "host" of Nova\'s '
                    'compute services) to rack names, for example '
                    '"{compute-0-1: r01, compute-0-2: r01}". A host it '
                    'names is in that rack; any other host is in the rack '
                    'given by the "rack" metadata of one of its host '
                    'aggregates, else the rack derived from its name by '
                    '[engine] rack_name_pattern, else a rack of its own. '
                    'Read again at every refresh.'),
    cfg.IntOpt('refresh_interval', min=0,
               help='Seconds between two reloads of the data center from '
                    'Nova and Placement, overriding [engine] '
                    'topology_refresh_interval for the nova source; 0 '
                    'loads it only at start (and when asked for).'),
]


def _group():
    # A fresh OptGroup for every conf, as for [keystone]: keystoneauth
    # registers the chosen auth plugin's options on the group object when
    # it loads the plugin, and a shared object would carry them (and their
    # required flags) into every later ConfigOpts.
    return cfg.OptGroup(
        GROUP_NAME,
        title='Nova topology source',
        help='Credentials, session and endpoint options that valet-engine '
             'uses to read the data center from the Compute and Placement '
             'APIs when [engine] topology_driver is "nova", and how hosts '
             'are grouped into racks. Of the adapter options, '
             'region_name, valid_interfaces, connect_retries and '
             'status_code_retries apply to both APIs; endpoint_override '
             'to the Compute API only (Placement is found in the service '
             'catalog).')


def register_opts(conf):
    """Register Valet's, the session, auth and adapter options on conf."""
    conf.register_group(_group())
    conf.register_opts(nova_opts, group=GROUP_NAME)
    ks_loading.register_session_conf_options(conf, GROUP_NAME)
    conf.set_default('timeout', DEFAULT_TIMEOUT, group=GROUP_NAME)
    ks_loading.register_auth_conf_options(conf, GROUP_NAME)
    ks_loading.register_adapter_conf_options(conf, GROUP_NAME,
                                             include_deprecated=False)
    conf.set_default('service_type', 'compute', group=GROUP_NAME)
    conf.set_default('valid_interfaces', DEFAULT_INTERFACES,
                     group=GROUP_NAME)


def list_opts():
    """Return the [nova] options, with the password plugin's."""
    # keystoneauth builds new option objects on every call: changing the
    # defaults shown in the sample file leaves other groups' alone.
    session_opts = ks_loading.get_session_conf_options()
    cfg.set_defaults(session_opts, timeout=DEFAULT_TIMEOUT)
    adapter_opts = ks_loading.get_adapter_conf_options(
        include_deprecated=False)
    cfg.set_defaults(adapter_opts, service_type='compute',
                     valid_interfaces=DEFAULT_INTERFACES)
    opts = (nova_opts + session_opts +
            ks_loading.get_auth_common_conf_options() +
            ks_loading.get_auth_plugin_conf_options('password') +
            adapter_opts)
    return {_group(): opts}
