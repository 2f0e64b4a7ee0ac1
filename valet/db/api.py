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

"""Database access: the enginefacade every Valet process shares.

Data functions are decorated with :func:`reader` or :func:`writer` and take
a :class:`valet.context.RequestContext` as their first argument; the
decorator opens (or joins) a transaction, puts the session on
``ctx.session`` and turns an unreachable database into
:class:`valet.exception.ServiceUnavailable`.
"""

import functools
import re
import select
import time

from oslo_db import api as oslo_db_api
from oslo_db import exception as db_exc
from oslo_db.sqlalchemy import enginefacade
from oslo_log import log as logging
import sqlalchemy as sa
from sqlalchemy.engine import url as sa_url
from sqlalchemy import exc as sa_exc

from valet import exception

LOG = logging.getLogger(__name__)

context_manager = enginefacade.transaction_context()

# oslo.db's [database] options that are not enginefacade arguments; they
# belong to its legacy DBAPI and would only produce warnings here.
_NOT_FACADE_OPTIONS = frozenset([
    'backend', 'db_max_retries', 'db_inc_retry_interval',
    'db_retry_interval', 'db_max_retry_interval', 'use_db_reconnect',
    'mysql_enable_ndb', 'use_tpool',
    # Valet's own: turned into driver parameters of the URL.
    'server_timeout',
])

# The driver parameters that bound each wait for the server, by backend
# and driver (SQLAlchemy passes URL query parameters on to the driver).
_TIMEOUT_PARAMETERS = {
    ('mysql', 'pymysql'): ('connect_timeout', 'read_timeout',
                           'write_timeout'),
    ('mysql', 'mysqldb'): ('connect_timeout', 'read_timeout',
                           'write_timeout'),
    ('postgresql', 'psycopg2'): ('connect_timeout',),
    ('sqlite', 'pysqlite'): ('timeout',),
}


def with_utf8mb4(connection):
    """Return a MySQL connection URL that talks utf8mb4.

    oslo.db defaults MySQL connections to the 3-byte ``utf8``, which cannot
    carry characters outside the BMP although Valet's tables are utf8mb4.
    An explicit ``charset`` in the URL, and other databases, are left alone.
    """
    if not connection:
        return connection
    url = sa_url.make_url(connection)
    if url.get_backend_name() != 'mysql' or 'charset' in url.query:
        return connection
    return url.update_query_dict({'charset': 'utf8mb4'}).render_as_string(
        hide_password=False)


def with_timeouts(connection, timeout):
    """Return connection with its driver's timeouts set to timeout seconds.

    Only the parameters that the URL does not name are added: an
    operator's own ``read_timeout`` (say) is never overridden. A timeout
    of 0 (or None), and drivers Valet knows no timeouts of, leave the URL
    alone.
    """
    if not connection or not timeout:
        return connection
    url = sa_url.make_url(connection)
    names = _TIMEOUT_PARAMETERS.get((url.get_backend_name(),
                                     url.get_driver_name()), ())
    missing = {name: str(timeout) for name in names
               if name not in url.query}
    if not missing:
        return connection
    return url.update_query_dict(missing).render_as_string(
        hide_password=False)


_CONNECT_TIMEOUT = re.compile(r'\bconnect_timeout=\'?(\d+)')


def _psycopg2_bounded_wait(conn):
    """Wait for a psycopg2 connection, for at most its connect_timeout.

    libpq bounds nothing but connecting: a paused server still has its
    kernel acknowledge what is sent and answer TCP keepalives, and cannot
    enforce its own statement_timeout, so a query waits for ever. With
    this wait callback psycopg2 hands every wait for the server to Valet,
    which gives up after the connection's connect_timeout (set from
    ``[database] server_timeout``); psycopg2 then closes the connection,
    and the pool drops it.
    """
    # Imported here: only a process with a PostgreSQL database needs it.
    import psycopg2
    from psycopg2 import extensions

    found = _CONNECT_TIMEOUT.search(conn.dsn or '')
    timeout = int(found.group(1)) if found else 0
    deadline = time.monotonic() + timeout if timeout > 0 else None
    while True:
        state = conn.poll()
        if state == extensions.POLL_OK:
            return
        if state == extensions.POLL_READ:
            waits = ([conn.fileno()], [])
        elif state == extensions.POLL_WRITE:
            waits = ([], [conn.fileno()])
        else:
            raise psycopg2.OperationalError('bad poll state %r' % state)
        left = None
        if deadline is not None:
            left = max(deadline - time.monotonic(), 0)
        if not any(select.select(waits[0], waits[1], [], left)):
            # Worded as libpq's own lost connections are, which SQLAlchemy
            # and oslo.db know for a disconnect.
            raise psycopg2.OperationalError(
                'could not receive data from server: no answer in %d '
                'seconds' % timeout)


def _bound_postgresql_waits(connection):
    """Install the bounded wait of psycopg2 for a PostgreSQL connection.

    The wait callback is psycopg2's, process-wide: one that someone else
    installed (a green thread library, say) is left in place.
    """
    if not connection:
        return
    url = sa_url.make_url(connection)
    if (url.get_backend_name(), url.get_driver_name()) != ('postgresql',
                                                           'psycopg2'):
        return
    from psycopg2 import extensions

    if extensions.get_wait_callback() is None:
        extensions.set_wait_callback(_psycopg2_bounded_wait)


