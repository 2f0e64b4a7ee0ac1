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
# shellcheck shell=bash
#
# Stand-ins for the devstack functions that devstack/plugin.sh and
# devstack/lib/valet call, for tools/devstack-test/run.sh (sourced, never
# run). Each records its call, one line per call, in $DST_CALLS:
# the function's name and arguments separated by tabs.
#
# The ini functions are real (written for this harness with the semantics
# of devstack's inc/ini-config): iniset replaces the value of an option
# that is set in its section, else adds "option = value" just under the
# section's header, else appends the section; commented lines ("#option =
# ...") are not options. They edit real files.
#
# Everything else only records, unless the run asks for the real thing:
#
#   DST_REAL_DB=mysql|postgresql   recreate_database, database_connection_url
#                                  and the plugin's mysql/psql calls run on
#                                  the local server (DATABASE_USER and
#                                  DATABASE_PASSWORD on DATABASE_HOST)
#   DST_REAL_KEYSTONE=1            the Keystone helpers run "openstack" (OS_*
#                                  variables of the caller)
#   DST_REAL_PROCESSES=1           run_process starts the command (pid in
#                                  $DST_ROOT/pids), stop_process stops it,
#                                  wait_for_service polls the URL
#
# Variables the caller sets: DST_ROOT (the scratch root), DST_CALLS (the
# call log), DST_BIN (what get_python_exec_prefix answers).

# --- the call log ------------------------------------------------------------

function _dst_record {
    local IFS=$'\t'
    echo "$*" >>"$DST_CALLS"
}

# --- ini files -----------------------------------------------------------------

