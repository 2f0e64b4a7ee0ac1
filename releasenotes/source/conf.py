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

"""Sphinx configuration of Valet's release notes (reno)."""

extensions = [
    'reno.sphinxext',
]

# The OpenStack theme is what docs.openstack.org publishes with; the notes
# still build, with Sphinx's own theme, where it is missing.
try:
    import openstackdocstheme  # noqa: F401
except ImportError:
    html_theme = 'alabaster'
else:
    extensions.insert(0, 'openstackdocstheme')
    html_theme = 'openstackdocs'
    openstackdocs_repo_name = 'openstack/valet'
    openstackdocs_bug_project = 'valet'
    openstackdocs_bug_tag = 'releasenotes'
    openstackdocs_auto_name = False

source_suffix = '.rst'
master_doc = 'index'

project = 'Valet Release Notes'
copyright = '2026-present, OpenStack Foundation'

# Release notes are versioned by reno from the git history, not here.
version = ''
release = ''

exclude_patterns = []
pygments_style = 'native'
html_static_path = ['_static']
locale_dirs = ['locale/']
