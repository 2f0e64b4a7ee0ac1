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

"""``openstack placement status``."""

from osc_lib.command import command

from valet.osc import common


def _state(part):
    """``ok``, or the state with Valet's reason: ``unavailable (...)``."""
    state = part.get('status') or 'unknown'
    if part.get('detail'):
        state += ' (%s)' % common.one_line(part['detail'])
    return state


class ShowStatus(common.ValetCommand, command.ShowOne):
    """Show whether Valet's database and engine answer.

    Exits 1 when one of them does not (Valet answers 503), with the
    reason Valet gives.
    """

    def take_action(self, parsed_args):
        status = self.valet.status()
        database = status.get('database') or {}
        engine = status.get('engine') or {}
        self.healthy = all(part.get('status') == 'ok'
                           for part in (database, engine))
        columns = ('database', 'engine', 'engine_id', 'hosts')
        return columns, (_state(database), _state(engine),
                         engine.get('id'), engine.get('hosts'))

    def run(self, parsed_args):
        self.healthy = True
        code = super().run(parsed_args)
        return code or (0 if self.healthy else 1)
