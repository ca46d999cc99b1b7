#!/usr/bin/env bash
# `make test`: unit tests and integration tests against a real PostgreSQL, real
# mosquitto 2.1 (and Debian's 2.0.11) and real MQTT clients. Under this script a
# skipped integration test is a failure (TEST_REQUIRE_INTEGRATION=1).
set -euo pipefail
source "$(dirname "$0")/paths.sh"
cd "$ROOT_DIR"

tmp="$ROOT_DIR/.test-tmp"
if [ -d "$tmp/pg" ]; then bash scripts/pg-scratch.sh stop "$tmp/pg" || true; fi
rm -rf "$tmp"; mkdir -p "$tmp"
dsn="$(bash scripts/pg-scratch.sh start "$tmp/pg")"
cleanup() { bash scripts/pg-scratch.sh stop "$tmp/pg" || true; }
trap cleanup EXIT

export TEST_PG_DSN="$dsn"
export TEST_MOSQUITTO_21="$MOSQUITTO_21"
export TEST_MOSQUITTO_20="$MOSQUITTO_20"
export TEST_CONN_PLUGIN="$CONN_PLUGIN"
export TEST_SYS_INGESTER="$SYS_INGESTER"
export TEST_MQTT_LOAD="$MQTT_LOAD"
export TEST_TMPDIR="$tmp"
export TEST_REQUIRE_INTEGRATION=1

echo "make test: PostgreSQL at $dsn; mosquitto 2.1 at $MOSQUITTO_21"
swift test "$@"
