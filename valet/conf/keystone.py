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

"""Options of the ``[keystone]`` group: valet's own service credentials.

valet-api uses them to ask Keystone whether the project ids added to a
group exist. Token validation is configured separately, in
``[keystone_authtoken]``, which keystonemiddleware reads from the same
configuration.
"""

from keystoneauth1 import loading as ks_loading
from oslo_config import cfg

GROUP_NAME = 'keystone'


def _group():
    # A fresh OptGroup for every conf: ConfigOpts shares the option table
    # of the OptGroup object it is given, and keystoneauth registers the
    # chosen auth plugin's options on the group when it loads the plugin;
    # with one module-level object those would leak into every later conf
    # (e.g. a required auth-url).
    return cfg.OptGroup(
        GROUP_NAME,
        title='Keystone service credentials',
        help='Credentials, session and endpoint options that Valet uses to '
             'call the Identity API (for instance to check project ids).')


def register_opts(conf):
    """Register session, auth plugin and adapter options on conf."""
    conf.register_group(_group())
    ks_loading.register_session_conf_options(conf, GROUP_NAME)
    ks_loading.register_auth_conf_options(conf, GROUP_NAME)
    ks_loading.register_adapter_conf_options(conf, GROUP_NAME,
                                             include_deprecated=False)
    conf.set_default('service_type', 'identity', group=GROUP_NAME)


def list_opts():
    """Return the [keystone] options, with the password plugin's."""
    opts = (ks_loading.get_session_conf_options() +
            ks_loading.get_auth_common_conf_options() +
            ks_loading.get_auth_plugin_conf_options('password') +
            ks_loading.get_adapter_conf_options(include_deprecated=False))
    return {_group(): opts}
