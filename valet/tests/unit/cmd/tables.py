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

"""Read back the tables valet-manage plan prints (prettytable's)."""


def rows(lines):
    """Return the cells of each row of the tables in lines, header first.

    Border lines (``+----+``) are skipped; a row is a line between bars,
    ``| web1 | r01-h01 |``, read as ``['web1', 'r01-h01']``.
    """
    return [[cell.strip() for cell in line.strip().strip('|').split('|')]
            for line in lines if line.strip().startswith('|')]
