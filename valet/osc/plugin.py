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

"""The OpenStackClient plugin of Valet (API name ``valet``).

python-openstackclient finds this module through the
``openstack.cli.extension`` entry point and the commands through
``openstack.valet.v1``: ``openstack placement group ...``,
``openstack placement plan ...`` and ``openstack placement status``.

The client is :class:`valet.plugins.client.Client` on a keystoneauth
Adapter over the command line's session: the endpoint is
``--os-valet-url`` (``OS_VALET_URL``) or a cloud's
``valet_endpoint_override`` when given, else the service catalog's
``valet`` endpoint for the command line's interface and region (or, with
an auth plugin that has no catalog such as ``valet-noauth``, the
plugin's own endpoint).

OpenStackClient imports this module for every command it runs, Valet's
or not: it imports nothing but osc-lib here.
"""

import logging

from osc_lib import utils

LOG = logging.getLogger(__name__)

API_NAME = 'valet'
SERVICE_TYPE = 'valet'
DEFAULT_API_VERSION = '1'
#: Seconds to wait for each answer of Valet.
DEFAULT_TIMEOUT = 60
API_VERSION_OPTION = 'os_valet_api_version'
API_VERSIONS = {'1': 'valet.plugins.client.Client'}


def endpoint_override(config):
    """The endpoint the command line sets for Valet, or None.

    :param config: the command line's configuration
        (``ClientManager.get_configuration()``): ``valet_url`` comes from
        ``--os-valet-url`` or ``OS_VALET_URL``, ``valet_endpoint_override``
        from a cloud of clouds.yaml.
    """
    return (config.get('valet_url') or
            config.get('valet_endpoint_override') or None)


def make_client(instance):
    """Return a :class:`valet.plugins.client.Client` for OpenStackClient.

    :param instance: OpenStackClient's ``ClientManager``.
    """
    from valet.plugins import client as valet_client

    config = instance.get_configuration()
    endpoint = endpoint_override(config)
    LOG.debug('Valet client: endpoint %s, interface %s, region %s',
              endpoint or '(service catalog)', instance.interface,
              instance.region_name)
    return valet_client.Client(valet_client.adapter(
        instance.session, service_type=SERVICE_TYPE,
        interface=instance.interface, region_name=instance.region_name,
        endpoint_override=endpoint), timeout=timeout(config))


def timeout(config):
    """Seconds to wait for each answer of Valet.

    ``--os-valet-timeout-seconds``: OpenStackClient's session has no
    timeout, and without one a Valet that never answers would hold the
    command for ever. (The option's name does not end in "timeout": the
    configuration loader of openstacksdk takes every such option for its
    own ``api_timeout``, which OpenStackClient then drops.)
    """
    value = config.get('valet_timeout_seconds') or DEFAULT_TIMEOUT
    return float(value)


def build_option_parser(parser):
    """Add Valet's global options to the ``openstack`` command line."""
    parser.add_argument(
        '--os-valet-api-version',
        metavar='<valet-api-version>',
        default=utils.env('OS_VALET_API_VERSION',
                          default=DEFAULT_API_VERSION),
        help='Valet API version, default=%s (Env: OS_VALET_API_VERSION)'
             % DEFAULT_API_VERSION)
    parser.add_argument(
        '--os-valet-url',
        metavar='<valet-url>',
        default=utils.env('OS_VALET_URL'),
        help='Valet API endpoint, e.g. http://controller:8090, instead of '
             'the service catalog\'s "valet" endpoint (Env: OS_VALET_URL)')
    parser.add_argument(
        '--os-valet-timeout-seconds',
        metavar='<seconds>', type=_positive_float,
        default=utils.env('OS_VALET_TIMEOUT_SECONDS',
                          default=DEFAULT_TIMEOUT),
        help='Seconds to wait for each answer of Valet, default=%s (Env: '
             'OS_VALET_TIMEOUT_SECONDS)' % DEFAULT_TIMEOUT)
    return parser


def _positive_float(text):
    import argparse

    try:
        value = float(text)
    except ValueError:
        value = 0
    if not value > 0:
        raise argparse.ArgumentTypeError(
            '%r is not a number of seconds above 0' % (text,))
    return value
