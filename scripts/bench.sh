#!/usr/bin/env bash
# `make bench`: what the conn-plugin costs a mosquitto 2.1 broker, measured in one run.
#
#   1. no plugin:  a bare broker under mqtt-load (short connections: connect, CONNACK, DISCONNECT),
#                  before the plugin's phases and again right after async mode (the ratio takes the mean)
#   2. sync mode:  the same load, the plugin waiting for each event's commit (fresh database)
#   3. async mode: the same load, the plugin enqueueing and a writer thread committing batches
#   4. replay:     events spooled while PostgreSQL is stopped, replayed when it returns while live
#                  load goes on: events/s of the catch-up, exactly once and in order
#   5. pgbench:    one connection, the plugin's own statements and parameter encoding (bin/conn-sql
#                  pgbench-script): seed 000's write one event per statement (the limit of any design
#                  that waits for each event's commit; right before and right after sync mode, the
#                  ratio takes the mean), the plugin's write with per-broker presence one
#                  event per statement (what presence costs on the path), the plugin's write in
#                  batches of BENCH_REPLAY_BATCH events (the replay's limit), and seed 000's write in
#                  such batches (the least PostgreSQL CPU per event for the seed's rows); each with
#                  the server's CPU per event
#
# These phases run in scripts/bench-plugin.sh, with the helpers this file defines.
# PostgreSQL runs with fsync on (PG_FSYNC=off to compare), as a user runs it.
# Prints a table and one JSON line (the last line of output). Everything runs on 127.0.0.1, one
# broker at a time, with its files in .bench-tmp/ and a scratch PostgreSQL where
# scripts/pg-scratch.sh puts it (under PG_SCRATCH_BASE, default /tmp; .bench-tmp/pg-dir names it),
# both removed at the end unless BENCH_KEEP_TMP=1.
#
# BENCH_MODE=fleet measures sys-ingester instead (scripts/bench-fleet.sh: one ingester, 20 brokers).
# BENCH_MODE=idle: whether idle brokers keep publishing $SYS, with and without our programs
# (scripts/bench-idle.sh).
# BENCH_MODE=history times the typical reads on a generated history of BENCH_HISTORY_ROWS rows
# (scripts/bench-history.sh, default 20 million); BENCH_MODE=retention compares pruning a day by
# batched DELETE with dropping a daily partition on the same history (scripts/bench-retention.sh).
# Both generate their data, so they take long; the default run stays short. PG_SCRATCH_BASE puts
# the scratch PostgreSQL on another disk than /tmp's; with BENCH_REUSE_DATA=1 and
# BENCH_KEEP_TMP=1 a later history or retention run reuses the history generated before.
# BENCH_MODE=scale measures what recording costs as the work grows (scripts/bench-scale.sh: CPU per
# event, catch-up after an outage, 50,000 connected clients).
# BENCH_MODE=fleet-scale: 3 brokers x 17,000 held clients with the plugin, one sys-ingester, one
# PostgreSQL (fsync on): storms, stop, kill, outage (scripts/bench-fleet-scale.sh).
#
# Environment: BENCH_SECONDS (per phase, default 10), BENCH_THREADS (mqtt-load threads, default 4),
# BENCH_PG_SECONDS (pgbench run, default BENCH_SECONDS), BENCH_PROTOCOL (3.1.1), BENCH_PLUGIN_OPTS
# (extra plugin options for both plugin runs, "key=value ..." without plugin_opt_, e.g.
# "conn_batch_size=2000 conn_queue_size=1000000"; the defaults are measured when unset), BENCH_TMP
# (the scratch directory instead of .bench-tmp/; the smoke tests use their own).
set -euo pipefail
source "$(dirname "$0")/paths.sh"
cd "$ROOT_DIR"

BENCH_SECONDS="${BENCH_SECONDS:-10}"
BENCH_THREADS="${BENCH_THREADS:-4}"
BENCH_PG_SECONDS="${BENCH_PG_SECONDS:-$BENCH_SECONDS}"
BENCH_PROTOCOL="${BENCH_PROTOCOL:-3.1.1}"
BENCH_PLUGIN_OPTS="${BENCH_PLUGIN_OPTS:-}"
BENCH_MODE="${BENCH_MODE:-plugin}"
BENCH_REPLAY_SECONDS="${BENCH_REPLAY_SECONDS:-5}"
BENCH_REPLAY_BATCH="${BENCH_REPLAY_BATCH:-2000}"
export PG_FSYNC="${PG_FSYNC:-on}"
DRAIN_LIMIT_S=10
# Seconds after the drain at which the broker's RSS is read again (rss_settled_kb).
RSS_SETTLE_S=6
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
PGBENCH="$PG_BIN/pgbench"; [ -x "$PGBENCH" ] || PGBENCH="$(command -v pgbench || true)"

