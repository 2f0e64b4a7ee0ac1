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
# A throw-away Keystone for the end-to-end tests.
#
#   tools/e2e/keystone.sh venv     create or update the e2e venv only
#   tools/e2e/keystone.sh start    venv, then Keystone on SQLite under uwsgi
#                                  (1 process, 1 thread) on a free loopback
#                                  port, bootstrapped, with Valet's
#                                  accounts and catalog entry
#   tools/e2e/keystone.sh stop     stop it and remove $VALET_E2E_DIR
#
# "start" is idempotent: with Keystone already up it only makes sure the
# accounts exist. Everything lives under $VALET_E2E_DIR (see common.sh);
# the accounts are written to $VALET_E2E_DIR/accounts.json.

set -euo pipefail

# shellcheck source=tools/e2e/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

KS_CONF=$KS_DIR/keystone.conf
KS_PID=$KS_DIR/uwsgi.pid
VENV_STAMP=$E2E_VENV/.valet-e2e-stamp

venv_digest() {
    cat "$E2E_TOOLS/requirements.txt" "$ROOT/setup.cfg" | sha1sum | cut -d' ' -f1
}

# The e2e venv: Keystone, uwsgi, tempest, and Valet itself without its
# dependencies (only for the tempest plugin's entry point).
ensure_venv() {
    local digest log
    digest=$(venv_digest)
    if [ -x "$E2E_VENV/bin/tempest" ] && [ -s "$VENV_STAMP" ] &&
        [ "$(cat "$VENV_STAMP")" = "$digest" ]; then
        return
    fi
    if [ ! -x "$E2E_VENV/bin/python" ]; then
        e2e_log "creating the e2e venv $E2E_VENV"
        "$PYTHON" -m venv "$E2E_VENV" || e2e_die "cannot create $E2E_VENV"
    fi
    log=$E2E_VENV/pip-install.log
    e2e_log "installing Keystone, uwsgi and tempest into $E2E_VENV (log: $log)"
    if ! { "$E2E_VENV/bin/python" -m pip install -q --upgrade pip &&
           "$E2E_VENV/bin/python" -m pip install -q \
               -r "$E2E_TOOLS/requirements.txt" &&
           "$E2E_VENV/bin/python" -m pip install -q --no-deps -e "$ROOT"; } \
           </dev/null >"$log" 2>&1; then
        tail -n 30 "$log" >&2
        e2e_die "the e2e venv could not be installed (see $log)"
    fi
    echo "$digest" >"$VENV_STAMP"
}

write_conf() {
    mkdir -p "$KS_DIR/log"
    cat >"$KS_CONF" <<EOF
[DEFAULT]
log_dir = $KS_DIR/log
log_file = keystone.log
use_stderr = false

[database]
connection = sqlite:///$KS_DIR/keystone.db

[token]
provider = fernet

[fernet_tokens]
key_repository = $KS_DIR/fernet-keys

[fernet_receipts]
key_repository = $KS_DIR/fernet-keys

[credential]
key_repository = $KS_DIR/credential-keys

[identity]
# bcrypt's lowest cost: this Keystone's passwords are throw-away, and
# hashing them (every user tempest creates, every token) at the default
# cost doubled the tempest run.
password_hash_rounds = 4
EOF
}

