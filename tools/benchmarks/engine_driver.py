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

"""Drive the engine's public library API from the external formats.

This is what ``valet-manage plan`` does with files, done with the parsed
documents: the static topology parser builds the data center once, then
each request parses its template and calls ``place_stack``.
"""

from oslo_config import cfg

import valet.conf
from valet.optimizer import api
from valet.optimizer.model import datacenter as dc_model
from valet.topology import static


def make_conf(**engine_flags):
    """Return a fresh ``ConfigOpts`` with ``[engine]`` overrides."""
    conf = cfg.ConfigOpts()
    valet.conf.register_opts(conf)
    conf([], project='valet', default_config_files=[])
    for key, value in engine_flags.items():
        conf.set_override(key, value, group='engine')
    return conf


def load_datacenter(conf, topology, existing=None):
    """Build the engine's data center from the two documents."""
    args = static.parse_topology(topology, 'topology')
    servers, defs = [], {}
    if existing:
        servers, defs = static.parse_existing(existing, 'existing')
    return dc_model.build(args['name'], args['hosts'], args['flavors'],
                          args['aggregates'], servers, conf,
                          group_defs=defs, defaults=args['defaults'])


def place(conf, datacenter, template, optimizer=None, time_limit=None):
    """Place a Heat template; return the engine's ``Result``."""
    stack = api.stack_from_template(template, datacenter)
    return api.place_stack(conf, datacenter, stack, optimizer=optimizer,
                           time_limit=time_limit)
