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
# Valet's test command: from a fresh clone to a verdict.
#
# Suites, in this order (VALET_TEST_SUITES="unit functional" runs only
# those; the default is all of them):
#
#   unit        valet/tests/unit, in .venv
#   functional  valet/tests/functional: SQLite, MariaDB, PostgreSQL and
#               the real RabbitMQ, real valet-engine and valet-api
#               processes
#   heat        valet/tests/plugins/heat: the Heat plugin inside the real
#               heat engine (openstack-heat from PyPI), against a running
#               Valet
#   nova        valet/tests/plugins/nova: ValetFilter inside the real nova
#               scheduler filters (nova from PyPI), against a running Valet
#   osc         valet/tests/plugins/osc: the real "openstack" command
#               (python-openstackclient from PyPI) against a running Valet
#   e2e         tools/e2e/run.sh: a real Keystone, Valet under uwsgi on
#               MariaDB and PostgreSQL and valet-api on SQLite, the tempest
#               plugin
#
# What it does:
# 1. creates the virtualenv (.venv, or $VALET_VENV) when missing and
#    installs requirements.txt, test-requirements.txt and Valet itself
#    (editable) into it; for the heat, nova and osc suites, the same plus
#    tools/plugins-requirements.txt (heat, nova, OpenStackClient) into
#    .venv-plugins ($VALET_PLUGINS_VENV), kept apart so that the unit and
#    functional suites never import Heat's or Nova's global configuration;
# 2. runs tools/test-setup.sh (the PostgreSQL, MariaDB and RabbitMQ servers
#    of the functional tests, and their test user);
# 3. runs each stestr suite in a stestr repository of this run's own;
# 4. runs the end-to-end suite unless VALET_TEST_SKIP_E2E=1;
# 5. counts each suite's results (stestr's subunit stream; the e2e
#    script's own summary line) and prints them with each suite's time,
#    then a last line "N passed, N failed, N skipped".
#
# Exits 0 only when every suite ran at least one test and none failed.
# Arguments are passed to "stestr run" of the unit and functional suites
# (e.g. a regex); with arguments only those two suites run.
#
# One suite alone, e.g.:  VALET_TEST_SUITES=nova bash tools/run-tests.sh

set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 2

VENV=${VALET_VENV:-$ROOT/.venv}
PLUGINS_VENV=${VALET_PLUGINS_VENV:-$ROOT/.venv-plugins}
PYTHON=${PYTHON:-python3}
ALL_SUITES="unit functional heat nova osc e2e"
if [ $# -gt 0 ]; then
    SUITES=${VALET_TEST_SUITES:-unit functional}
else
    SUITES=${VALET_TEST_SUITES:-$ALL_SUITES}
fi
for suite in $SUITES; do
    case " $ALL_SUITES " in
        *" $suite "*) ;;
        *) echo "run-tests: ERROR: unknown suite '$suite' in VALET_TEST_SUITES" \
               "(suites: $ALL_SUITES)" >&2
           exit 2 ;;
    esac
done
if [ "${VALET_TEST_SKIP_E2E:-0}" = 1 ]; then
    SUITES=${SUITES/e2e/}
fi

log() {
    echo "run-tests: $*"
}

die() {
    echo "run-tests: ERROR: $*" >&2
    exit 2
}

wants() {
    case " $SUITES " in
        *" $1 "*) return 0 ;;
    esac
    return 1
}

# make_venv VENV: create the virtualenv VENV when missing.
make_venv() {
    local VENV=$1
    if [ -x "$VENV/bin/python" ]; then
        return
    fi
    command -v "$PYTHON" >/dev/null || die "$PYTHON not found"
    "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' ||
        die "Valet needs Python 3.10 or newer ($PYTHON is older)"
    log "creating the virtualenv $VENV"
    if ! "$PYTHON" -m venv "$VENV" 2>/dev/null; then
        # Debian ships venv's pip bootstrap separately.
        if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
            rm -rf "$VENV"
            if ! { apt-get update -q &&
                   DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
                       --no-install-recommends python3-venv </dev/null; }
            then
                die "could not install python3-venv"
            fi
            "$PYTHON" -m venv "$VENV" || die "could not create $VENV"
        else
            die "could not create $VENV (install python3-venv)"
        fi
    fi
}

# install_valet VENV [REQUIREMENTS FILES...]: Valet, its requirements and
# its test requirements (plus the files given) into VENV.
install_valet() {
    local VENV=$1 extra=() pip_log
    shift
    for file in "$@"; do
        extra+=(-r "$file")
    done
    pip_log="$VENV/pip-install.log"
    log "installing the requirements and Valet into $VENV (log: $pip_log)"
    if ! { "$VENV/bin/python" -m pip install --upgrade pip &&
           "$VENV/bin/python" -m pip install \
               -r requirements.txt -r test-requirements.txt "${extra[@]}" \
               -e .; } \
           </dev/null >"$pip_log" 2>&1; then
        tail -n 30 "$pip_log" >&2
        die "could not install Valet and its requirements (see $pip_log)"
    fi
}

