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

"""Refuse a ``[database]`` connection URL that can never work.

An unknown scheme, an empty URL or a driver that is not installed fails
on every request, forever; a server started with one would answer 500 to
everything while its health check says 200. :func:`check_connection`
finds these before the first request, without connecting, so that the
service refuses to start with one line naming the option. A database
that is merely down is not a configuration error: the service starts and
answers 503 until it comes back.
"""

from sqlalchemy.engine import url as sa_url
from sqlalchemy import exc as sa_exc

from valet import exception

# The options checked, in the order they are reported.
_OPTIONS = ('connection', 'slave_connection')


def _hidden(url):
    """Return url as text with its password masked, for messages."""
    return url.render_as_string(hide_password=True)


def _check_url(option, value, required):
    """Raise ConfigurationError if value cannot be a usable database URL."""
    name = '[database] %s' % option
    if value is None or not value.strip():
        if required:
            raise exception.ConfigurationError(
                option=name, reason='no database URL is set (for example '
                'mysql+pymysql://valet:PASSWORD@HOST/valet)')
        return
    try:
        url = sa_url.make_url(value)
    except sa_exc.ArgumentError:
        # The value itself may hold a password: never echo it.
        raise exception.ConfigurationError(
            option=name, reason='not a database URL of the form '
            'dialect+driver://user:password@host/database')
    try:
        dialect = url.get_dialect()
    except sa_exc.NoSuchModuleError:
        raise exception.ConfigurationError(
            option=name, reason='unknown database scheme %r in %s' %
            (url.drivername, _hidden(url)))
    try:
        dialect.import_dbapi()
    except ImportError as error:
        raise exception.ConfigurationError(
            option=name, reason='the driver of %s is not installed (%s)' %
            (_hidden(url), error))


def check_connection(conf):
    """Check conf's ``[database]`` URLs without connecting.

    :raises valet.exception.ConfigurationError: naming the option, when a
        URL is missing, unparsable, of an unknown scheme or its driver
        cannot be imported.
    """
    for option in _OPTIONS:
        _check_url(option, conf.database[option],
                   required=option == 'connection')
