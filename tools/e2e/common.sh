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
# Shared by the tools/e2e scripts (sourced, never run).
# shellcheck shell=bash disable=SC2034
#
# VALET_E2E_DIR      state of a run: Keystone, Valet, tempest (default
#                    /tmp/valet-e2e); removed by "keystone.sh stop".
# VALET_E2E_VENV     the venv of Keystone, uwsgi and tempest (default
#                    .venv-e2e at the top of the tree).
# VALET_VENV         Valet's own venv (default .venv).

E2E_TOOLS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$E2E_TOOLS/../.." && pwd)
E2E_DIR=${VALET_E2E_DIR:-/tmp/valet-e2e}
E2E_VENV=${VALET_E2E_VENV:-$ROOT/.venv-e2e}
VALET_VENV=${VALET_VENV:-$ROOT/.venv}
PYTHON=${PYTHON:-python3}
KS_DIR=$E2E_DIR/keystone
VALET_DIR=$E2E_DIR/valet
STATE_ENV=$E2E_DIR/state.env
ACCOUNTS=$E2E_DIR/accounts.json
# valet-engine's RPC topic: the run's own, so that two runs on one machine
# (one RabbitMQ) never answer each other's calls.
ENGINE_TOPIC=valet-e2e-engine-$(basename "$E2E_DIR" | tr -c 'A-Za-z0-9\n' '-')

# Delete the RabbitMQ queues of this run's topic (best effort).
delete_engine_queues() {
    local queue
    command -v rabbitmqctl >/dev/null || return 0
    for queue in $(timeout 30 rabbitmqctl list_queues -q name 2>/dev/null |
            grep -E "^$ENGINE_TOPIC(\.|_|$)"); do
        timeout 20 rabbitmqctl delete_queue -q "$queue" >/dev/null 2>&1
    done
}

e2e_log() {
    echo "e2e: $*"
}

e2e_die() {
    echo "e2e: ERROR: $*" >&2
    exit 1
}

# A TCP port of 127.0.0.1 that nothing listens on now.
free_port() {
    "$PYTHON" - <<'EOF'
import socket
s = socket.socket()
s.bind(('127.0.0.1', 0))
print(s.getsockname()[1])
s.close()
EOF
}

# Wait up to $3 seconds for URL $1 to answer with HTTP status $2.
wait_http() {
    local url=$1 want=$2 seconds=${3:-60} waited=0 got
    while :; do
        got=$(curl -s -o /dev/null -m 5 -w '%{http_code}' "$url" || true)
        [ "$got" = "$want" ] && return 0
        [ "$waited" -ge $((seconds * 5)) ] && return 1
        sleep 0.2
        waited=$((waited + 1))
    done
}

# True when the process whose id is in file $1 is alive.
pid_alive() {
    [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

# Stop the process whose id is in file $1 (TERM, then KILL), remove $1.
stop_pidfile() {
    local pidfile=$1 pid tries=0
    if pid_alive "$pidfile"; then
        pid=$(cat "$pidfile")
        kill -TERM "$pid" 2>/dev/null || true
        while kill -0 "$pid" 2>/dev/null && [ $tries -lt 50 ]; do
            sleep 0.2
            tries=$((tries + 1))
        done
        if kill -0 "$pid" 2>/dev/null; then
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    rm -f "$pidfile"
}

load_state() {
    [ -s "$STATE_ENV" ] || e2e_die "no Keystone state in $E2E_DIR: run tools/e2e/keystone.sh start"
    # shellcheck source=/dev/null
    . "$STATE_ENV"
}
