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

"""Checks of what devstack/plugin.sh wrote and ran, for run.sh.

Run with the Python of the venv holding Valet, Heat and Nova
(.venv-plugins)::

    check.py SUBJECT [ARGS...]

Subjects: ``valet`` (valet.conf and the uwsgi file), ``heat``, ``nova``,
``tempest`` (their configuration files after the plugin's phases) and
``calls`` (the devstack functions the plugin called). What the files must
hold comes from ``DST_*`` environment variables set by run.sh.

Each check prints one line, ``PASS name``, ``FAIL name: reason`` or
``SKIP name: reason``; run.sh counts them. The files are read with
configparser, and, where the service has its own reader, with it too:
Valet's, Heat's and Nova's oslo.config options, Heat's plugin loader and
Nova's filter loader.
"""

import configparser
import importlib.util
import os
import sys
import traceback

SCENARIO = os.environ.get('DST_SCENARIO', '')


class Skip(Exception):
    """The check cannot be made here."""


def run(name, check, *args):
    """Run one check and print its line."""
    label = '%s %s' % (SCENARIO, name) if SCENARIO else name
    try:
        check(*args)
    except Skip as e:
        print('SKIP %s: %s' % (label, e))
    except AssertionError as e:
        print('FAIL %s: %s' % (label, e))
    except Exception:
        detail = traceback.format_exc().strip().splitlines()
        print('FAIL %s: %s' % (label, ' | '.join(detail[-3:])))
    else:
        print('PASS %s' % label)


def expect(name, default=None):
    """An expectation from the environment; required unless defaulted."""
    value = os.environ.get('DST_EXPECT_' + name, default)
    if value is None:
        raise AssertionError('run.sh did not set DST_EXPECT_%s' % name)
    return value


def read_ini(path, strict=True):
    """configparser on path, with no interpolation and no defaults merge.

    strict=False for files with multi-valued options (nova.conf's
    available_filters): configparser keeps the last value, see
    :func:`multi_values`.
    """
    parser = configparser.RawConfigParser(strict=strict,
                                          default_section='__none__')
    parser.optionxform = str
    with open(path) as f:
        parser.read_file(f)
    return parser


def multi_values(path, section, option):
    """Every value of a multi-valued option (configparser keeps one)."""
    values, inside = [], False
    with open(path) as f:
        for line in f:
            line = line.rstrip('\n')
            if line.startswith('['):
                inside = line.strip() == '[%s]' % section
                continue
            if inside and line.split('=', 1)[0].strip() == option and \
                    '=' in line and not line.startswith(('#', ';')):
                values.append(line.split('=', 1)[1].strip())
    return values


def equal(actual, wanted, what):
    assert actual == wanted, '%s is %r, not %r' % (what, actual, wanted)


def get(parser, section, option):
    assert parser.has_option(section, option), \
        '[%s] %s is not set' % (section, option)
    return parser.get(section, option)


# --- valet.conf -------------------------------------------------------------


def _valet_conf(path):
    from oslo_config import cfg

    import valet.conf
    conf = cfg.ConfigOpts()
    valet.conf.register_opts(conf)
    conf(['--config-file', path], project='valet', default_config_files=[])
    return conf


