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

"""Every entry point Valet's installed distribution declares must load.

The list comes from the installed metadata (setup.cfg, through pbr), so a
new console script or plugin is covered the day it is declared, and a
declared module that does not exist fails here.
"""

from importlib import metadata
import sysconfig

from oslo_config import cfg
from oslo_policy import policy as oslo_policy

from valet.optimizer.constraints import base as constraints_base
from valet.optimizer.search import base as optimizers_base
from valet.tests import base
from valet.topology import base as topology_base

# Plugin namespaces and the base class their plugins derive from.
#: Entry points that plug Valet into another service load only where that
#: service is installed (the heat, nova and osc suites load them there);
#: here they must at least name a module of Valet's.
HOSTED = {
    'heat.stack_lifecycle_plugins': 'heat',
    'heat.clients': 'heat',
    'openstack.cli.extension': 'osc_lib',
    'openstack.valet.v1': 'osc_lib',
}

PLUGIN_BASES = {
    'valet.engine.constraints': constraints_base.Constraint,
    'valet.engine.optimizers': optimizers_base.Optimizer,
    'valet.topology': topology_base.TopologySource,
}


def installed_distribution():
    """Return valet's distribution as installed in site-packages.

    Not ``metadata.distribution('valet')``: run from the source tree, that
    may find a stale ``valet.egg-info`` left there by a build.
    """
    paths = [sysconfig.get_paths()['purelib'],
             sysconfig.get_paths()['platlib']]
    found = list(metadata.distributions(name='valet', path=paths))
    if not found:
        raise AssertionError('valet is not installed in %s' % paths)
    return found[0]


def valet_entry_points(group=None):
    """Return the entry points of the installed valet distribution."""
    points = installed_distribution().entry_points
    if group is None:
        return list(points)
    return [point for point in points if point.group == group]


def _importable(module):
    try:
        __import__(module)
    except ImportError:
        return False
    return True


class EntryPointsTest(base.TestCase):

    def test_there_are_entry_points(self):
        groups = {point.group for point in valet_entry_points()}
        for group in ['console_scripts', 'oslo.config.opts',
                      'oslo.policy.policies', 'oslo.policy.enforcer']:
            self.assertIn(group, groups)

    def test_every_entry_point_loads(self):
        failures = []
        for point in valet_entry_points():
            host = HOSTED.get(point.group)
            if host is not None and not _importable(host):
                if not point.value.startswith('valet.'):
                    failures.append('%s %s = %s: not a module of Valet' % (
                        point.group, point.name, point.value))
                continue
            try:
                point.load()
            except Exception as exc:
                failures.append('%s %s = %s: %s: %s' % (
                    point.group, point.name, point.value,
                    type(exc).__name__, exc))
        self.assertEqual([], failures)

    def test_console_scripts_are_main_functions(self):
        scripts = valet_entry_points('console_scripts')
        self.assertIn('valet-engine', {point.name for point in scripts})
        self.assertIn('valet-listener', {point.name for point in scripts})
        for point in scripts:
            with self.subTest(script=point.name):
                self.assertEqual('main', point.attr)
                self.assertTrue(callable(point.load()))

    def test_plugins_derive_from_their_base(self):
        for namespace, base_class in PLUGIN_BASES.items():
            points = valet_entry_points(namespace)
            self.assertNotEqual([], points, namespace)
            for point in points:
                with self.subTest(plugin=point.name):
                    self.assertTrue(issubclass(point.load(), base_class))

    def test_config_opts(self):
        services = {'valet': [('DEFAULT', 'host'), ('engine_rpc', 'topic'),
                              ('notifications', 'queue_size'),
                              ('listener', 'pool'), ('engine', 'optimizer')],
                    'valet.plugins': [('valet', 'url'),
                                      ('valet', 'failure_mode'),
                                      ('valet', 'auth_type')]}
        points = valet_entry_points('oslo.config.opts')
        self.assertEqual(set(services), {point.name for point in points})
        for point in points:
            listed = point.load()()
            self.assertNotEqual([], listed)
            names = set()
            for group, opts in listed:
                group_name = getattr(group, 'name', group) or 'DEFAULT'
                self.assertNotEqual([], opts, group_name)
                for opt in opts:
                    self.assertIsInstance(opt, cfg.Opt)
                    self.assertTrue(opt.help, '%s.%s has no help'
                                    % (group_name, opt.name))
                    key = (group_name, opt.dest)
                    self.assertNotIn(key, names, 'listed twice')
                    names.add(key)
            # The options of the services (or plugins) are among them.
            for key in services[point.name]:
                self.assertIn(key, names)

    def test_listed_opts_register_together(self):
        # No two listed options conflict (DuplicateOptError otherwise).
        conf = cfg.ConfigOpts()
        for point in valet_entry_points('oslo.config.opts'):
            for group, opts in point.load()():
                # By name: registering through the listed OptGroup object
                # would add these options to every conf using that object.
                conf.register_opts(opts, group=getattr(group, 'name', group))
        self.assertEqual('valet-engine', conf.engine_rpc.topic)

    def test_policies(self):
        for point in valet_entry_points('oslo.policy.policies'):
            rules = point.load()()
            self.assertNotEqual([], rules)
            names = [rule.name for rule in rules]
            self.assertEqual(len(names), len(set(names)), 'duplicate rules')
            for rule in rules:
                self.assertIsInstance(rule, oslo_policy.RuleDefault)
                self.assertTrue(rule.description, rule.name)
            operations = [
                rule for rule in rules
                if isinstance(rule, oslo_policy.DocumentedRuleDefault)]
            self.assertNotEqual([], operations)
            for rule in operations:
                self.assertTrue(rule.name.startswith('valet:'), rule.name)

    def test_enforcer(self):
        for point in valet_entry_points('oslo.policy.enforcer'):
            enforcer = point.load()()
            self.assertIsInstance(enforcer, oslo_policy.Enforcer)
            enforcer.load_rules()
            policies = {rule.name for rule in valet_entry_points(
                'oslo.policy.policies')[0].load()()}
            self.assertEqual(set(), policies - set(enforcer.registered_rules))
