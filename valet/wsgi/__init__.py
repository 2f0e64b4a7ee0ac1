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

"""Build the Valet API application for a WSGI server.

Everything happens in :func:`init_application`, called by the server when
it loads :mod:`valet.wsgi.api`: a fresh ConfigOpts is built (nothing is
read at import time from a global configuration), logging and the database
are set up and the middleware pipeline is assembled.

A configuration that can never work (see :func:`check_config`) stops
everything here with :class:`valet.exception.ConfigurationError`, whose
one-line message names the option: the WSGI server logs it and serves
nothing, rather than a service that answers 500 to every request.

The configuration files are found like this:

* ``OS_VALET_CONFIG_FILES``: a ``;``-separated list of files, if set;
* otherwise ``valet.conf`` in ``OS_VALET_CONFIG_DIR`` (default
  ``/etc/valet``), when it exists.
"""

import os

from oslo_config import cfg
from oslo_log import log as logging

from valet.api import deploy
import valet.conf
from valet.db import api as db_api
from valet.db import preflight
from valet import exception
from valet import policy

LOG = logging.getLogger(__name__)

CONFIG_FILE = 'valet.conf'


def default_config_files(environ=None):
    """Return the configuration files named by the environment."""
    environ = os.environ if environ is None else environ
    files = environ.get('OS_VALET_CONFIG_FILES')
    if files:
        return [name.strip() for name in files.split(';') if name.strip()]
    path = os.path.join(environ.get('OS_VALET_CONFIG_DIR', '/etc/valet'),
                        CONFIG_FILE)
    return [path] if os.path.exists(path) else []


def build_conf(argv=None, environ=None):
    """Return a parsed ConfigOpts with every Valet option registered.

    :param argv: command line arguments (``--config-file`` ...); a WSGI
        server's own arguments are never parsed, so the default is none.
    """
    conf = cfg.ConfigOpts()
    valet.conf.register_opts(conf)
    conf(argv or [], project='valet',
         default_config_files=default_config_files(environ))
    return conf


def check_config(conf):
    """Refuse options that would fail every request.

    A database that is down is not checked (the API answers 503 until it
    is back); a database URL of an unknown scheme or without its driver,
    and a policy file that is missing or unreadable, are.

    :raises valet.exception.ConfigurationError: naming the option.
    """
    preflight.check_connection(conf)
    policy.check_policy_file(conf)


def init_application(conf=None):
    """Return the Valet API WSGI application, ready to serve.

    :raises valet.exception.ConfigurationError: when an option can never
        work; it is logged first, as one line (a WSGI server reports
        the import failure of valet.wsgi.api with a traceback).
    """
    if conf is None:
        conf = build_conf()
    logging.setup(conf, 'valet')
    conf.log_opt_values(LOG, logging.DEBUG)
    try:
        check_config(conf)
    except exception.ConfigurationError as error:
        refused = error
    else:
        refused = None
    if refused is not None:
        # Logged outside the except clause: oslo.log would append the
        # exception being handled, repeating the message on the line.
        LOG.critical('valet-api cannot start: %s', refused)
        raise refused
    db_api.configure(conf)
    return deploy.loadapp(conf)
