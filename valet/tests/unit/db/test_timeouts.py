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

"""[database] server_timeout: the driver timeouts it puts in the URL, and
the bounded wait of psycopg2."""

import socket
from unittest import mock

from oslo_db import exception as db_exc
import psycopg2
from psycopg2 import extensions
from sqlalchemy.engine import url as sa_url
from sqlalchemy import exc as sa_exc

from valet.db import api
from valet import exception
from valet.tests import base


def query(connection):
    return dict(sa_url.make_url(connection).query)


class WithTimeoutsTestCase(base.TestCase):

    def test_pymysql_gets_connect_read_and_write_timeouts(self):
        self.assertEqual(
            {'charset': 'utf8mb4', 'connect_timeout': '7',
             'read_timeout': '7', 'write_timeout': '7'},
            query(api.with_timeouts(
                'mysql+pymysql://v:pw@db/valet?charset=utf8mb4', 7)))

    def test_a_parameter_of_the_url_is_kept(self):
        self.assertEqual(
            {'connect_timeout': '3', 'read_timeout': '60',
             'write_timeout': '3'},
            query(api.with_timeouts(
                'mysql+pymysql://v:pw@db/valet?read_timeout=60', 3)))

    def test_psycopg2_gets_connect_timeout(self):
        connection = api.with_timeouts(
            'postgresql+psycopg2://v:p%40ss@db/valet', 5)
        self.assertEqual({'connect_timeout': '5'}, query(connection))
        # The password survives the round trip.
        self.assertEqual('p@ss', sa_url.make_url(connection).password)

    def test_sqlite_gets_its_busy_timeout(self):
        self.assertEqual({'timeout': '4'}, query(api.with_timeouts(
            'sqlite:////var/lib/valet/valet.sqlite', 4)))

    def test_zero_and_unknown_drivers_leave_the_url_alone(self):
        for connection, timeout in (
                ('mysql+pymysql://v:pw@db/valet', 0),
                ('postgresql+pg8000://v:pw@db/valet', 5),
                (None, 5), ('', 5)):
            self.assertEqual(connection,
                             api.with_timeouts(connection, timeout))

    def test_facade_options_use_server_timeout(self):
        self.flags(group='database', server_timeout=9,
                   connection='mysql+pymysql://v:pw@db/valet',
                   slave_connection='postgresql+psycopg2://v:pw@r/valet')
        options = api.facade_options(self.conf)
        self.assertNotIn('server_timeout', options)
        self.assertEqual('9', query(options['connection'])['read_timeout'])
        self.assertEqual({'connect_timeout': '9'},
                         query(options['slave_connection']))

    def test_default_is_ten_seconds(self):
        self.assertEqual(10, self.conf.database.server_timeout)


class FakeConnection(object):
    """A psycopg2 connection waiting on a socket where nothing arrives."""

    def __init__(self, dsn, states):
        self.dsn = dsn
        self.states = list(states)
        self.sock, self.peer = socket.socketpair()

    def close(self):
        self.sock.close()
        self.peer.close()

    def poll(self):
        return self.states.pop(0)

    def fileno(self):
        return self.sock.fileno()


class BoundedWaitTestCase(base.TestCase):

    def connection(self, dsn, states):
        conn = FakeConnection(dsn, states)
        self.addCleanup(conn.close)
        return conn

    def test_silent_server_raises_a_lost_connection(self):
        conn = self.connection('host=db connect_timeout=1',
                               [extensions.POLL_READ])
        error = self.assertRaises(psycopg2.OperationalError,
                                  api._psycopg2_bounded_wait, conn)
        self.assertIn('could not receive data from server', str(error))
        self.assertIn('1 seconds', str(error))

    def test_answers_end_the_wait(self):
        conn = self.connection('host=db connect_timeout=1',
                               [extensions.POLL_WRITE, extensions.POLL_OK])
        self.assertIsNone(api._psycopg2_bounded_wait(conn))

    def test_installed_once_for_postgresql_only(self):
        with mock.patch.object(extensions, 'get_wait_callback',
                               return_value=None), \
                mock.patch.object(extensions,
                                  'set_wait_callback') as install:
            api._bound_postgresql_waits('mysql+pymysql://v:pw@db/valet')
            api._bound_postgresql_waits('sqlite://')
            self.assertFalse(install.called)
            api._bound_postgresql_waits('postgresql+psycopg2://v@db/valet')
        install.assert_called_once_with(api._psycopg2_bounded_wait)

    def test_someone_elses_callback_is_kept(self):
        with mock.patch.object(extensions, 'get_wait_callback',
                               return_value=object()), \
                mock.patch.object(extensions,
                                  'set_wait_callback') as install:
            api._bound_postgresql_waits('postgresql+psycopg2://v@db/valet')
        self.assertFalse(install.called)


class TimeoutIsUnavailableTestCase(base.TestCase):

    def test_driver_timeouts_are_service_unavailable(self):
        # What PyMySQL and the bounded wait raise, as oslo.db passes them.
        for error in (
                db_exc.DBConnectionError(sa_exc.OperationalError(
                    'SELECT 1', {}, Exception(
                        2013, 'Lost connection to MySQL server during '
                        'query (timed out)'))),
                sa_exc.OperationalError(
                    'SELECT 1', {}, psycopg2.OperationalError(
                        'could not receive data from server'))):
            def fails():
                raise error
            self.assertRaises(exception.ServiceUnavailable,
                              api.translate_unavailable(fails))
