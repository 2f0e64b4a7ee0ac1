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
# Valet end to end, with real servers, in one command:
#
#   1. the e2e venv (Keystone, uwsgi, tempest) and Valet's venv;
#   2. the database servers (tools/test-setup.sh);
#   3. a throw-away Keystone on SQLite under uwsgi, with Valet's accounts
#      and catalog entry (tools/e2e/keystone.sh);
#   4. Valet served by uwsgi (valet.wsgi.api:application, auth_strategy =
#      keystone) on a new MariaDB database, then on a new PostgreSQL
#      database, and by the valet-api command (noauth) on SQLite
#      (tools/e2e/valet.sh), each with valet-engine beside it on the real
#      RabbitMQ; each time the suite valet/tests/e2e runs
#      against it, with real tokens (noauth: identity headers);
#   5. tempest, with Valet's plugin and dynamic credentials, against the
#      real Keystone and the uwsgi-served Valet on MariaDB.
#
# Prints each part's counts and a last line "N passed, N failed, N
# skipped". Exits non-zero when any part fails, runs no test, or skips a
# test that should run (a real part that cannot run is a failure).
# Everything started is stopped, and its state removed, on exit
# (VALET_E2E_KEEP=1 keeps it for a look).

set -uo pipefail

# shellcheck source=tools/e2e/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$ROOT" || exit 2

STARTED=$(date +%s)
RESULTS=$E2E_DIR.results
total_passed=0
total_failed=0
total_skipped=0
verdict=0
summary=()

# shellcheck disable=SC2317  # run by the EXIT trap
cleanup() {
    if [ "${VALET_E2E_KEEP:-0}" = 1 ]; then
        e2e_log "VALET_E2E_KEEP=1: Keystone and Valet left running, state in $E2E_DIR"
        return
    fi
    bash "$E2E_TOOLS/valet.sh" stop >/dev/null 2>&1 || true
    bash "$E2E_TOOLS/keystone.sh" stop >/dev/null 2>&1 || true
    delete_engine_queues
}
trap cleanup EXIT

elapsed() {
    echo "$(($(date +%s) - STARTED))s"
}

