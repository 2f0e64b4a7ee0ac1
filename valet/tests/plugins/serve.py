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

"""Serve Valet (API + engine, SQLite, noauth) for the plugin suites.

``python -m valet.tests.plugins.serve --state-dir D [--topology T]`` runs
the all-in-one's API and engine in this process, writes the API's URL to
``D/url`` once it answers, and serves until SIGTERM. The Heat, Nova and
OpenStackClient suites run it as a separate process: the plugin under test
shares its process with Heat or Nova (and their global configuration), not
with Valet.
"""

import argparse
import os
import signal
import sys
import threading

from valet.cmd import allinone


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument('--state-dir', required=True)
    parser.add_argument('--topology', default=os.path.join(
        allinone.SAMPLES, 'datacenter.yaml'))
    args = parser.parse_args(argv)
    conf = allinone.build_conf(
        argparse.Namespace(topology=args.topology, port=0), args.state_dir)
    # Quick answers from a missing engine are the suites' business.
    aio = allinone.AllInOne(conf)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    aio.start()
    try:
        tmp = os.path.join(args.state_dir, 'url.tmp')
        with open(tmp, 'w') as f:
            f.write(aio.url)
        os.rename(tmp, os.path.join(args.state_dir, 'url'))
        stop.wait()
    finally:
        aio.stop()
    return 0


if __name__ == '__main__':
    sys.exit(main())