# Reads a subunit v2 stream on stdin; prints "passed failed skipped".
count_results() {
    "$VENV/bin/python" "$ROOT/tools/count_results.py"
}

export PYTHONDONTWRITEBYTECODE=1
export OS_STDOUT_CAPTURE=${OS_STDOUT_CAPTURE:-1}
export OS_STDERR_CAPTURE=${OS_STDERR_CAPTURE:-1}
export OS_TEST_TIMEOUT=${OS_TEST_TIMEOUT:-240}

make_venv "$VENV"
install_valet "$VENV"
if wants heat || wants nova || wants osc; then
    make_venv "$PLUGINS_VENV"
    install_valet "$PLUGINS_VENV" tools/plugins-requirements.txt
fi
log "getting the test servers ready"
bash "$ROOT/tools/test-setup.sh" </dev/null || die "tools/test-setup.sh failed"

RUN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/valet-tests.XXXXXX")
trap 'rm -rf "$RUN_DIR"' EXIT

record_suite() {
    local suite=$1 passed=$2 failed=$3 skipped=$4 seconds=$5
    if [ "$failed" -ne 0 ] || [ "$((passed + skipped))" -eq 0 ]; then
        verdict=1
    fi
    summary+=("$(printf '%-12s %d passed, %d failed, %d skipped  (%d s)' \
        "$suite:" "$passed" "$failed" "$skipped" "$seconds")")
    total_passed=$((total_passed + passed))
    total_failed=$((total_failed + failed))
    total_skipped=$((total_skipped + skipped))
}

total_passed=0
total_failed=0
total_skipped=0
verdict=0
summary=()

# run_stestr_suite NAME VENV TEST_PATH [STESTR RUN ARGUMENTS...]
run_stestr_suite() {
    local suite=$1 venv=$2 test_path=$3 repo started stestr_status counts
    shift 3
    repo="$RUN_DIR/$suite"
    mkdir -p "$repo"
    log "running the $suite suite ($test_path)"
    started=$SECONDS
    "$venv/bin/stestr" --repo-url "$repo" \
        --test-path "$test_path" --top-dir ./ run "$@" </dev/null
    stestr_status=$?
    counts=""
    if "$venv/bin/stestr" --repo-url "$repo" last --subunit \
            >"$RUN_DIR/$suite.subunit" 2>/dev/null; then
        counts=$(count_results <"$RUN_DIR/$suite.subunit")
    fi
    if [ -z "$counts" ]; then
        # Discovery failed (an import error): no stream to count.
        counts="0 1 0"
        log "the $suite suite did not run (see the errors above)"
    fi
    read -r passed failed skipped <<<"$counts"
    if [ "$stestr_status" -ne 0 ] && [ "$failed" -eq 0 ]; then
        # stestr saw a failure the stream does not show as a test.
        failed=1
    fi
    record_suite "$suite" "$passed" "$failed" "$skipped" \
        "$((SECONDS - started))"
}

for suite in unit functional; do
    if wants "$suite"; then
        run_stestr_suite "$suite" "$VENV" "./valet/tests/$suite" "$@"
    fi
done
for suite in heat nova osc; do
    if wants "$suite"; then
        run_stestr_suite "$suite" "$PLUGINS_VENV" \
            "./valet/tests/plugins/$suite"
    fi
done

if wants e2e; then
    # A state directory of this run's own, so that two test runs on one
    # machine never share a Keystone or its accounts.
    VALET_E2E_DIR=${VALET_E2E_DIR:-$(mktemp -d -u "${TMPDIR:-/tmp}/valet-e2e.XXXXXX")}
    export VALET_E2E_DIR
    log "running the e2e suite (tools/e2e/run.sh, state in $VALET_E2E_DIR)"
    started=$SECONDS
    bash "$ROOT/tools/e2e/run.sh" </dev/null 2>&1 | tee "$RUN_DIR/e2e.log"
    e2e_status=${PIPESTATUS[0]}
    counts=$(sed -n -E 's/^([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped$/\1 \2 \3/p' \
        "$RUN_DIR/e2e.log" | tail -n 1)
    if [ -z "$counts" ]; then
        log "the e2e suite printed no summary (see the errors above)"
        counts="0 1 0"
    fi
    read -r passed failed skipped <<<"$counts"
    if [ "$e2e_status" -ne 0 ] && [ "$failed" -eq 0 ]; then
        failed=1
    fi
    record_suite e2e "$passed" "$failed" "$skipped" "$((SECONDS - started))"
elif [ "${VALET_TEST_SKIP_E2E:-0}" = 1 ]; then
    log "VALET_TEST_SKIP_E2E=1: the e2e suite is not run"
fi

echo
echo "==== Valet test results ===="
for line in "${summary[@]}"; do
    echo "$line"
done
if [ "$((total_passed + total_failed + total_skipped))" -eq 0 ]; then
    log "no test ran"
    verdict=1
fi
echo "$total_passed passed, $total_failed failed, $total_skipped skipped"
exit "$verdict"