die() { echo "bench: error: $*" >&2; exit 1; }
[[ "$BENCH_MODE" =~ ^(plugin|fleet|idle|history|retention|scale|fleet-scale)$ ]] \
    || die "BENCH_MODE '$BENCH_MODE' must be plugin (the default), fleet, idle, history, retention, scale or fleet-scale"
needs_broker=true
if [ "$BENCH_MODE" = history ] || [ "$BENCH_MODE" = retention ]; then needs_broker=false; fi
[[ "$BENCH_SECONDS" =~ ^[0-9]+([.][0-9]+)?$ ]] || die "BENCH_SECONDS '$BENCH_SECONDS' is not a number of seconds"
[[ "$BENCH_PG_SECONDS" =~ ^[1-9][0-9]*$ ]] || die "BENCH_PG_SECONDS '$BENCH_PG_SECONDS' must be a whole number of seconds (pgbench -T)"
[[ "$BENCH_THREADS" =~ ^[1-9][0-9]*$ ]] || die "BENCH_THREADS '$BENCH_THREADS' must be a positive whole number"
! $needs_broker || [ -x "$MOSQUITTO_21" ] || die "mosquitto 2.1 not found at $MOSQUITTO_21 (run make deps)"
[[ ! "$BENCH_MODE" =~ ^(plugin|scale|idle|fleet-scale)$ ]] || [ -f "$CONN_PLUGIN" ] || die "plugin not found at $CONN_PLUGIN (run make build-conn)"
! $needs_broker || [ -x "$MQTT_LOAD" ] || die "mqtt-load not found at $MQTT_LOAD (run make build-load)"
[ -x "$CONN_SQL" ] || die "conn-sql not found at $CONN_SQL (run make build-load)"
[[ "$BENCH_REPLAY_SECONDS" =~ ^[1-9][0-9]*$ ]] || die "BENCH_REPLAY_SECONDS '$BENCH_REPLAY_SECONDS' must be a whole number of seconds"
[[ "$BENCH_REPLAY_BATCH" =~ ^[1-9][0-9]*$ ]] || die "BENCH_REPLAY_BATCH '$BENCH_REPLAY_BATCH' must be a positive whole number"
[ "$BENCH_MODE" = fleet ] || [ -n "$PGBENCH" ] || die "pgbench not found (apt-get install postgresql-contrib or postgresql-client)"
command -v psql >/dev/null || die "psql not found"

tmp="${BENCH_TMP:-$ROOT_DIR/.bench-tmp}"
# The scratch PostgreSQL lives where scripts/pg-scratch.sh puts it, not in $tmp (a clone the
# server's user may not enter); $tmp/pg-dir names it, so that a BENCH_REUSE_DATA run finds it.
pg_dir_note="$tmp/pg-dir"
pg_dir=""
if [ -f "$pg_dir_note" ]; then
    pg_dir="$(cat "$pg_dir_note")"
    bash scripts/pg-scratch.sh stop "$pg_dir" || true
fi
if [ -n "${BENCH_REUSE_DATA:-}" ]; then
    find "$tmp" -mindepth 1 -maxdepth 1 ! -name pg-dir -exec rm -rf {} + 2>/dev/null || true
else
    if [ -n "$pg_dir" ]; then bash scripts/pg-scratch.sh remove "$pg_dir" || true; fi
    pg_dir=""
    rm -rf "$tmp"
fi
mkdir -p "$tmp"
broker_pid=""
extra_pids=()  # the fleet mode's brokers, ingester and load loops
cleanup() {
    if [ -n "$broker_pid" ] && kill -0 "$broker_pid" 2>/dev/null; then kill -9 "$broker_pid" 2>/dev/null || true; fi
    local pid
    for pid in "${extra_pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
    if [ -n "$pg_dir" ] && [ -n "${BENCH_KEEP_TMP:-}" ]; then bash scripts/pg-scratch.sh stop "$pg_dir" || true
    elif [ -n "$pg_dir" ]; then bash scripts/pg-scratch.sh remove "$pg_dir" || true; fi
    if [ -z "${BENCH_KEEP_TMP:-}" ]; then rm -rf "$tmp"; fi
}
trap cleanup EXIT

if [ -z "$pg_dir" ] || [ ! -d "$pg_dir" ]; then
    pg_dir="$(bash scripts/pg-scratch.sh new bench)"
    echo "$pg_dir" >"$pg_dir_note"
