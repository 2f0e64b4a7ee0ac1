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

"""Sphinx configuration of Valet's documentation."""

extensions = [
    # The configuration and policy references and their sample files are
    # generated from the code, so they cannot drift from it.
    'oslo_config.sphinxext',
    'oslo_config.sphinxconfiggen',
    'oslo_policy.sphinxext',
    'oslo_policy.sphinxpolicygen',
]

# The OpenStack theme is what docs.openstack.org publishes with; the guide
# still builds, with Sphinx's own theme, where it is missing.
try:
    import openstackdocstheme  # noqa: F401
except ImportError:
    html_theme = 'alabaster'
else:
    extensions.insert(0, 'openstackdocstheme')
    html_theme = 'openstackdocs'
    openstackdocs_repo_name = 'openstack/valet'
    openstackdocs_bug_project = 'valet'
    openstackdocs_bug_tag = 'doc'
    openstackdocs_auto_name = False

config_generator_config_file = [
    ('../../etc/valet/valet-config-generator.conf', '_static/valet'),
    ('../../etc/valet/valet-plugins-config-generator.conf',
     '_static/valet-plugins'),
]

policy_generator_config_file = [
    ('../../etc/valet/valet-policy-generator.conf', '_static/valet'),
]

source_suffix = '.rst'
master_doc = 'index'

project = 'Valet'
copyright = '2026-present, OpenStack Foundation'

exclude_patterns = ['_build']
pygments_style = 'native'
html_static_path = ['_static']
