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

"""What the ``openstack placement`` commands share.

:class:`ValetCommand` gives a command the Valet client and turns Valet's
refusals into one line on stderr and exit status 1: the detail Valet
gave, its HTTP status and its error code (and the request id to look
for in Valet's log).
"""

import re
from urllib import parse

from cliff import columns
from osc_lib import exceptions

from valet.plugins import client as valet_client


def one_line(text):
    """``text`` with its runs of white space (newlines too) as one space.
    """
    return re.sub(r'\s+', ' ', str(text or '')).strip()


def refusal(exc):
    """The one-line message of a :class:`ValetError`."""
    message = '%s (HTTP %s, %s' % (
        one_line(exc.detail) or 'no detail', exc.status,
        exc.code or 'no error code')
    if exc.request_id:
        message += ', request %s' % exc.request_id
    return 'Valet refused: ' + message + ')'


def path_item(value):
    """``value`` quoted as one path segment of a Valet URL."""
    return parse.quote(str(value), safe='')


class ValetCommand(object):
    """Mixin of the ``openstack placement`` commands (list it first)."""

    @property
    def valet(self):
        """The :class:`valet.plugins.client.Client` of this command line.
        """
        return self.app.client_manager.valet

    def run(self, parsed_args):
        try:
            return super().run(parsed_args)
        except valet_client.ValetError as exc:
            raise exceptions.CommandError(refusal(exc))
        except valet_client.ValetUnavailable as exc:
            if isinstance(exc, valet_client.ValetEndpointNotFound):
                adapter = self.valet.adapter
                raise exceptions.CommandError(
                    'No Valet endpoint: the service catalog has no "%s" '
                    'endpoint for interface %s and region %s; register '
                    'one or give --os-valet-url (OS_VALET_URL)' % (
                        adapter.service_type, adapter.interface or 'public',
                        adapter.region_name or '(any)'))
            raise exceptions.CommandError(one_line(exc))


def delete_each(log, delete, noun, names):
    """Delete each of names with delete(name); go on past refusals.

    One name: its refusal is the command's error. Several: each refusal
    is logged and the others are deleted; then one error counts them.
    """
    if len(names) == 1:
        delete(names[0])
        return
    failed = 0
    for name in names:
        try:
            delete(name)
        except valet_client.ValetError as exc:
            failed += 1
            log.error('%s %s: %s', noun.capitalize(), name, refusal(exc))
        except exceptions.CommandError as exc:
            failed += 1
            log.error('%s %s: %s', noun.capitalize(), name, exc)
    if failed:
        raise exceptions.CommandError('%d of %d %ss were not deleted' % (
            failed, len(names), noun))


class LinesColumn(columns.FormattableColumn):
    """A list of records: one line each in a table, the list in JSON/YAML.

    ``value`` is ``(records, text)``: the records as machine-readable
    formats print them, and the function giving a record's line.
    """

    def human_readable(self):
        records, text = self._value
        return '\n'.join(text(record) for record in records)

    def machine_readable(self):
        return self._value[0]