def check_valet(valet_conf, uwsgi_conf):
    """valet.conf and the API's uwsgi file."""
    def sections():
        ini = read_ini(valet_conf)
        equal(get(ini, 'DEFAULT', 'transport_url'),
              expect('TRANSPORT_URL'), '[DEFAULT] transport_url')
        equal(get(ini, 'database', 'connection'),
              expect('DB_CONNECTION'), '[database] connection')
        equal(get(ini, 'api', 'auth_strategy'), 'keystone',
              '[api] auth_strategy')
        equal(get(ini, 'engine', 'topology_driver'),
              expect('TOPOLOGY_DRIVER', 'nova'), '[engine] topology_driver')
        equal(get(ini, 'oslo_messaging_notifications', 'driver'),
              'messagingv2', '[oslo_messaging_notifications] driver')
        for section in ('keystone_authtoken', 'keystone', 'nova'):
            equal(get(ini, section, 'auth_type'), 'password',
                  '[%s] auth_type' % section)
            equal(get(ini, section, 'username'), expect('SERVICE_USER'),
                  '[%s] username' % section)
            equal(get(ini, section, 'password'), expect('SERVICE_PASSWORD'),
                  '[%s] password' % section)
            equal(get(ini, section, 'project_name'),
                  expect('SERVICE_PROJECT'), '[%s] project_name' % section)
            equal(get(ini, section, 'auth_url'), expect('KEYSTONE_URI'),
                  '[%s] auth_url' % section)

    def every_option_is_valets():
        # What the plugin writes is what Valet reads: no misspelt option
        # or section that oslo.config would silently ignore.
        from keystoneauth1 import loading as ks_loading
        conf = _valet_conf(valet_conf)
        password = {o.dest for o in
                    ks_loading.get_auth_plugin_conf_options('password')}
        password |= {o.dest for o in
                     ks_loading.get_auth_common_conf_options()}
        ini = read_ini(valet_conf)
        unknown = []
        for section in ['DEFAULT'] + ini.sections():
            for option in ini.options(section):
                dest = option.replace('-', '_')
                if section == 'DEFAULT':
                    known = dest in conf
                elif section in conf:
                    known = dest in conf[section] or dest in password
                else:
                    known = False
                if not known:
                    unknown.append('[%s] %s' % (section, option))
        assert not unknown, 'options Valet does not have: %s' % unknown

    def valet_reads_it():
        from keystoneauth1 import loading as ks_loading
        conf = _valet_conf(valet_conf)
        equal(conf.engine.topology_driver, expect('TOPOLOGY_DRIVER', 'nova'),
              'topology_driver as Valet reads it')
        equal(conf.api.auth_strategy, 'keystone', 'auth_strategy')
        for group in ('nova', 'keystone'):
            # Loading the plugin registers its options in the group.
            ks_loading.load_auth_from_conf_options(conf, group)
            equal(conf[group].username, expect('SERVICE_USER'),
                  '[%s] username' % group)
            equal(conf[group].auth_url, expect('KEYSTONE_URI'),
                  '[%s] auth_url' % group)
        equal(list(conf.nova.valid_interfaces), ['internal', 'public'],
              '[nova] valid_interfaces')
        equal(conf.nova.region_name, expect('REGION'), '[nova] region_name')

    def uwsgi():
        ini = read_ini(uwsgi_conf)
        equal(get(ini, 'uwsgi', 'module'), 'valet.wsgi.api:application',
              '[uwsgi] module')
        equal(get(ini, 'uwsgi', 'http'), expect('UWSGI_HTTP'), '[uwsgi] http')
        equal(get(ini, 'uwsgi', 'env'),
              'OS_VALET_CONFIG_FILES=%s' % valet_conf, '[uwsgi] env')
        # The module the file names exists and exposes the application.
        spec = importlib.util.find_spec('valet.wsgi.api')
        assert spec is not None, 'valet.wsgi.api cannot be imported'
        with open(spec.origin) as f:
            assert 'application = ' in f.read(), \
                'valet.wsgi.api has no "application"'

    run('valet.conf holds database, bus, auth and topology', sections)
    run('valet.conf: every option is one of Valet\'s', every_option_is_valets)
    run('valet.conf as Valet reads it', valet_reads_it)
    run('uwsgi serves valet.wsgi.api:application with valet.conf', uwsgi)


# --- heat.conf --------------------------------------------------------------


def _valet_plugin_dir():
    import valet.plugins.heat.plugin_dir as plugin_dir
    return plugin_dir.PATH


