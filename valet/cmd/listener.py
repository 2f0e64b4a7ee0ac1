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

"""valet-listener: keeps placements and host usage true from Nova's events.

Listens on ``[listener] topics`` and reconciles with the servers Nova runs
every ``[listener] reconcile_interval`` seconds, until SIGTERM. Reads
``--config-file``/``--config-dir`` (default ``/etc/valet/valet.conf``) and
logs through oslo.log.
"""

import sys

from oslo_config import cfg

from valet.common import service
from valet.listener import service as listener_service


def main(argv=None):
    """Entry point of the valet-listener command; returns the exit code."""
    conf = cfg.ConfigOpts()
    service.prepare(conf, sys.argv[1:] if argv is None else argv,
                    'valet-listener')
    return service.launch(conf, listener_service.ListenerService(conf))


if __name__ == '__main__':
    sys.exit(main())