# Record a part: name, "passed failed skipped", whether skips are allowed.
record() {
    local part=$1 counts=$2 skips_allowed=$3 passed failed skipped
    read -r passed failed skipped <<<"$counts"
    if [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
        verdict=1
    fi
    if [ "$skipped" -ne 0 ] && [ "$skips_allowed" != yes ]; then
        e2e_log "$part: $skipped test(s) skipped that must run"
        verdict=1
    fi
    summary+=("$(printf '%-26s %d passed, %d failed, %d skipped' \
        "$part:" "$passed" "$failed" "$skipped")")
    total_passed=$((total_passed + passed))
    total_failed=$((total_failed + failed))
    total_skipped=$((total_skipped + skipped))
}

# A part that could not run at all: one failure, and why.
record_broken() {
    local part=$1 reason=$2
    echo "e2e: ERROR: $part could not run: $reason" >&2
    record "$part" "0 1 0" no
}

# The run cannot go on: say why, count it as one failure, stop.
fatal() {
    echo "e2e: ERROR: $*" >&2
    echo "0 passed, 1 failed, 0 skipped"
    exit 1
}

ensure_valet_venv() {
    if [ -x "$VALET_VENV/bin/valet-manage" ]; then
        return
    fi
    local log=$E2E_DIR.valet-pip.log
    e2e_log "creating Valet's venv $VALET_VENV (log: $log)"
    { "$PYTHON" -m venv "$VALET_VENV" &&
      "$VALET_VENV/bin/python" -m pip install -q --upgrade pip &&
      "$VALET_VENV/bin/python" -m pip install -q -r requirements.txt \
          -r test-requirements.txt -e .; } </dev/null >"$log" 2>&1 || {
        tail -n 30 "$log" >&2
        fatal "Valet's venv could not be installed"
    }
}

# "passed failed skipped" of the last run of a stestr repository:
# stestr_counts DIR STESTR [STESTR OPTIONS...], run in DIR.
stestr_counts() {
    local dir=$1
    shift
    (cd "$dir" && "$@" last --subunit 2>/dev/null |
        "$VALET_VENV/bin/python" "$ROOT/tools/count_results.py")
}

# Keep Valet's logs of part $1 with the results.
keep_logs() {
    if [ -d "$VALET_DIR/log" ]; then
        cp -r "$VALET_DIR/log" "$RESULTS/valet-logs-$1"
    fi
}

# Serve Valet on backend $1 and run the e2e suite against it.
run_suite() {
    local backend=$1 auth=$2 part repo counts status concurrency
    part="e2e $backend ($auth)"
    if ! bash "$E2E_TOOLS/valet.sh" start "$backend"; then
        record_broken "$part" "Valet did not start on $backend"
        return 1
    fi
    repo=$RESULTS/stestr-$backend
    mkdir -p "$repo"
    # SQLite takes one writer at a time: two concurrent writing requests
    # may fail with "database is locked" (answered 503). The SQLite
    # run is the all-in-one trial set-up; it gets one client at a time.
    concurrency=2
    if [ "$backend" = sqlite ]; then
        concurrency=1
    fi
    e2e_log "running the e2e suite against Valet on $backend ($auth) [$(elapsed)]"
    VALET_E2E_ACCOUNTS=$ACCOUNTS VALET_E2E_AUTH=$auth \
        "$VALET_VENV/bin/stestr" --repo-url "$repo" \
        --test-path ./valet/tests/e2e --top-dir ./ run \
        --concurrency "$concurrency" \
        </dev/null >"$RESULTS/$backend.out" 2>&1
    status=$?
    keep_logs "$backend"
    grep -E '^(\{[0-9]+\} .*(FAILED|SKIPPED)|FAIL:|Traceback|  File|[A-Za-z.]*Error)' \
        "$RESULTS/$backend.out" | head -n 60 || true
    counts=$(stestr_counts "$ROOT" "$VALET_VENV/bin/stestr" --repo-url "$repo")
    if [ -z "$counts" ]; then
        tail -n 40 "$RESULTS/$backend.out" >&2
        record_broken "$part" "stestr produced no results"
        return 1
    fi
    if [ "$status" -ne 0 ] && [ "$(echo "$counts" | cut -d' ' -f2)" = 0 ]; then
        counts="$(echo "$counts" | cut -d' ' -f1) 1 $(echo "$counts" | cut -d' ' -f3)"
    fi
    # noauth reads no token: the bogus-token test is skipped there.
    if [ "$auth" = noauth ]; then
        record "$part" "$counts" yes
    else
        record "$part" "$counts" no
    fi
}

# The enabled hosts of the data center valet.sh plans on, comma separated.
tempest_hosts() {
    "$VALET_VENV/bin/python" - "$ROOT/etc/valet/samples/datacenter.yaml" <<'PY'
import sys

import yaml

with open(sys.argv[1]) as topology:
    hosts = yaml.safe_load(topology)['hosts']
print(','.join(host['name'] for host in hosts if host.get('enabled', True)))
PY
}

write_tempest_conf() {
    local ws=$1
    cat >"$ws/etc/tempest.conf" <<EOF
[DEFAULT]
log_dir = $ws/logs
log_file = tempest.log
use_stderr = false

[auth]
use_dynamic_credentials = true
create_isolated_networks = false
admin_username = admin
admin_password = $E2E_PASSWORD
admin_project_name = admin
admin_domain_name = Default

[identity]
uri_v3 = $KS_URL
auth_version = v3
region = RegionOne
v3_endpoint_type = public

[identity-feature-enabled]
api_v2 = false
api_v3 = true

[service_available]
valet = true
# No Nova or Heat here: the scenario tests skip (the only skips allowed).
nova = false
heat = false
glance = false
cinder = false
neutron = false
swift = false

[valet]
catalog_type = valet
endpoint_type = public
member_check = true
# The data center of tools/e2e/valet.sh (etc/valet/samples/datacenter.yaml):
# its enabled hosts and a small flavor.
flavor = m1.small
hosts = $(tempest_hosts)
min_microversion = 1.0
max_microversion = latest

[validation]
run_validation = false
EOF
}

# Run the tempest tests under regex $3 in workspace $2; print their counts
# ("" when tempest produced none). Output in $RESULTS/tempest-$1.out.
tempest_part() {
    local name=$1 ws=$2 regex=$3 status counts passed failed skipped
    (cd "$ws" && "$E2E_VENV/bin/tempest" run --regex "$regex" \
        --concurrency 2) </dev/null >"$RESULTS/tempest-$name.out" 2>&1
    status=$?
    grep -E '(FAILED|SKIPPED|^Traceback|Error:)' "$RESULTS/tempest-$name.out" |
        head -n 40 >&2 || true
    counts=$(stestr_counts "$ws" "$E2E_VENV/bin/stestr")
    if [ -z "$counts" ]; then
        tail -n 40 "$RESULTS/tempest-$name.out" >&2
        return
    fi
    read -r passed failed skipped <<<"$counts"
    # tempest exits 1 when every test skipped ("No tests were
    # successful"): the caller judges skips. Any other failing exit with
    # no failed test counts as one failure.
    if [ "$status" -ne 0 ] && [ "$failed" = 0 ] &&
        ! { [ "$passed" = 0 ] && [ "$skipped" != 0 ]; }; then
        failed=1
    fi
    echo "$passed $failed $skipped"
}

# The tempest plugin: every API test must run and pass; the scenario
# tests (Heat, Nova) may only skip, as neither runs here.
run_tempest() {
    local part="tempest api (valet plugin)" ws=$RESULTS/tempest counts
    local scenario="tempest scenario" plugins passed failed skipped
    if ! bash "$E2E_TOOLS/valet.sh" start mysql; then
        record_broken "$part" "Valet did not start"
        return 1
    fi
    rm -rf "$ws"
    if ! "$E2E_VENV/bin/tempest" init \
            --workspace-path "$RESULTS/workspace.yaml" "$ws" \
            >"$RESULTS/tempest-init.log" 2>&1; then
        cat "$RESULTS/tempest-init.log" >&2
        record_broken "$part" "tempest init failed"
        return 1
    fi
    write_tempest_conf "$ws"
    plugins=$("$E2E_VENV/bin/tempest" list-plugins 2>/dev/null)
    if ! grep -q 'valet_tempest_plugin.plugin:ValetTempestPlugin' \
            <<<"$plugins"; then
        record_broken "$part" "tempest does not see valet_tempest_plugin"
        return 1
    fi
    e2e_log "running tempest's API tests against Valet on mysql [$(elapsed)]"
    counts=$(tempest_part api "$ws" '^valet_tempest_plugin\.tests\.api\.')
    keep_logs tempest
    if [ -z "$counts" ]; then
        record_broken "$part" "tempest produced no results"
    else
        record "$part" "$counts" no
    fi
    e2e_log "running tempest's scenario tests (skip without Heat and Nova) [$(elapsed)]"
    counts=$(tempest_part scenario "$ws" \
        '^valet_tempest_plugin\.tests\.scenario\.')
    if [ -z "$counts" ]; then
        record_broken "$scenario" "tempest produced no results"
        return 1
    fi
    read -r passed failed skipped <<<"$counts"
    if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ] && [ "$skipped" -gt 0 ]; then
        # Skipped as they should be: no failure, and nothing that ran.
        summary+=("$(printf '%-26s %d passed, %d failed, %d skipped' \
            "$scenario:" 0 0 "$skipped")")
        total_skipped=$((total_skipped + skipped))
    else
        record "$scenario" "$counts" yes
    fi
}