# _dst_ini_awk FILE SECTION OPTION MODE: the awk program shared by the ini
# functions; the values come through the environment (DST_INI_VALUES,
# newline separated) so that awk never interprets their backslashes.
#   get     print the values of OPTION in SECTION, one a line
#   set     replace them with the values, or add them under the header
#   has     exit 0 when OPTION is set in SECTION
function _dst_ini_awk {
    local file=$1 section=$2 option=$3 mode=$4
    awk -v section="[$section]" -v option="$option" -v mode="$mode" '
        function is_option(line) {
            return index(line, option) == 1 &&
                substr(line, length(option) + 1) ~ /^[ \t]*=/
        }
        function value_of(line) {
            sub(/^[^=]*=[ \t]*/, "", line)
            sub(/[ \t]+$/, "", line)
            return line
        }
        function emit_values(   i) {
            for (i = 1; i <= n; i++) {
                print option " = " values[i]
            }
        }
        BEGIN {
            split(ENVIRON["DST_INI_VALUES"], values, "\n")
            n = ENVIRON["DST_INI_COUNT"] + 0
            inside = 0; seen = 0; found = 0
        }
        /^\[/ {
            inside = ($0 == section)
            if (mode == "set") {
                print
                if (inside && !seen) { seen = 1; emit_values() }
            }
            next
        }
        {
            if (inside && is_option($0)) {
                found = 1
                if (mode == "get") { print value_of($0) }
                # set: the old lines go, the new ones are under the header
                next
            }
            if (mode == "set") { print }
        }
        END {
            if (mode == "set" && !seen) {
                print ""
                print section
                emit_values()
            }
            if (mode == "has") { exit(found ? 0 : 1) }
        }
    ' "$file"
}

function _dst_ini_write {
    local file=$1 section=$2 option=$3
    shift 3
    local values tmp
    values=$(printf '%s\n' "$@")
    mkdir -p "$(dirname "$file")"
    [ -e "$file" ] || : >"$file"
    tmp=$(mktemp "$file.XXXXXX")
    DST_INI_VALUES=$values DST_INI_COUNT=$# _dst_ini_awk "$file" "$section" "$option" set >"$tmp"
    cat "$tmp" >"$file"
    rm -f "$tmp"
}

# iniset [-sudo] FILE SECTION OPTION VALUE
function iniset {
    [[ "$1" == "-sudo" ]] && shift
    [[ -z "$2" || -z "$3" ]] && return 0
    _dst_ini_write "$1" "$2" "$3" "$4"
}

# iniset_multiline [-sudo] FILE SECTION OPTION VALUE...
function iniset_multiline {
    [[ "$1" == "-sudo" ]] && shift
    _dst_ini_write "$@"
}

# iniadd [-sudo] FILE SECTION OPTION VALUE...: append values.
function iniadd {
    [[ "$1" == "-sudo" ]] && shift
    local file=$1 section=$2 option=$3
    shift 3
    local old=()
    if [ -e "$file" ]; then
        mapfile -t old < <(DST_INI_VALUES='' _dst_ini_awk "$file" "$section" "$option" get)
    fi
    _dst_ini_write "$file" "$section" "$option" "${old[@]}" "$@"
}

# iniget FILE SECTION OPTION: the value (the first, if set twice).
function iniget {
    [ -e "$1" ] || return 0
    DST_INI_VALUES='' _dst_ini_awk "$1" "$2" "$3" get | head -n 1
}

# iniget_multiline FILE SECTION OPTION: every value, space separated.
function iniget_multiline {
    [ -e "$1" ] || return 0
    DST_INI_VALUES='' _dst_ini_awk "$1" "$2" "$3" get | paste -s -d ' ' -
}

# ini_has_option FILE SECTION OPTION
function ini_has_option {
    [ -e "$1" ] || return 1
    DST_INI_VALUES='' _dst_ini_awk "$1" "$2" "$3" has >/dev/null
}

# --- devstack's general functions ------------------------------------------------

function echo_summary {
    _dst_record echo_summary "$@"
    echo "devstack-test: $*"
}

function die {
    local line=$1
    shift
    _dst_record die "$line" "$@"
    echo "devstack-test: die at line $line: $*" >&2
    exit 1
}

function is_service_enabled {
    local service
    for service in "$@"; do
        [[ ,${ENABLED_SERVICES}, == *,${service},* ]] && return 0
    done
    return 1
}

function enable_service {
    _dst_record enable_service "$@"
    local service
    for service in "$@"; do
        is_service_enabled "$service" ||
            ENABLED_SERVICES=${ENABLED_SERVICES:+$ENABLED_SERVICES,}$service
    done
}

function disable_service {
    _dst_record disable_service "$@"
    local service kept="" s
    local IFS=,
    for s in $ENABLED_SERVICES; do
        for service in "$@"; do
            [[ "$s" == "$service" ]] && continue 2
        done
        kept=${kept:+$kept,}$s
    done
    ENABLED_SERVICES=$kept
}

function trueorfalse {
    local default=$1 name=$2
    case "${!name:-$default}" in
        1|[Tt]rue|[Yy]es|[Oo]n) echo True ;;
        *) echo False ;;
    esac
}

function ipv6_unquote {
    local address=${1#[}
    echo "${address%]}"
}

function get_python_exec_prefix {
    echo "$DST_BIN"
}

function setup_develop {
    _dst_record setup_develop "$@"
}

function pip_install {
    _dst_record pip_install "$@"
}

# sudo: the harness runs as the owner of the scratch root.
function sudo {
    _dst_record sudo "$@"
    "$@"
}

# --- message bus and database ------------------------------------------------------

function iniset_rpc_backend {
    _dst_record iniset_rpc_backend "$@"
    iniset "$2" "${3:-DEFAULT}" transport_url "$DST_TRANSPORT_URL"
}

function database_connection_url {
    case "$DATABASE_TYPE" in
        mysql) echo "$BASE_SQL_CONN/$1?charset=utf8" ;;
        postgresql) echo "$BASE_SQL_CONN/$1?client_encoding=utf8" ;;
    esac
}