# The first start: state, database, keys, bootstrap.
create_keystone() {
    local km ks_port valet_port password
    rm -rf "$KS_DIR"
    mkdir -p "$E2E_DIR" "$KS_DIR"
    ks_port=$(free_port)
    valet_port=$(free_port)
    while [ "$valet_port" = "$ks_port" ]; do
        valet_port=$(free_port)
    done
    password=$("$PYTHON" -c 'import secrets; print(secrets.token_hex(12))')
    cat >"$STATE_ENV" <<EOF
KS_PORT=$ks_port
KS_URL=http://127.0.0.1:$ks_port/v3
VALET_PORT=$valet_port
VALET_URL=http://127.0.0.1:$valet_port
E2E_PASSWORD=$password
EOF
    load_state
    write_conf
    km=("$E2E_VENV/bin/keystone-manage" --config-file "$KS_CONF")
    e2e_log "bootstrapping Keystone in $KS_DIR"
    # The key repositories and the database do not depend on each other.
    "${km[@]}" fernet_setup --keystone-user "$(id -un)" --keystone-group "$(id -gn)" \
        >"$KS_DIR/log/fernet_setup.log" 2>&1 &
    local fernet=$!
    "${km[@]}" credential_setup --keystone-user "$(id -un)" --keystone-group "$(id -gn)" \
        >"$KS_DIR/log/credential_setup.log" 2>&1 &
    local credential=$!
    "${km[@]}" db_sync >"$KS_DIR/log/db_sync.log" 2>&1 ||
        e2e_die "keystone-manage db_sync failed (see $KS_DIR/log)"
    wait "$fernet" || e2e_die "keystone-manage fernet_setup failed"
    wait "$credential" || e2e_die "keystone-manage credential_setup failed"
    "${km[@]}" bootstrap --bootstrap-password "$E2E_PASSWORD" \
        --bootstrap-region-id RegionOne \
        --bootstrap-admin-url "$KS_URL" \
        --bootstrap-internal-url "$KS_URL" \
        --bootstrap-public-url "$KS_URL" \
        >"$KS_DIR/log/bootstrap.log" 2>&1 ||
        e2e_die "keystone-manage bootstrap failed (see $KS_DIR/log)"
}

# KS_PORT comes from the state file.
# shellcheck disable=SC2153
serve_keystone() {
    # SQLite: one process and one thread, or concurrent writes fail with
    # "database is locked" (real-clients.md section 3). uwsgi's
    # http-socket closes every connection after its answer: say so, or
    # clients reuse the closed connection and see a reset.
    OS_KEYSTONE_CONFIG_FILES=$KS_CONF nohup "$E2E_VENV/bin/uwsgi" \
        --http-socket "127.0.0.1:$KS_PORT" --home "$E2E_VENV" \
        --module keystone.wsgi.api:application \
        --master --processes 1 --threads 1 --die-on-term --need-app \
        --add-header 'Connection: close' \
        --logto "$KS_DIR/log/uwsgi.log" --pidfile "$KS_PID" \
        </dev/null >/dev/null 2>&1 &
    if ! wait_http "$KS_URL" 200 60; then
        tail -n 20 "$KS_DIR/log/uwsgi.log" >&2 || true
        e2e_die "Keystone does not answer on $KS_URL (see $KS_DIR/log)"
    fi
}

start() {
    ensure_venv
    if [ -s "$STATE_ENV" ] && [ -s "$KS_DIR/keystone.db" ]; then
        load_state
    else
        create_keystone
    fi
    if pid_alive "$KS_PID" && wait_http "$KS_URL" 200 5; then
        e2e_log "Keystone already answers on $KS_URL"
    else
        stop_pidfile "$KS_PID"
        serve_keystone
        e2e_log "Keystone answers on $KS_URL"
    fi
    "$E2E_VENV/bin/python" \
        "$E2E_TOOLS/keystone_accounts.py" --auth-url "$KS_URL" \
        --password "$E2E_PASSWORD" --valet-url "$VALET_URL" \
        --output "$ACCOUNTS" ||
        e2e_die "could not create the accounts in Keystone"
    e2e_log "accounts and catalog ready: $ACCOUNTS"
}

stop() {
    stop_pidfile "$KS_PID"
    if [ -d "$E2E_DIR" ]; then
        rm -rf "$E2E_DIR"
    fi
    e2e_log "Keystone stopped, $E2E_DIR removed"
}

case "${1:-}" in
    venv) ensure_venv ;;
    start) start ;;
    stop) stop ;;
    *) echo "usage: $0 venv|start|stop" >&2; exit 2 ;;
esac
