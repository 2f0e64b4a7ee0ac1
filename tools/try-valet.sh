#!/usr/bin/env bash
#
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
#
# Try Valet on this machine: installs it into a virtualenv (.venv, or
# $VALET_VENV; created when missing) and runs "valet-manage all-in-one":
# the API and the engine in one process (SQLite, in-process bus, noauth,
# the sample 16-host data center), which creates a named group, places the
# sample web shop stack through the REST API and prints where each server
# went and why the plan is right. Needs no database server, message bus or
# OpenStack. Arguments are added to the command (e.g. --serve).

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

VENV=${VALET_VENV:-$ROOT/.venv}
PYTHON=${PYTHON:-python3}

if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' || {
        echo "try-valet: Valet needs Python 3.10 or newer" >&2
        exit 2
    }
    echo "try-valet: creating the virtualenv $VENV"
    "$PYTHON" -m venv "$VENV" || {
        echo "try-valet: could not create $VENV (install python3-venv)" >&2
        exit 2
    }
fi
PIP_LOG="$VENV/pip-install.log"
echo "try-valet: installing Valet into $VENV (log: $PIP_LOG)"
if ! "$VENV/bin/python" -m pip install -e . </dev/null >"$PIP_LOG" 2>&1; then
    tail -n 30 "$PIP_LOG" >&2
    echo "try-valet: could not install Valet (see $PIP_LOG)" >&2
    exit 2
fi

echo "try-valet: running Valet all-in-one"
echo
exec "$VENV/bin/valet-manage" all-in-one "$@"
