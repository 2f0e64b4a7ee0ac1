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

"""Heat's ``valet`` client: the Valet API with the stack owner's session.

Registered on the ``heat.clients`` entry point namespace, so that a
resource gets it as ``self.client('valet')``, the way Heat resources get
every client. The endpoint is ``[valet] url`` of heat.conf, else the
service catalog's ``valet`` service.
"""

from heat.engine.clients import client_plugin
from oslo_config import cfg

from valet.plugins import client as valet_client

CLIENT_NAME = 'valet'

_registered = set()


def register_opts(conf=None):
    """Register the ``[valet]`` options on heat's configuration, once."""
    conf = cfg.CONF if conf is None else conf
    if id(conf) not in _registered:
        valet_client.register_opts(conf)
        _registered.add(id(conf))
    return conf


def make_client(context, conf=None):
    """A :class:`valet.plugins.client.Client` for a Heat request context.

    The stack owner's session, with ``[valet] timeout`` on every call: the
    session Heat lends has no timeout of its own, and a Valet that never
    answers must not hold heat-engine for ever.
    """
    conf = register_opts(conf)
    return valet_client.from_conf(conf, session=context.keystone_session)


class ValetClientPlugin(client_plugin.ClientPlugin):
    """Builds the Valet client from the request context's session."""

    service_types = [VALET] = [valet_client.SERVICE_TYPE]

    def _create(self, version=None):
        return make_client(self.context)

    def is_client_exception(self, ex):
        return isinstance(ex, valet_client.ValetClientException)

    def is_not_found(self, ex):
        return isinstance(ex, valet_client.ValetError) and ex.status == 404

    def is_over_limit(self, ex):
        return isinstance(ex, valet_client.ValetError) and ex.status == 413

    def is_conflict(self, ex):
        return isinstance(ex, valet_client.ValetError) and ex.status == 409


register_opts()
