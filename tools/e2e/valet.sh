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
# Serve Valet for the end-to-end tests, against the Keystone of
# tools/e2e/keystone.sh (which must be started first).
#
#   tools/e2e/valet.sh start mysql       uwsgi + valet.wsgi.api:application,
#   tools/e2e/valet.sh start postgresql  auth_strategy = keystone, on a new
#                                        database of that server
#   tools/e2e/valet.sh start sqlite      the valet-api command, noauth, on a
#                                        new SQLite file (project ids still
#                                        checked in Keystone)
#   tools/e2e/valet.sh stop              stop it and drop its database
#
# valet-engine runs beside it (the sample data center of
# etc/valet/samples/datacenter.yaml, on the real RabbitMQ), so that the
# status call makes its real round trip.
#
# Each start creates a throw-away database (as oslo.db's opportunistic
# user openstack_citest, see tools/test-setup.sh) and runs
# "valet-manage db sync" on it. Valet listens on $VALET_URL of the state.

set -euo pipefail

# shellcheck source=tools/e2e/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

CITEST=openstack_citest
VALET_CONF=$VALET_DIR/valet.conf
VALET_PID=$VALET_DIR/valet.pid
ENGINE_PID=$VALET_DIR/engine.pid
ENGINE_HOST=valet-e2e-engine
TOPOLOGY=$ROOT/etc/valet/samples/datacenter.yaml
RABBIT_URL=${VALET_E2E_TRANSPORT_URL:-rabbit://guest:guest@127.0.0.1:5672/}
DB_ENV=$VALET_DIR/db.env

create_database() {
    local backend=$1 name
    name=valet_e2e_$(date +%s)_$$
    case "$backend" in
        mysql)
            mysql -h 127.0.0.1 -u "$CITEST" -p"$CITEST" \
                -e "CREATE DATABASE $name CHARACTER SET utf8mb4" ||
                e2e_die "cannot create MariaDB database $name as $CITEST (run tools/test-setup.sh)"
            CONNECTION="mysql+pymysql://$CITEST:$CITEST@127.0.0.1/$name?charset=utf8mb4"
            ;;
        postgresql)
            PGPASSWORD=$CITEST psql -w -q -h 127.0.0.1 -U "$CITEST" \
                -d "$CITEST" -c "CREATE DATABASE $name" ||
                e2e_die "cannot create PostgreSQL database $name as $CITEST (run tools/test-setup.sh)"
            CONNECTION="postgresql+psycopg2://$CITEST:$CITEST@127.0.0.1/$name"
            ;;
        sqlite)
            CONNECTION="sqlite:///$VALET_DIR/$name.sqlite"
            ;;
        *)
            e2e_die "unknown backend '$backend' (mysql, postgresql or sqlite)"
            ;;
    esac
    cat >"$DB_ENV" <<EOF
DB_BACKEND=$backend
DB_NAME=$name
EOF
}

drop_database() {
    [ -s "$DB_ENV" ] || return 0
    # shellcheck source=/dev/null
    . "$DB_ENV"
    case "$DB_BACKEND" in
        mysql)
            mysql -h 127.0.0.1 -u "$CITEST" -p"$CITEST" \
                -e "DROP DATABASE IF EXISTS $DB_NAME" ||
                echo "e2e: WARNING: could not drop MariaDB database $DB_NAME" >&2
            ;;
        postgresql)
            PGPASSWORD=$CITEST psql -w -q -h 127.0.0.1 -U "$CITEST" \
                -d "$CITEST" -c "DROP DATABASE IF EXISTS $DB_NAME" ||
                echo "e2e: WARNING: could not drop PostgreSQL database $DB_NAME" >&2
            ;;
        sqlite)
            rm -f "$VALET_DIR/$DB_NAME.sqlite"
            ;;
    esac
    rm -f "$DB_ENV"
}