fi
dsn="$(bash scripts/pg-scratch.sh start "$pg_dir")"
server_dsn="${dsn/dbname=mqtt/dbname=postgres}"
db_dsn() { echo "${dsn/dbname=mqtt/dbname=$1}"; }
sql() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -At -v ON_ERROR_STOP=1 "$1" -c "$2"; }
now() { date +%s.%N; }
# now_us: microseconds, without a process (the polling loops run on the CPUs they measure).
now_us() { echo "${EPOCHREALTIME/./}"; }
elapsed() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.3f}')" "$1" "$2"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# CPU accounting from /proc (clock ticks of user + system time, all threads of a process).
ticks_per_s="$(getconf CLK_TCK)"
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
ticks_to_us() { python3 -c "import sys; print(int(sys.argv[1]) * 1000000 // int(sys.argv[2]))" "$1" "$ticks_per_s"; }
# plugin_backend_pids DATABASE: the backends of the plugin's connections (not psql's).
plugin_backend_pids() {
    sql "$(db_dsn "$1")" "SELECT pid FROM pg_stat_activity WHERE datname = current_database()
        AND pid <> pg_backend_pid() AND backend_type = 'client backend' AND application_name <> 'psql'"
}
# backend_snapshot PIDS: "pid ticks" per backend. backend_delta BEFORE AFTER: the ticks the backends
# alive at the end used since BEFORE (a backend that started in between counts from 0; one that
# ended in between is not counted: its CPU is lost with its /proc entry).
backend_snapshot() {
    local pid
    for pid in $1; do [ -r "/proc/$pid/stat" ] && echo "$pid $(cpu_ticks "$pid")"; done
    return 0
}
backend_delta() {
    awk 'NR == FNR { before[$1] = $2; next } { total += $2 - (($1 in before) ? before[$1] : 0) } END { print total + 0 }' \
        <(echo "$1") <(echo "$2")
}

# poll_open DSN, poll SQL, poll_close: one psql session kept open for the drain and replay loops.
# A psql per poll costs ~50 ms of CPU (a process and a backend) and a count(*) of the whole history
# ~25 ms at 180,000 rows: polled every 20 ms, that took most of one of the two CPUs that the writer
# and PostgreSQL are measured on. A query through this session costs a round trip. poll prints the
# query's one value, or nothing if it failed (the server restarting, say).
poll_open() {
    coproc POLL { PGOPTIONS="-c client_min_messages=warning" psql -X -q -At "$1" 2>/dev/null; }
}
poll() {
    local line value=""
    printf '%s;\n\\echo __poll_end__\n' "$1" >&"${POLL[1]}" 2>/dev/null || return 0
    while IFS= read -r -t 10 line <&"${POLL[0]}"; do
        [ "$line" = __poll_end__ ] && break
        value="$line"
    done
    echo "$value"
}
poll_close() {
    local pid="${POLL_PID:-}"
    if [ -n "${POLL[1]:-}" ]; then eval "exec ${POLL[1]}>&-"; fi
    if [ -n "$pid" ]; then wait "$pid" 2>/dev/null || true; fi
}
# count_new_rows WHERE: sets $counted to the rows of client_conn_events matching WHERE since
# counter_reset, read incrementally (only rows after the highest id already seen). Exact where one connection writes, as
# the async writer does (its statements commit in id order); not for sync mode, whose broker thread
# writes on a spare connection beside the writer.
# $counted_all counts every row.
counter_reset() { counted=0; counted_all=0; counted_through=0; }
count_new_rows() {
    local result
    result="$(poll "SELECT count(*) FILTER (WHERE $1) || ' ' || count(*) || ' ' || coalesce(max(id), $counted_through)
        FROM client_conn_events WHERE id > $counted_through")"
    if [[ "$result" =~ ^([0-9]+)\ ([0-9]+)\ ([0-9]+)$ ]]; then
        counted=$((counted + BASH_REMATCH[1])); counted_all=$((counted_all + BASH_REMATCH[2]))
        counted_through="${BASH_REMATCH[3]}"
    fi
}

# paced_load FLAG PORT CYCLES PREFIX OUT ERR: while the file FLAG exists, one mqtt-load run of
# CYCLES cycles a second (client ids PREFIX-<round>-...), each run's JSON line appended to OUT.
# Live load or churn beside a phase; run it in the background and remove FLAG to end it.
paced_load() {
    local flag="$1" port="$2" cycles="$3" prefix="$4" out="$5" err="$6" round=0 began left
    while [ -f "$flag" ]; do
        round=$((round + 1))
        began="$(date +%s%N)"
        "$MQTT_LOAD" --port "$port" --threads 1 --cycles "$cycles" --prefix "$prefix-$round" >>"$out" 2>>"$err" || true
        left=$(((1000000000 - ($(date +%s%N) - began)) / 1000000))
        if [ "$left" -gt 0 ]; then sleep "$((left / 1000)).$(printf '%03d' $((left % 1000)))"; fi
    done
}

fresh_database() {
    sql "$server_dsn" "DROP DATABASE IF EXISTS $1 WITH (FORCE)"
    sql "$server_dsn" "CREATE DATABASE $1"
}

