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

"""Valet's services started on this machine for the service benchmark.

:class:`Deployment` brings up, as production runs them: a throw-away
MariaDB database (oslo.db's provisioning, as the functional tests do,
migrated by ``valet-manage db sync``), ``valet-engine`` processes on the
real RabbitMQ serving the static topology, and valet-api under uwsgi
(``valet.wsgi.api:application``, noauth). The API keeps its real
notifications: ``messagingv2`` to RabbitMQ, on a topic of the run's own.

Everything it started is stopped, and the database, queues and exchange
dropped, by :meth:`Deployment.close` (a context manager), also on Ctrl-C
or SIGTERM. Children run on every core even when the benchmark itself is
pinned to one.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import uuid

RABBIT_URL = os.environ.get('VALET_TEST_RABBIT_URL',
                            'rabbit://guest:guest@127.0.0.1:5672/')
START_WAIT = 180
STOP_WAIT = 30

CONF = """[DEFAULT]
transport_url = {rabbit}
control_exchange = {name}
use_stderr = false
log_dir = {dir}
log_file = valet-api.log

[database]
connection = {db}
# One pooled connection per uwsgi thread: with oslo.db's default of 5, the
# connections past the pool are opened and closed on every request.
max_pool_size = {pool}

[engine]
topology_file = {topology}
# A static file: its periodic reload (300 s by default) would land in
# one request of a measured series.
topology_refresh_interval = 0

[engine_rpc]
topic = {name}
timeout = 120

[api]
auth_strategy = noauth
engine_timeout = 120

[oslo_messaging_notifications]
# Real notifications, as in production: every API call is published on
# RabbitMQ (a topic of this run's own, deleted at the end).
driver = messagingv2
topics = {name}-notifications

[oslo_messaging_rabbit]
amqp_auto_delete = true
"""


def _all_cores():
    # The benchmark pins itself to one core; the services it starts must
    # not inherit that.
    try:
        os.sched_setaffinity(0, range(os.cpu_count() or 1))
    except (AttributeError, OSError):
        pass


def free_port():
    """A TCP port of 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def console_script(name):
    """The console script ``name`` beside this interpreter, or -m."""
    path = os.path.join(os.path.dirname(sys.executable), name)
    if os.access(path, os.X_OK):
        return [path]
    return [sys.executable, '-m', 'valet.cmd.%s' % name.split('-')[1]]


def uwsgi_binary(log):
    """uwsgi of this interpreter's venv; ``pip install uwsgi`` if none."""
    path = os.path.join(os.path.dirname(sys.executable), 'uwsgi')
    if not os.access(path, os.X_OK):
        log('uwsgi is not installed beside %s: pip install uwsgi'
            % sys.executable)
        subprocess.run([sys.executable, '-m', 'pip', 'install', '-q',
                        'uwsgi'], check=True)
    return path


