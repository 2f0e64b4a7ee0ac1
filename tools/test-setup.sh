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
# Get the local servers of the functional tests ready: PostgreSQL (5432),
# MariaDB (3306) and RabbitMQ (5672) on 127.0.0.1. A server that does not
# answer is installed when missing (Debian packages) and started; then the
# opportunistic test user of oslo.db, openstack_citest (password
# openstack_citest), gets its database and the right to create and drop
# databases on both database servers. Safe to run again and again.
# Also installs shellcheck when missing (the devstack plugin's harness).
#
# Runs as root, or as a user with sudo.

set -euo pipefail

WAIT_SECONDS=${VALET_TEST_SETUP_WAIT:-120}
CITEST=openstack_citest

if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
else
    SUDO=(sudo -n)
fi

log() {
    echo "test-setup: $*"
}

die() {
    echo "test-setup: ERROR: $*" >&2
    exit 1
}

port_open() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

wait_port() {
    local name=$1 port=$2 waited=0
    until port_open "$port"; do
        if [ "$waited" -ge "$WAIT_SECONDS" ]; then
            die "$name does not answer on 127.0.0.1:$port after ${WAIT_SECONDS}s"
        fi
        sleep 1
        waited=$((waited + 1))
    done
    log "$name answers on 127.0.0.1:$port"
}

APT_UPDATED=no
apt_install() {
    command -v apt-get >/dev/null ||
        die "cannot install $* here (no apt-get): install it by hand"
    if [ "$APT_UPDATED" = no ]; then
        "${SUDO[@]}" apt-get update -q
        APT_UPDATED=yes
    fi
    log "installing $*"
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends "$@" </dev/null
}

# --- PostgreSQL --------------------------------------------------------------

start_postgresql() {
    if port_open 5432; then
        log "PostgreSQL already answers"
        return
    fi
    if ! command -v pg_ctlcluster >/dev/null || [ ! -d /etc/postgresql ]; then
        apt_install postgresql postgresql-client
    fi
    local version
    version=$(find /etc/postgresql -mindepth 1 -maxdepth 1 -type d \
        -printf '%f\n' | sort -V | tail -n 1)
    [ -n "$version" ] || die "no PostgreSQL cluster under /etc/postgresql"
    log "starting PostgreSQL $version"
    "${SUDO[@]}" pg_ctlcluster --skip-systemctl-redirect "$version" main start ||
        true
    wait_port PostgreSQL 5432
}

psql_admin() {
    # The local superuser: over TCP where that is trusted, else through the
    # socket as the postgres system user.
    if psql -w -h 127.0.0.1 -U postgres -d postgres -tAc 'SELECT 1' \
            >/dev/null 2>&1; then
        psql -w -h 127.0.0.1 -U postgres -d postgres -v ON_ERROR_STOP=1 "$@"
    elif [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- psql -d postgres -v ON_ERROR_STOP=1 "$@"
    else
        sudo -n -u postgres psql -d postgres -v ON_ERROR_STOP=1 "$@"
    fi
}

setup_postgresql_user() {
    psql_admin -q <<EOF
DO \$\$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$CITEST') THEN
        CREATE ROLE $CITEST LOGIN CREATEDB PASSWORD '$CITEST';
    ELSE
        ALTER ROLE $CITEST LOGIN CREATEDB PASSWORD '$CITEST';
    END IF;
END
\$\$;
EOF
    if [ "$(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = '$CITEST'")" != 1 ]; then
        psql_admin -q -c "CREATE DATABASE $CITEST OWNER $CITEST"
    else
        psql_admin -q -c "ALTER DATABASE $CITEST OWNER TO $CITEST"
    fi
    log "PostgreSQL: user and database $CITEST ready"
}

# --- MariaDB -----------------------------------------------------------------

start_mariadb() {
    if port_open 3306; then
        log "MariaDB already answers"
        return
    fi
    if [ ! -x /usr/sbin/mariadbd ]; then
        apt_install mariadb-server mariadb-client
    fi
    log "starting MariaDB"
    "${SUDO[@]}" install -d -o mysql -g mysql /run/mysqld
    "${SUDO[@]}" start-stop-daemon --start --oknodo --background \
        --exec /usr/sbin/mariadbd
    wait_port MariaDB 3306
}

mysql_admin() {
    # root through the socket (unix_socket authentication, Debian's
    # default), else root with an empty password over TCP.
    if "${SUDO[@]}" mariadb -uroot -e 'SELECT 1' >/dev/null 2>&1; then
        "${SUDO[@]}" mariadb -uroot "$@"
    else
        mariadb -uroot -h127.0.0.1 "$@"
    fi
}

setup_mariadb_user() {
    local host sql=""
    for host in localhost 127.0.0.1 %; do
        sql+="CREATE USER IF NOT EXISTS '$CITEST'@'$host' IDENTIFIED BY '$CITEST';"
        sql+="ALTER USER '$CITEST'@'$host' IDENTIFIED BY '$CITEST';"
        # Tests create and drop databases of their own.
        sql+="GRANT ALL PRIVILEGES ON *.* TO '$CITEST'@'$host';"
    done
    sql+="CREATE DATABASE IF NOT EXISTS $CITEST CHARACTER SET utf8mb4;"
    sql+="FLUSH PRIVILEGES;"
    mysql_admin -e "$sql"
    log "MariaDB: user and database $CITEST ready"
}

# --- RabbitMQ ----------------------------------------------------------------

start_rabbitmq() {
    if port_open 5672; then
        log "RabbitMQ already answers"
        return
    fi
    if ! command -v rabbitmq-server >/dev/null &&
            [ ! -x /usr/sbin/rabbitmq-server ]; then
        apt_install rabbitmq-server
    fi
    log "starting RabbitMQ"
    "${SUDO[@]}" env PATH="$PATH:/usr/sbin" rabbitmq-server -detached
    wait_port RabbitMQ 5672
}

check_rabbitmq_login() {
    # The guest user may only log in from localhost: that is enough here.
    local python
    python=$(command -v python3 || true)
    if [ -z "$python" ]; then
        return
    fi
    # AMQP 0-9-1 protocol header: the server answers with Connection.Start.
    if ! "$python" - <<'EOF'
import socket
s = socket.create_connection(('127.0.0.1', 5672), timeout=10)
s.sendall(b'AMQP\x00\x00\x09\x01')
frame = s.recv(7)
s.close()
raise SystemExit(0 if frame[:1] == b'\x01' else 1)
EOF
    then
        die "something answers on 5672 but it does not speak AMQP 0-9-1"
    fi
    log "RabbitMQ speaks AMQP 0-9-1"
}

# The devstack plugin's harness checks the plugin with shellcheck.
ensure_shellcheck() {
    if ! command -v shellcheck >/dev/null; then
        log "installing shellcheck"
        apt_install shellcheck
    fi
}

ensure_shellcheck
start_postgresql
setup_postgresql_user
start_mariadb
setup_mariadb_user
start_rabbitmq
check_rabbitmq_login
log "all test servers ready"