# start_broker NAME MODE DATABASE: one broker, logging to a file; MODE none|sync|async.
# broker_fixed_port (set) keeps the port (a restart); broker_extra_lines adds configuration lines.
start_broker() {
    local name="$1" mode="$2" database="${3:-}" dir="$tmp/$1"
    mkdir -p "$dir"
    broker_port="${broker_fixed_port:-$(free_port)}"
    {
        if [ -n "${broker_extra_lines:-}" ]; then printf '%s\n' "$broker_extra_lines"; fi
        echo "listener $broker_port 127.0.0.1"
        echo "allow_anonymous true"
        echo "log_dest file $dir/mosquitto.log"
        # No per-connection notice lines: the bench measures the plugin, not log I/O.
        echo "log_type error"
        echo "log_type warning"
        echo "log_type information"
        if [ "$(id -u)" -eq 0 ]; then echo "user root"; fi
        if [ "$mode" != none ]; then
            mkdir -p "$dir/spool"
            echo "plugin $CONN_PLUGIN"
            echo "plugin_opt_conn_pg_dsn $(db_dsn "$database")"
            echo "plugin_opt_conn_mode $mode"
            echo "plugin_opt_conn_spool_dir $dir/spool"
            echo "plugin_opt_conn_broker_id bench-$name"
            local option
            for option in $BENCH_PLUGIN_OPTS; do
                [[ "$option" == conn_*=* ]] || die "BENCH_PLUGIN_OPTS entry '$option' is not conn_<name>=<value>"
                echo "plugin_opt_${option%%=*} ${option#*=}"
            done
        fi
    } >"$dir/mosquitto.conf"
    "$MOSQUITTO_21" -c "$dir/mosquitto.conf" >"$dir/mosquitto.out" 2>&1 </dev/null &
    broker_pid=$!
    for _ in $(seq 300); do
        if grep -q "mosquitto version .* running" "$dir/mosquitto.log" 2>/dev/null \
            && ss -Hltn "sport = :$broker_port" | grep -q . && plugin_ready "$mode" "$database"; then
            return 0
        fi
        kill -0 "$broker_pid" 2>/dev/null || { tail -20 "$dir/mosquitto.log" "$dir/mosquitto.out" >&2; die "broker $name exited"; }
        sleep 0.05
    done
    tail -20 "$dir/mosquitto.log" >&2
    die "broker $name did not get ready within 15 s"
}

# plugin_ready MODE DATABASE: the plugin's writer is connected and has prepared its schema. Read from
# PostgreSQL, not from the broker log: the plugin's log lines reach the log only at the broker's next
# callback, which an idle broker may not make for seconds. In sync mode the plugin waits for commits
# only once its writer is up, so the load must not start earlier.
plugin_ready() {
    [ "$1" = none ] && return 0
    local state
    state="$(sql "$(db_dsn "$2")" "SELECT (SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
        AND pid <> pg_backend_pid()) > 0 AND to_regclass('client_conn_events_event_key_idx') IS NOT NULL")" || return 1
    [ "$state" = t ] || return 1
    # The writer marks itself up right after preparing the schema; give it that instant.
    sleep 0.2
}

stop_broker() {
    kill -TERM "$broker_pid" 2>/dev/null || true
    for _ in $(seq 300); do kill -0 "$broker_pid" 2>/dev/null || break; sleep 0.05; done
    if kill -0 "$broker_pid" 2>/dev/null; then kill -9 "$broker_pid"; fi
    wait "$broker_pid" 2>/dev/null || true
    broker_pid=""
}

# run_load NAME: mqtt-load against the running broker; prints its JSON line.
# The load's own CPU (user + system seconds, bash's `time`) goes to $tmp/NAME/load.cpu.
run_load() {
    local out TIMEFORMAT='%U %S'
    { time "$MQTT_LOAD" --port "$broker_port" --threads "$BENCH_THREADS" --seconds "$BENCH_SECONDS" \
        --protocol "$BENCH_PROTOCOL" --prefix "bench-$1" >"$tmp/$1/load.out" 2>"$tmp/$1/load.err"; } 2>"$tmp/$1/load.cpu" || true
    out="$(cat "$tmp/$1/load.out")"
    [ -n "$out" ] || { cat "$tmp/$1/load.err" >&2; die "mqtt-load printed nothing in phase $1"; }
    if [ -s "$tmp/$1/load.err" ]; then echo "bench: $1: $(cat "$tmp/$1/load.err")" >&2; fi
    echo "$out"
}
# load_cpu_us NAME: the load's CPU microseconds in phase NAME.
load_cpu_us() { awk '{ printf "%d", ($1 + $2) * 1000000 }' "$tmp/$1/load.cpu"; }

# Every mode runs in this shell, with the helpers above: scripts/bench-<mode>.sh (plugin: the
# default, the phases in the header).
source "scripts/bench-$BENCH_MODE.sh"
exit 0
