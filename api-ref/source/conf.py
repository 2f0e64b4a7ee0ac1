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

"""Sphinx configuration of the Valet API reference (os-api-ref)."""

extensions = [
    'os_api_ref',
]

# The OpenStack theme is what docs.openstack.org publishes with; the
# reference still builds, with Sphinx's own theme, where it is missing.
try:
    import openstackdocstheme  # noqa: F401
except ImportError:
    html_theme = 'alabaster'
else:
    extensions.insert(0, 'openstackdocstheme')
    html_theme = 'openstackdocs'
    html_theme_options = {'sidebar_mode': 'toc'}
    openstackdocs_repo_name = 'openstack/valet'
    openstackdocs_bug_project = 'valet'
    openstackdocs_bug_tag = 'api-ref'
    openstackdocs_auto_name = False

source_suffix = '.rst'
master_doc = 'index'

project = 'Valet API Reference'
copyright = '2026-present, OpenStack Foundation'

pygments_style = 'native'