if [[ -n "${DST_REAL_DB:-}" ]]; then
    function recreate_database {
        _dst_record recreate_database "$@"
        case "$DATABASE_TYPE" in
            mysql)
                MYSQL_PWD=$DATABASE_PASSWORD command mysql -u"$DATABASE_USER" -h"$MYSQL_HOST" \
                    -e "DROP DATABASE IF EXISTS $1; CREATE DATABASE $1 CHARACTER SET utf8;"
                ;;
            postgresql)
                PGPASSWORD=$DATABASE_PASSWORD command psql -w -h"$DATABASE_HOST" \
                    -U"$DATABASE_USER" -dtemplate1 \
                    -c "DROP DATABASE IF EXISTS $1" >/dev/null &&
                    PGPASSWORD=$DATABASE_PASSWORD createdb -w -h "$DATABASE_HOST" -U"$DATABASE_USER" -l C \
                        -T template0 -E utf8 "$1"
                ;;
        esac
    }

    function mysql {
        _dst_record mysql "$@"
        command mysql "$@"
    }

    function psql {
        _dst_record psql "$@"
        command psql "$@"
    }
else
    function recreate_database {
        _dst_record recreate_database "$@"
    }

    function mysql {
        _dst_record mysql "$@"
    }

    function psql {
        _dst_record psql "$@"
    }
fi

# --- Keystone ------------------------------------------------------------------------

# configure_keystone_authtoken_middleware CONF USER [SECTION]
function configure_keystone_authtoken_middleware {
    _dst_record configure_keystone_authtoken_middleware "$@"
    local conf=$1 user=$2 section=${3:-keystone_authtoken}
    iniset "$conf" "$section" auth_type password
    iniset "$conf" "$section" interface public
    iniset "$conf" "$section" www_authenticate_uri "$KEYSTONE_SERVICE_URI"
    iniset "$conf" "$section" auth_url "$KEYSTONE_SERVICE_URI"
    iniset "$conf" "$section" username "$user"
    iniset "$conf" "$section" password "$SERVICE_PASSWORD"
    iniset "$conf" "$section" user_domain_name "$SERVICE_DOMAIN_NAME"
    iniset "$conf" "$section" project_name "$SERVICE_PROJECT_NAME"
    iniset "$conf" "$section" project_domain_name "$SERVICE_DOMAIN_NAME"
    iniset "$conf" "$section" region_name "$REGION_NAME"
}