rm -rf "$RESULTS"
mkdir -p "$RESULTS"
export PYTHONDONTWRITEBYTECODE=1

ensure_valet_venv
bash "$E2E_TOOLS/keystone.sh" venv || fatal "the e2e venv is not usable"
bash "$ROOT/tools/test-setup.sh" </dev/null >"$RESULTS/test-setup.log" 2>&1 || {
    cat "$RESULTS/test-setup.log" >&2
    fatal "tools/test-setup.sh failed: MariaDB/PostgreSQL/RabbitMQ are not ready"
}
e2e_log "starting Keystone [$(elapsed)]"
bash "$E2E_TOOLS/keystone.sh" start || fatal "Keystone did not start"
[ -s "$STATE_ENV" ] || fatal "Keystone left no state in $E2E_DIR"
load_state

run_suite mysql keystone
run_suite postgresql keystone
run_suite sqlite noauth
run_tempest
# The devstack plugin's harness; its Keystone part runs against this
# Keystone, and every part of it must run here.
e2e_log "running the devstack plugin's tests [$(elapsed)]"
VALET_E2E_DIR=$E2E_DIR VALET_DEVSTACK_REQUIRE=all \
    bash "$ROOT/tools/devstack-test/run.sh" </dev/null >"$RESULTS/devstack.out" 2>&1
grep -E '^(FAIL|SKIP) ' "$RESULTS/devstack.out" || true
devstack_counts=$(tail -n 1 "$RESULTS/devstack.out" |
    sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped$/\1 \2 \3/p')
record "devstack plugin" "${devstack_counts:-0 1 0}" no
bash "$E2E_TOOLS/valet.sh" stop >/dev/null 2>&1

echo
echo "==== Valet end-to-end results ($(elapsed)) ===="
for line in "${summary[@]}"; do
    echo "$line"
done
if [ "$verdict" -ne 0 ]; then
    e2e_log "FAILED: outputs kept in $RESULTS"
elif [ "${VALET_E2E_KEEP:-0}" != 1 ]; then
    rm -rf "$RESULTS"
fi
echo "$total_passed passed, $total_failed failed, $total_skipped skipped"
exit "$verdict"