def facade_options(conf):
    """Return the enginefacade arguments for conf's ``[database]`` group.

    Valet runs on native threads, never eventlet: no ``sleep(0)`` on every
    connection check-in (oslo.db's ``thread_checkin``, there to let
    green threads run), which only gives the CPU away on a busy host.
    """
    options = {key: value for key, value in conf.database.items()
               if key not in _NOT_FACADE_OPTIONS}
    for key in ('connection', 'slave_connection'):
        options[key] = with_timeouts(with_utf8mb4(options.get(key)),
                                     conf.database.server_timeout)
    # Valet's schema relies on foreign keys; SQLite enforces them only
    # when asked to.
    options['sqlite_fk'] = True
    options['thread_checkin'] = False
    return options


def _sqlite_file_begins_immediate(engine):
    """Make every transaction on a SQLite file take the write lock first.

    SQLite's default (deferred) transactions take a shared lock on their
    first read and try to upgrade it on their first write; two writers
    that both read first deadlock, and SQLite answers one of them
    "database is locked" at once instead of waiting for the busy timeout.
    BEGIN IMMEDIATE takes the write lock up front, so concurrent writers
    wait for each other. An in-memory database has a single connection
    and is left alone.
    """
    url = engine.url
    if url.get_backend_name() != 'sqlite' or url.database in (None, '',
                                                              ':memory:'):
        return

    def _begin_immediate(connection):
        # oslo.db takes over BEGIN on SQLite (pysqlite's own is off): its
        # listener, which runs before this one, emits a deferred BEGIN and
        # sets its "in_transaction" marker. Nothing has run in that
        # transaction yet, so it is swapped for an immediate one.
        if 'in_transaction' in connection.info:
            connection.exec_driver_sql('ROLLBACK')
        connection.exec_driver_sql('BEGIN IMMEDIATE')
        connection.info['in_transaction'] = True

    sa.event.listen(engine, 'begin', _begin_immediate)


def configure(conf):
    """Configure the shared enginefacade from conf's ``[database]`` group.

    A process configures its database once, before its first transaction;
    a later call is logged and ignored rather than silently switching
    databases under running requests.
    """
    if context_manager.is_started:
        LOG.warning('The database is already in use; ignoring a second '
                    'database configuration.')
        return
    options = facade_options(conf)
    for key in ('connection', 'slave_connection'):
        _bound_postgresql_waits(options[key])
    context_manager.configure(**options)
    context_manager.append_on_engine_create(_sqlite_file_begins_immediate)


def get_engine():
    """Return the writer engine (starts the enginefacade if needed)."""
    return context_manager.writer.get_engine()


def new_context_manager(connection, **options):
    """Return an independent context manager bound to connection.

    Used to give each test (or a one-shot command) its own engine; install
    it with ``context_manager.patch_factory(new)``, which returns the
    callable that undoes the patch.
    """
    manager = context_manager.make_new_manager()
    options.setdefault('sqlite_fk', True)
    options.setdefault('thread_checkin', False)
    _bound_postgresql_waits(connection)
    manager.configure(connection=with_utf8mb4(connection), **options)
    manager.append_on_engine_create(_sqlite_file_begins_immediate)
    return manager


def is_unavailable(error):
    """True if error means the database could not be reached or used."""
    if isinstance(error, (db_exc.DBConnectionError,
                          db_exc.CantStartEngineError,
                          sa_exc.OperationalError)):
        return True
    return (isinstance(error, db_exc.DBError) and
            isinstance(error.inner_exception, sa_exc.OperationalError))


def translate_unavailable(fn):
    """Turn "database unreachable" errors of fn into ServiceUnavailable.

    Wrap this around the reader/writer decorator so that failures to
    connect, begin or commit are all caught.
    """
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (db_exc.DBError, db_exc.CantStartEngineError,
                sa_exc.OperationalError) as error:
            if not is_unavailable(error):
                raise
            LOG.error('Database unavailable in %(fn)s: %(error)s',
                      {'fn': fn.__name__, 'error': error})
            raise exception.ServiceUnavailable(
                reason='the database is unavailable (%s)' %
                type(error).__name__) from error
    return wrapper


# Concurrent writers touching the same rows: retry a few times on deadlocks
# (Galera reports certification failures as deadlocks too).
_retry_on_deadlock = oslo_db_api.wrap_db_retry(
    max_retries=5, retry_on_deadlock=True, inc_retry_interval=True)


def reader(fn):
    """Decorate a data function that only reads, in a reader transaction."""
    return translate_unavailable(context_manager.reader(fn))


def writer(fn):
    """Decorate a data function that writes, in a writer transaction.

    The whole transaction is retried on a deadlock; a database that cannot
    be reached raises ServiceUnavailable (the wrapping order makes failures
    to connect, begin or commit all count).
    """
    return translate_unavailable(
        _retry_on_deadlock(context_manager.writer(fn)))