class Deployment(object):
    """Database, engines and valet-api of one benchmark run.

    :param workdir: directory for the configuration, logs and topology.
    :param topology: path of the static topology file.
    :param uwsgi: ``(processes, threads)`` of valet-api's uwsgi.
    """

    def __init__(self, workdir, topology, uwsgi=(2, 16), log=print):
        self.dir = workdir
        self.topology = topology
        self.uwsgi = uwsgi
        self.log = log
        self.name = 'valet-bench-%s' % uuid.uuid4().hex[:12]
        self.conf_file = os.path.join(workdir, 'valet.conf')
        self.port = None
        self.url = None
        self.db_url = None
        self.engines = {}
        self.api = None
        self._backend = self._db_name = None
        self._old_term = None

    # -- start -------------------------------------------------------------

    def start(self, engines=1):
        """Create the database, start ``engines`` engines and the API."""
        self._old_term = signal.signal(signal.SIGTERM, _terminate)
        self._create_database()
        self.port = free_port()
        self.url = 'http://127.0.0.1:%d' % self.port
        with open(self.conf_file, 'w') as out:
            out.write(CONF.format(rabbit=RABBIT_URL, name=self.name,
                                  dir=self.dir, db=self.db_url,
                                  pool=max(5, self.uwsgi[1]),
                                  topology=self.topology))
        self._run_logged('db-sync', console_script('valet-manage') + [
            '--config-file', self.conf_file, 'db', 'sync'])
        for i in range(engines):
            self.start_engine('engine-%d' % (i + 1))
        self._start_api()
        self.wait_for_api()
        return self

    def _create_database(self):
        # Imported here: the other parts of the benchmark need no database.
        from oslo_db.sqlalchemy import provision
        self._backend = provision.Backend.backend_for_database_type('mysql')
        self._db_name = 'valet_bench_%s' % uuid.uuid4().hex[:12]
        self._backend.create_named_database(self._db_name)
        url = self._backend.provisioned_database_url(self._db_name)
        self.db_url = url.render_as_string(hide_password=False)
        self.log('database %s created' % self._db_name)

    def _run_logged(self, name, argv):
        path = os.path.join(self.dir, '%s.log' % name)
        with open(path, 'w') as out:
            done = subprocess.run(argv, stdout=out, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL,
                                  preexec_fn=_all_cores)
        if done.returncode:
            raise RuntimeError('%s failed (exit %d): %s' % (
                ' '.join(argv), done.returncode, _tail(path)))

    def _spawn(self, argv, log_name, env=None):
        out = open(os.path.join(self.dir, log_name), 'w')
        try:
            # A session of its own: the whole group (uwsgi's master and
            # workers) is stopped by its id.
            return subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                    stdout=out, stderr=subprocess.STDOUT,
                                    env=env, start_new_session=True,
                                    preexec_fn=_all_cores)
        finally:
            out.close()

    def start_engine(self, host):
        """Start one more valet-engine (server name ``host``)."""
        conf = os.path.join(self.dir, '%s.conf' % host)
        with open(conf, 'w') as out:
            out.write('[DEFAULT]\nhost = %s\nlog_file = %s.log\n' % (
                host, host))
        self.engines[host] = self._spawn(
            console_script('valet-engine') + [
                '--config-file', self.conf_file, '--config-file', conf],
            '%s.out' % host)
        self.log('%s started (pid %d)' % (host, self.engines[host].pid))

    def _start_api(self):
        processes, threads = self.uwsgi
        env = dict(os.environ, OS_VALET_CONFIG_FILES=self.conf_file)
        self.api = self._spawn([
            uwsgi_binary(self.log),
            # HTTP/1.1 with keep-alive, as the clients of the hot path
            # (the Nova filter's sessions) use it.
            '--http11-socket', '127.0.0.1:%d' % self.port,
            '--home', sys.prefix, '--chdir', self.dir,
            '--module', 'valet.wsgi.api:application',
            '--master', '--processes', str(processes),
            '--threads', str(threads), '--lazy-apps', '--enable-threads',
            '--die-on-term', '--need-app', '--listen', '128',
            '--logto', os.path.join(self.dir, 'uwsgi.log')],
            'uwsgi.out', env=env)
        self.log('valet-api: uwsgi %d processes x %d threads on %s (pid %d)'
                 % (processes, threads, self.url, self.api.pid))

    def wait_for_api(self):
        """Wait until ``GET /v1`` answers 200."""
        import requests
        deadline = time.monotonic() + START_WAIT
        while True:
            try:
                if requests.get(self.url + '/v1', timeout=5).status_code \
                        == 200:
                    return
            except requests.RequestException:
                pass
            if self.api.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError('valet-api does not answer on %s: %s' % (
                    self.url, _tail(os.path.join(self.dir, 'uwsgi.log'))))
            time.sleep(0.5)

    def wait_for_engines(self, rpc, ctx, hosts):
        """Wait until every engine answers a ping with ``hosts`` hosts."""
        from valet import exception
        seen = set()
        deadline = time.monotonic() + START_WAIT
        while seen != set(self.engines):
            try:
                answer = rpc.ping(ctx, timeout=5)
                if answer['hosts'] == hosts:
                    seen.add(answer['id'])
            except exception.ServiceUnavailable:
                pass
            dead = [h for h, p in self.engines.items() if p.poll() is not None]
            if dead or time.monotonic() > deadline:
                raise RuntimeError('engines %s never answered: %s' % (
                    dead or sorted(set(self.engines) - seen), _tail(
                        os.path.join(self.dir, '%s.log' % (
                            dead or sorted(set(self.engines) - seen))[0]))))

    def count_in_logs(self, text):
        """Lines of the engines' logs (all of them so far) with text."""
        found = 0
        for name in os.listdir(self.dir):
            if name.startswith('engine-') and name.endswith('.log'):
                with open(os.path.join(self.dir, name),
                          errors='replace') as f:
                    found += sum(text in line for line in f)
        return found

    # -- stop ----------------------------------------------------------------

    def stop_engine(self, host):
        """Stop one engine (SIGTERM, then SIGKILL)."""
        _stop(self.engines.pop(host))

    def close(self):
        """Stop everything started; drop the database and the queues."""
        if self.api is not None:
            _stop(self.api)
            self.api = None
        for host in list(self.engines):
            self.stop_engine(host)
        if self._db_name:
            try:
                self._backend.drop_named_database(self._db_name)
                self.log('database %s dropped' % self._db_name)
            except Exception as exc:
                self.log('WARNING: could not drop database %s: %s'
                         % (self._db_name, exc))
            self._db_name = None
        self._delete_queues()
        if self._old_term is not None:
            signal.signal(signal.SIGTERM, self._old_term)
            self._old_term = None

    def _delete_queues(self):
        # The notification queues have no consumer, so auto-delete never
        # removes them: delete them, and the run's exchange, by name.
        import kombu
        try:
            with kombu.Connection(_kombu_url(RABBIT_URL)) as conn:
                channel = conn.channel()
                for prio in ('info', 'error', 'warn', 'debug', 'critical',
                             'audit', 'sample'):
                    channel.queue_delete('%s-notifications.%s' % (
                        self.name, prio))
                channel.exchange_delete(self.name)
        except Exception as exc:
            self.log('WARNING: could not delete the RabbitMQ queues of %s: '
                     '%s' % (self.name, exc))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _kombu_url(url):
    parsed = urllib.parse.urlparse(url)
    return parsed._replace(scheme='amqp').geturl()


def _terminate(signum, frame):
    # SIGTERM ends the run as Ctrl-C does, through every finally clause.
    raise SystemExit('terminated by signal %d' % signum)


def _stop(process):
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(STOP_WAIT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        process.wait()


def _tail(path, size=2000):
    try:
        with open(path, errors='replace') as f:
            return f.read()[-size:]
    except OSError:
        return '(no %s)' % path