def check_heat(heat_conf):
    """heat.conf: plugin_dirs, scheduler hints, [valet]."""
    before = [d for d in expect('HEAT_PLUGIN_DIRS_BEFORE', '').split(',')
              if d]

    def plugin_dirs():
        ini = read_ini(heat_conf)
        dirs = [d.strip() for d in
                get(ini, 'DEFAULT', 'plugin_dirs').split(',')]
        wanted = _valet_plugin_dir()
        equal(dirs.count(wanted), 1, 'times Valet\'s dir is in plugin_dirs')
        equal(dirs[-1], wanted, 'the last of plugin_dirs')
        if before:
            equal(dirs[:-1], before, 'the plugin_dirs that were there')
        else:
            from heat.common import config
            default = [o for g, opts in config.list_opts() for o in opts
                       if o.name == 'plugin_dirs'][0].default
            equal(dirs[:-1], list(default), 'Heat\'s default plugin_dirs')
        # The directory holds the module Heat loads, with resource_mapping().
        path = os.path.join(wanted, 'valet_resources.py')
        spec = importlib.util.spec_from_file_location(
            'heat_plugin_under_test', path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        types = module.resource_mapping()
        assert 'ATT::Valet::GroupAssignment' in types, \
            'resource_mapping() of %s lacks ATT::Valet::GroupAssignment: %s' \
            % (path, sorted(types))

    def hints_and_valet_section():
        ini = read_ini(heat_conf)
        equal(get(ini, 'DEFAULT', 'stack_scheduler_hints'), 'True',
              '[DEFAULT] stack_scheduler_hints')
        # Heat calls lifecycle plugins on its legacy engine only.
        equal(get(ini, 'DEFAULT', 'convergence_engine'), 'False',
              '[DEFAULT] convergence_engine')
        equal(get(ini, 'valet', 'service_type'), 'valet',
              '[valet] service_type')
        equal(get(ini, 'valet', 'region_name'), expect('REGION'),
              '[valet] region_name')
        assert not ini.has_option('valet', 'auth_type'), \
            'heat.conf [valet] has credentials; Heat uses the stack owner\'s'

    def heat_loads_the_types():
        # Heat's own configuration and plugin loader, on this heat.conf.
        from heat.common import config  # noqa: F401 (registers options)
        from heat.engine import resources
        from oslo_config import cfg

        from valet.plugins import client
        cfg.CONF(['--config-file', heat_conf], project='heat',
                 default_config_files=[])
        equal(cfg.CONF.stack_scheduler_hints, True, 'stack_scheduler_hints')
        equal(cfg.CONF.convergence_engine, False, 'convergence_engine')
        client.register_opts(cfg.CONF)
        equal(cfg.CONF.valet.service_type, 'valet', '[valet] service_type')
        equal(cfg.CONF.valet.failure_mode, expect('FAILURE_MODE', 'reject'),
              '[valet] failure_mode')
        resources.initialise()
        env = resources.global_env()
        for name in ('ATT::Valet::GroupAssignment', 'ATT::Valet::Pipe'):
            cls = env.get_class(name)
            assert cls.__module__.startswith('valet.plugins.heat'), \
                '%s is %s' % (name, cls)
        plugins = dict(env.get_stack_lifecycle_plugins())
        assert 'valet.lifecycle_plugin' in plugins, \
            'no Valet lifecycle plugin: %s' % sorted(plugins)

    run('heat.conf plugin_dirs ends with Valet\'s resource dir', plugin_dirs)
    run('heat.conf scheduler hints and [valet]', hints_and_valet_section)
    run('heat loads Valet\'s types from this heat.conf', heat_loads_the_types)


# --- nova.conf --------------------------------------------------------------


def check_nova(nova_conf):
    """nova.conf: the filter, [valet], versioned notifications."""
    before = [f for f in expect('NOVA_ENABLED_BEFORE', '').split(',') if f]
    available_before = expect('NOVA_AVAILABLE_BEFORE', '').split()

    def _nova_default_enabled():
        import nova.conf.scheduler
        return [o for o in nova.conf.scheduler.filter_scheduler_opts
                if o.name == 'enabled_filters'][0].default

    def enabled():
        ini = read_ini(nova_conf, strict=False)
        filters = [f.strip() for f in
                   get(ini, 'filter_scheduler', 'enabled_filters').split(',')]
        equal(filters[-1], 'ValetFilter', 'the last enabled filter')
        equal(filters.count('ValetFilter'), 1, 'times ValetFilter is enabled')
        wanted = [f for f in (before or _nova_default_enabled())
                  if f != 'ValetFilter']
        equal(filters[:-1], wanted, 'the other enabled filters, in order')

    def available():
        values = multi_values(nova_conf, 'filter_scheduler',
                              'available_filters')
        wanted = available_before or ['nova.scheduler.filters.all_filters']
        for value in wanted:
            assert value in values, '%s left available_filters: %s' % (
                value, values)
        equal(values.count('valet.plugins.nova.filter.ValetFilter'), 1,
              'times the ValetFilter path is in available_filters')

    def nova_loads_the_filters():
        import nova.conf
        from nova.scheduler import filters
        from oslo_messaging import opts as messaging_opts
        conf = nova.conf.CONF
        # oslo.messaging registers its options when Nova sets it up.
        for group, opts in messaging_opts.list_opts():
            conf.register_opts(opts, group=group)
        conf(['--config-file', nova_conf], project='nova',
             default_config_files=[])
        classes = filters.HostFilterHandler().get_matching_classes(
            conf.filter_scheduler.available_filters)
        by_name = {c.__name__: c for c in classes}
        missing = [f for f in conf.filter_scheduler.enabled_filters
                   if f not in by_name]
        assert not missing, 'enabled but not available: %s' % missing
        equal(by_name['ValetFilter'].__module__, 'valet.plugins.nova.filter',
              'the module of ValetFilter')
        equal(conf.notifications.notification_format, 'versioned',
              '[notifications] notification_format')
        equal(list(conf.oslo_messaging_notifications.driver),
              ['messagingv2'], '[oslo_messaging_notifications] driver')

    def valet_section():
        from keystoneauth1 import loading as ks_loading
        from oslo_config import cfg

        from valet.plugins import client
        conf = cfg.ConfigOpts()
        client.register_opts(conf)
        conf(['--config-file', nova_conf], project='nova',
             default_config_files=[])
        # Loading the plugin registers its options in the group.
        ks_loading.load_auth_from_conf_options(conf, 'valet')
        equal(conf.valet.username, expect('SERVICE_USER'), '[valet] username')
        equal(conf.valet.project_name, expect('SERVICE_PROJECT'),
              '[valet] project_name')
        equal(conf.valet.auth_url, expect('KEYSTONE_URI'), '[valet] auth_url')
        equal(conf.valet.service_type, 'valet', '[valet] service_type')
        equal(conf.valet.region_name, expect('REGION'), '[valet] region_name')
        equal(conf.valet.failure_mode, expect('FAILURE_MODE', 'reject'),
              '[valet] failure_mode')

    run('nova.conf ValetFilter last of enabled_filters', enabled)
    run('nova.conf available_filters keeps Nova\'s and adds Valet\'s',
        available)
    run('nova loads every enabled filter from this nova.conf',
        nova_loads_the_filters)
    run('nova.conf [valet] is Valet\'s service user', valet_section)


# --- tempest.conf -----------------------------------------------------------


def check_tempest(tempest_conf):
    """tempest.conf: what valet_tempest_plugin reads."""
    ini = read_ini(tempest_conf)

    def written():
        equal(get(ini, 'service_available', 'valet'), 'True',
              '[service_available] valet')
        equal(get(ini, 'valet', 'catalog_type'), 'valet',
              '[valet] catalog_type')
        equal(get(ini, 'valet', 'endpoint_type'), 'public',
              '[valet] endpoint_type')
        from valet.api import microversion
        equal(get(ini, 'valet', 'min_microversion'),
              microversion.min_version_string(), '[valet] min_microversion')
        equal(get(ini, 'valet', 'max_microversion'),
              microversion.max_version_string(), '[valet] max_microversion')
        equal(get(ini, 'valet', 'hosts'), expect('COMPUTE_HOSTS'),
              '[valet] hosts (Nova\'s compute hosts)')

    def declared():
        # Only options valet_tempest_plugin declares are read by tempest.
        from valet_tempest_plugin import config
        names = {o.name for o in config.ValetGroup}
        missing = [o for o in ini.options('valet') if o not in names]
        if missing:
            raise Skip('written but not (yet) declared in '
                       'valet_tempest_plugin/config.py: %s' % missing)

    run('tempest.conf [service_available] and [valet]', written)
    run('tempest.conf [valet] options are the plugin\'s', declared)


# --- the calls --------------------------------------------------------------


def read_calls(path):
    """The calls log: a list of [function, args...]."""
    with open(path) as f:
        return [line.rstrip('\n').split('\t') for line in f if line.strip()]


class Calls(object):
    """The devstack functions the plugin called in one phase."""

    def __init__(self, path):
        self.calls = read_calls(path)
        self.names = [c[0] for c in self.calls]

    def called(self, name, *args):
        """The first call of name whose first arguments are args."""
        for call in self.calls:
            if call[0] == name and call[1:1 + len(args)] == list(args):
                return call
        raise AssertionError('%s %s was not called; calls: %s' % (
            name, ' '.join(args), sorted(set(self.names))))

    def not_called(self, *unwanted):
        found = [n for n in self.names if n in unwanted]
        assert not found, 'called in this phase: %s' % found

    def settings(self):
        run('settings enable the three services', self.called,
            'enable_service', 'valet-api', 'valet-engine', 'valet-listener')

    def pre_install(self):
        run('pre-install changes nothing', self.not_called, 'setup_develop',
            'pip_install', 'run_process', 'recreate_database', 'sudo')

    def install(self):
        def install():
            self.called('setup_develop', expect('VALET_DIR'))
            self.called('pip_install', 'uwsgi')
            self.not_called('run_process', 'recreate_database')
        run('install: setup_develop of the tree and uwsgi', install)

    def post_config(self):
        def accounts():
            user, project = expect('SERVICE_USER'), expect('SERVICE_PROJECT')
            self.called('create_service_user', user, 'service')
            self.called('get_or_add_user_project_role', 'admin', user,
                        project)
            self.called('get_or_create_service', 'valet', 'valet')
            endpoint = self.called('get_or_create_endpoint')
            equal(endpoint[2:], [expect('REGION'), expect('ENDPOINT')],
                  'the endpoint region and URL')

        def database():
            self.called('recreate_database', expect('DB_NAME'))
            self.called('iniset_rpc_backend', 'valet')
            self.called('configure_keystone_authtoken_middleware',
                        expect('VALET_CONF'), expect('SERVICE_USER'))
            manage = self.called('valet-manage')
            equal(manage[1:], ['--config-file', expect('VALET_CONF'), 'db',
                               'sync'], 'valet-manage arguments')
            assert self.names.index('recreate_database') < \
                self.names.index('valet-manage'), 'db sync before the database'

        def uwsgi():
            call = self.called('write_uwsgi_config', expect('UWSGI_CONF'),
                               'valet.wsgi.api:application')
            equal(call[4:6], [expect('UWSGI_HTTP'), 'valet-api'],
                  'uwsgi listening address and name')

        run('post-config: Keystone service, endpoint, service user',
            accounts)
        run('post-config: database recreated, then db sync', database)
        run('post-config: uwsgi file for valet-api', uwsgi)
        run('post-config starts nothing', self.not_called, 'run_process')

    def extra(self):
        def start():
            bin_dir, conf = expect('BIN'), expect('VALET_CONF')
            wanted = {
                'valet-api': '%s/uwsgi --procname-prefix valet-api --ini %s'
                             % (bin_dir, expect('UWSGI_CONF')),
                'valet-engine': '%s/valet-engine --config-file %s'
                                % (bin_dir, conf),
                'valet-listener': '%s/valet-listener --config-file %s'
                                  % (bin_dir, conf)}
            for service, command in wanted.items():
                equal(self.called('run_process', service)[2], command,
                      '%s command' % service)
            self.called('wait_for_service')
        run('extra: the three services started', start)

    def test_config(self):
        run('test-config starts and creates nothing', self.not_called,
            'run_process', 'recreate_database', 'create_service_user')

    def unstack(self):
        def stop():
            for service in ('valet-api', 'valet-engine', 'valet-listener'):
                self.called('stop_process', service)
        run('unstack stops the three services', stop)

    def clean(self):
        def clean():
            tool = {'mysql': 'mysql', 'postgresql': 'psql'}[
                expect('DATABASE_TYPE')]
            call = self.called(tool)
            sql = 'DROP DATABASE IF EXISTS %s' % expect('DB_NAME')
            assert sql in call, '%s was not run: %s' % (sql, call)
            self.called('remove_uwsgi_config', expect('UWSGI_CONF'))
            assert not os.path.exists(expect('VALET_CONF')), \
                'valet.conf is still there'
        run('clean drops the database and removes /etc/valet', clean)


def check_calls(calls_path, phase):
    """The calls of one phase ("post-config"...)."""
    method = getattr(Calls(calls_path), phase.replace('-', '_'), None)
    if method is None:
        raise SystemExit('unknown phase %r' % phase)
    method()


def main(argv):
    subject, args = argv[1], argv[2:]
    checks = {'valet': check_valet, 'heat': check_heat, 'nova': check_nova,
              'tempest': check_tempest, 'calls': check_calls}
    if subject not in checks:
        raise SystemExit('usage: check.py valet|heat|nova|tempest|calls ...')
    checks[subject](*args)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
