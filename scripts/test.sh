#!/usr/bin/env bash
# `make test`: unit tests and integration tests against a real PostgreSQL, real
# mosquitto 2.1 (and Debian's 2.0.11) and real MQTT clients. Under this script a
# skipped integration test is a failure (TEST_REQUIRE_INTEGRATION=1).
set -euo pipefail
source "$(dirname "$0")/paths.sh"
cd "$ROOT_DIR"

tmp="$ROOT_DIR/.test-tmp"
rm -rf "$tmp"; mkdir -p "$tmp"
# The tests' shared PostgreSQL; pg-scratch.sh picks its place (not in the clone, which the server's
# user may not be able to enter).
pg_dir="$(bash scripts/pg-scratch.sh new test)"
cleanup() { bash scripts/pg-scratch.sh remove "$pg_dir" || true; }
trap cleanup EXIT
dsn="$(bash scripts/pg-scratch.sh start "$pg_dir")"

export TEST_PG_DSN="$dsn"
export TEST_MOSQUITTO_21="$MOSQUITTO_21"
export TEST_MOSQUITTO_20="$MOSQUITTO_20"
export TEST_CONN_PLUGIN="$CONN_PLUGIN"
export TEST_SYS_INGESTER="$SYS_INGESTER"
export TEST_MQTT_LOAD="$MQTT_LOAD"
export TEST_PYTHON3="$PYTHON3"
export TEST_TMPDIR="$tmp"
export TEST_REQUIRE_INTEGRATION=1

echo "make test: PostgreSQL at $dsn; mosquitto 2.1 at $MOSQUITTO_21"
# Tests run in parallel, so a failure can scroll far above the last line; the log is kept
# and the failures are repeated at the end, where a CI tail shows them.
log="$tmp/swift-test.log"
status=0
swift test "$@" 2>&1 | tee "$log" || status=$?
if [ "$status" -ne 0 ]; then
    echo
    echo "make test: failed (exit $status). What failed, repeated from $log:"
    # Each ✘ line with the lines it carries (a caught error's output), up to the next test line;
    # and compiler errors.
    awk '/✘/ { keep = 1 } /^(◇|✔)/ { keep = 0 } keep || /error:/' "$log" | tail -n 200
fi
exit "$status"