write_conf() {
    local strategy=$1
    mkdir -p "$VALET_DIR/log"
    cat >"$VALET_CONF" <<EOF
[DEFAULT]
log_dir = $VALET_DIR/log
log_file = valet-api.log
use_stderr = false
# valet-engine answers the status call over the real RabbitMQ.
transport_url = $RABBIT_URL
host = $ENGINE_HOST

[engine_rpc]
# The run's own (its queues are deleted when the run ends).
topic = $ENGINE_TOPIC
timeout = 30

[engine]
topology_driver = static
topology_file = $TOPOLOGY

[api]
auth_strategy = $strategy
bind_host = 127.0.0.1
bind_port = $VALET_PORT
# With noauth, the member check still asks the real Keystone.
noauth_verify_projects = true

[database]
connection = $CONNECTION
max_retries = 3

[oslo_messaging_notifications]
# The e2e tests do not read notifications: publish nothing.
driver = noop

[keystone_authtoken]
www_authenticate_uri = $KS_URL
auth_url = $KS_URL
auth_type = password
username = valet
password = $E2E_PASSWORD
project_name = service
user_domain_name = Default
project_domain_name = Default
region_name = RegionOne

[keystone]
auth_url = $KS_URL
auth_type = password
username = valet
password = $E2E_PASSWORD
project_name = service
user_domain_name = Default
project_domain_name = Default
region_name = RegionOne
valid_interfaces = public
EOF
}

db_sync() {
    if ! "$VALET_VENV/bin/valet-manage" --config-file "$VALET_CONF" db sync \
            >"$VALET_DIR/log/db-sync.log" 2>&1; then
        cat "$VALET_DIR/log/db-sync.log" >&2
        e2e_die "valet-manage db sync failed"
    fi
}

serve_uwsgi() {
    OS_VALET_CONFIG_FILES=$VALET_CONF nohup "$E2E_VENV/bin/uwsgi" \
        --http-socket "127.0.0.1:$VALET_PORT" --home "$VALET_VENV" \
        --chdir "$VALET_DIR" \
        --module valet.wsgi.api:application \
        --master --processes 2 --threads 2 --lazy-apps --enable-threads \
        --die-on-term --need-app \
        --add-header 'Connection: close' \
        --logto "$VALET_DIR/log/uwsgi.log" --pidfile "$VALET_PID" \
        </dev/null >/dev/null 2>&1 &
}

serve_engine() {
    nohup "$VALET_VENV/bin/valet-engine" --config-file "$VALET_CONF" \
        --log-file "$VALET_DIR/log/valet-engine.log" \
        </dev/null >"$VALET_DIR/log/valet-engine.out" 2>&1 &
    echo $! >"$ENGINE_PID"
}

serve_valet_api() {
    nohup "$VALET_VENV/bin/valet-api" --config-file "$VALET_CONF" \
        </dev/null >"$VALET_DIR/log/valet-api.out" 2>&1 &
    echo $! >"$VALET_PID"
}

start() {
    local backend=${1:-}
    [ -n "$backend" ] || e2e_die "usage: $0 start mysql|postgresql|sqlite"
    load_state
    [ -x "$VALET_VENV/bin/valet-manage" ] ||
        e2e_die "Valet is not installed in $VALET_VENV"
    stop_valet
    mkdir -p "$VALET_DIR"
    create_database "$backend"
    if [ "$backend" = sqlite ]; then
        write_conf noauth
    else
        write_conf keystone
    fi
    db_sync
    serve_engine
    if [ "$backend" = sqlite ]; then
        serve_valet_api
    else
        serve_uwsgi
    fi
    if ! wait_http "$VALET_URL/" 200 60; then
        tail -n 30 "$VALET_DIR/log/"*.log >&2 || true
        e2e_die "Valet ($backend) does not answer on $VALET_URL"
    fi
    pid_alive "$ENGINE_PID" || {
        tail -n 30 "$VALET_DIR/log/valet-engine.out" >&2 || true
        e2e_die "valet-engine ($backend) exited (see $VALET_DIR/log)"
    }
    e2e_log "Valet ($backend) answers on $VALET_URL"
}

stop_valet() {
    stop_pidfile "$VALET_PID"
    stop_pidfile "$ENGINE_PID"
    drop_database
}

case "${1:-}" in
    start) start "${2:-}" ;;
    stop) stop_valet; e2e_log "Valet stopped" ;;
    *) echo "usage: $0 start mysql|postgresql|sqlite | stop" >&2; exit 2 ;;
esac