if [[ -n "${DST_REAL_KEYSTONE:-}" ]]; then
    function get_or_create_user {
        _dst_record get_or_create_user "$1" "<password>" "$3"
        openstack user create "$1" --password "$2" --domain "$3" --or-show \
            -f value -c id
    }

    function get_or_add_user_project_role {
        _dst_record get_or_add_user_project_role "$@"
        local user_domain=${4:-$SERVICE_DOMAIN_NAME}
        local project_domain=${5:-$SERVICE_DOMAIN_NAME}
        openstack role add "$1" --user "$2" --user-domain "$user_domain" \
            --project "$3" --project-domain "$project_domain" >&2
    }

    function create_service_user {
        _dst_record create_service_user "$@"
        local user
        user=$(get_or_create_user "$1" "$SERVICE_PASSWORD" "$SERVICE_DOMAIN_NAME") ||
            return 1
        get_or_add_user_project_role "${2:-service}" "$user" \
            "$SERVICE_PROJECT_NAME" "$SERVICE_DOMAIN_NAME" "$SERVICE_DOMAIN_NAME"
    }

    function get_or_create_service {
        _dst_record get_or_create_service "$@"
        openstack service show "$1" -f value -c id 2>/dev/null ||
            openstack service create "$2" --name "$1" --description "$3" \
                -f value -c id
    }

    function get_or_create_endpoint {
        _dst_record get_or_create_endpoint "$@"
        local service=$1 region=$2 url interface id
        shift 2
        for interface in public admin internal; do
            url=${1:-}
            [ $# -gt 0 ] && shift
            [[ -n "$url" ]] || continue
            id=$(openstack endpoint list --service "$service" \
                --interface "$interface" --region "$region" -c ID -f value)
            if [[ -z "$id" ]]; then
                openstack endpoint create "$service" "$interface" "$url" \
                    --region "$region" -f value -c id >/dev/null || return 1
            fi
        done
    }
else
    function create_service_user {
        _dst_record create_service_user "$@"
    }

    function get_or_add_user_project_role {
        _dst_record get_or_add_user_project_role "$@"
    }

    function get_or_create_service {
        _dst_record get_or_create_service "$@"
        echo "service-id-of-$1"
    }

    function get_or_create_endpoint {
        _dst_record get_or_create_endpoint "$@"
    }
fi

# openstack (the CLI) as the plugin calls it outside Keystone's helpers:
# the compute hosts are DST_COMPUTE_HOSTS.
if [[ -z "${DST_REAL_KEYSTONE:-}" ]]; then
    function openstack {
        _dst_record openstack "$@"
        if [[ "$*" == *"compute service list"* ]]; then
            tr ' ' '\n' <<<"${DST_COMPUTE_HOSTS:-}"
        fi
    }
fi

# --- uwsgi and processes -----------------------------------------------------------------

# write_uwsgi_config CONF WSGI URL [HTTP] [NAME]: as devstack's, with
# HTTP given (this plugin's case) uwsgi listens there itself; without it
# devstack puts Apache in front, which the harness records only.
function write_uwsgi_config {
    _dst_record write_uwsgi_config "$@"
    local conf=$1 wsgi=$2 http=${4:-}
    rm -f "$conf"
    if [[ "$wsgi" =~ ^[a-zA-Z0-9_.]+:[a-zA-Z0-9_]+$ ]]; then
        iniset "$conf" uwsgi module "$wsgi"
    else
        iniset "$conf" uwsgi wsgi-file "$wsgi"
    fi
    iniset "$conf" uwsgi processes "${API_WORKERS:-1}"
    iniset "$conf" uwsgi master true
    iniset "$conf" uwsgi die-on-term true
    iniset "$conf" uwsgi enable-threads true
    iniset "$conf" uwsgi lazy-apps true
    iniset "$conf" uwsgi add-header "Connection: close"
    if [[ -n "$http" ]]; then
        iniset "$conf" uwsgi http "$http"
    else
        iniset "$conf" uwsgi socket "$DST_ROOT/run/uwsgi/${5:-$(basename "$wsgi")}.socket"
    fi
}

function remove_uwsgi_config {
    _dst_record remove_uwsgi_config "$@"
    rm -f "$1"
}

if [[ -n "${DST_REAL_PROCESSES:-}" ]]; then
    function run_process {
        _dst_record run_process "$@"
        local service=$1 command=$2
        is_service_enabled "$service" || return 0
        mkdir -p "$DST_ROOT/pids" "$DST_ROOT/logs"
        # The command line is one string, split on blanks, as devstack's.
        # shellcheck disable=SC2086
        setsid nohup $command </dev/null >"$DST_ROOT/logs/$service.log" 2>&1 &
        echo $! >"$DST_ROOT/pids/$service.pid"
    }

    function stop_process {
        _dst_record stop_process "$@"
        local pidfile=$DST_ROOT/pids/$1.pid pid tries=0
        [ -s "$pidfile" ] || return 0
        pid=$(cat "$pidfile")
        kill -TERM "$pid" 2>/dev/null || true
        while kill -0 "$pid" 2>/dev/null && [ $tries -lt 100 ]; do
            sleep 0.2
            tries=$((tries + 1))
        done
        kill -KILL "$pid" 2>/dev/null || true
        rm -f "$pidfile"
    }

    function wait_for_service {
        _dst_record wait_for_service "$@"
        local timeout=$1 url=$2 tries=0
        while [ $tries -lt $((timeout * 5)) ]; do
            curl -s -o /dev/null -m 5 "$url" && return 0
            sleep 0.2
            tries=$((tries + 1))
        done
        return 1
    }
else
    function run_process {
        _dst_record run_process "$@"
    }

    function stop_process {
        _dst_record stop_process "$@"
    }

    function wait_for_service {
        _dst_record wait_for_service "$@"
    }
fi
