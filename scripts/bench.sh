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

# plugin_phase MODE: a fresh database, a broker with the plugin, the load, then the drain;
# writes .bench-tmp/MODE/result.json. Runs in this shell (not $(...)) so the EXIT trap sees the broker.
plugin_phase() {
    local mode="$1" database="bench_$1"
    fresh_database "$database"
    start_broker "$mode" "$mode" "$database"
    local before load cycles expected found start drained="" after pids broker_before pg_before
    before="$(rss_kb "$broker_pid")"
    pids="$(plugin_backend_pids "$database")"
    broker_before="$(cpu_ticks "$broker_pid")"
    pg_before="$(backend_snapshot "$pids")"
    echo "bench: $mode: ${BENCH_SECONDS} s of load against the broker with the plugin in $mode mode" >&2
    poll_open "$(db_dsn "$database")"
    counter_reset
    load="$(run_load "$mode")"
    start="$(now_us)"
    cycles="$(jq -r .cycles <<<"$load")"
    expected=$((cycles * 2))
    while true; do
        if [ "$mode" = async ]; then
            count_new_rows true; found="$counted"
        else
            found="$(poll "SELECT count(*) FROM client_conn_events")"
        fi
        if [ "${found:-0}" -ge "$expected" ]; then drained="$(( $(now_us) - start ))"; break; fi
        if [ $(( $(now_us) - start )) -ge $((DRAIN_LIMIT_S * 1000000)) ]; then break; fi
        sleep 0.05
    done
    poll_close
    if [ -n "$drained" ]; then drained="$(printf '%d.%06d' $((drained / 1000000)) $((drained % 1000000)))"; fi
    after="$(rss_kb "$broker_pid")"
    # CPU of the load and the drain: the broker's process (its thread and the plugin's writer) and the
    # plugin's PostgreSQL backends.
    local broker_us pg_us
    broker_us="$(ticks_to_us $(($(cpu_ticks "$broker_pid") - broker_before)))"
    pg_us="$(ticks_to_us "$(backend_delta "$pg_before" "$(backend_snapshot "$(plugin_backend_pids "$database")")")")"
    stop_broker
    local summary written dropped
    # The plugin's last line: "conn-plugin: stopped. events.dead_lettered=0 events.dropped=0 ...".
    summary="$(grep -o 'conn-plugin: stopped\. .*' "$tmp/$mode/mosquitto.log" | tail -n1 || true)"
    written="$(sed -n 's/.* events\.written=\([0-9]*\).*/\1/p' <<<"$summary")"
    dropped="$(sed -n 's/.* events\.dropped=\([0-9]*\).*/\1/p' <<<"$summary")"
    # Rows counted after the broker stopped too: nothing may arrive late or twice.
    found="$(sql "$(db_dsn "$database")" "SELECT count(*) FROM client_conn_events")"
    jq -c --argjson expected "$expected" --argjson found "$found" --argjson before "${before:-0}" \
        --argjson after "${after:-0}" --arg drained "$drained" --argjson written "${written:-null}" \
        --argjson dropped "${dropped:-null}" --argjson limit "$DRAIN_LIMIT_S" \
        --argjson broker_us "$broker_us" --argjson pg_us "$pg_us" --argjson load_us "$(load_cpu_us "$mode")" \
        '. + {rows_expected: $expected, rows_found: $found, lost: ([$expected - $found, 0] | max),
             extra_rows: ([$found - $expected, 0] | max),
             drain_s: (if $drained == "" then null else ($drained | tonumber) end), drain_limit_s: $limit,
             rss_before_kb: $before, rss_after_kb: $after, events_written: $written, events_dropped: $dropped,
             cpu_us_per_cycle: {broker: ($broker_us / ([.cycles, 1] | max)), postgres: ($pg_us / ([.cycles, 1] | max)),
                                load: ($load_us / ([.cycles, 1] | max))}}' \
        <<<"$load" >"$tmp/$mode/result.json"
}

if [ "$BENCH_MODE" = fleet ]; then
    source scripts/bench-fleet.sh
    exit 0
fi
if [ "$BENCH_MODE" = idle ] || [ "$BENCH_MODE" = history ] || [ "$BENCH_MODE" = retention ] \
    || [ "$BENCH_MODE" = scale ] || [ "$BENCH_MODE" = fleet-scale ]; then
    source "scripts/bench-$BENCH_MODE.sh"
    exit 0
fi

echo "bench: PostgreSQL at $dsn; mosquitto at $MOSQUITTO_21; $BENCH_THREADS threads, $BENCH_SECONDS s per phase" >&2

# 1. No plugin.
start_broker none none
none_before="$(rss_kb "$broker_pid")"
none_broker_before="$(cpu_ticks "$broker_pid")"
echo "bench: none: ${BENCH_SECONDS} s of load against the broker without the plugin" >&2
none="$(run_load none)"
none_broker_us="$(ticks_to_us $(($(cpu_ticks "$broker_pid") - none_broker_before)))"
none="$(jq -c --argjson b "$none_before" --argjson a "$(rss_kb "$broker_pid")" --argjson broker_us "$none_broker_us" \
    --argjson load_us "$(load_cpu_us none)" \
    '. + {rss_before_kb: $b, rss_after_kb: $a,
          cpu_us_per_cycle: {broker: ($broker_us / ([.cycles, 1] | max)), postgres: 0, load: ($load_us / ([.cycles, 1] | max))}}' <<<"$none")"
stop_broker

# The baselines (5. above): the limits of this PostgreSQL for the plugin's statements, one connection (pgbench -c1 -j1):
#    seed 000's write and the plugin's write one event per statement (a transaction each), and the
#    plugin's write in replay-sized batches. The scripts come from bin/conn-sql (the plugin's own SQL
#    and parameter encoding). Each baseline runs right after the phase it is the limit of (seed's
#    write after sync mode, the batch write after the replay): this machine's disk and CPUs change
#    speed over minutes, and a ratio of two figures taken minutes apart carried that drift.
fresh_database bench_pgbench
PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 "$(db_dsn bench_pgbench)" \
    -f schema/001_conn_plugin.sql -f schema/002_conn_plugin_keys.sql -f schema/003_presence.sql
# server_cpu_ticks: the CPU of the whole scratch server (postmaster, its backends and its background
# processes: WAL writer, checkpointer), for what a statement costs PostgreSQL beyond one backend. The
# postmaster's cutime + cstime hold the backends that ended (pgbench's own ends with the run).
server_cpu_ticks() {
    local postmaster pid total
    postmaster="$(head -1 "$pg_dir/data/postmaster.pid" 2>/dev/null)" || { echo 0; return 0; }
    total="$(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$postmaster/stat" 2>/dev/null || echo 0)"
    for pid in $(pgrep -P "$postmaster"); do total=$((total + $(cpu_ticks "$pid"))); done
    echo "$total"
}
# pgbench_run NAME SCRIPT EVENTS_PER_RUN: prints {events_per_s, latency_ms, seconds, postgres_us_per_event}.
pgbench_run() {
    local name="$1" script="$2" per_run="$3" tps latency before pg_us
    echo "bench: pgbench: ${BENCH_PG_SECONDS} s of $name" >&2
    before="$(server_cpu_ticks)"
    # The plugin's session settings (sql/configure_session.sql: generic plans).
    PGOPTIONS="-c plan_cache_mode=force_generic_plan" \
        "$PGBENCH" -n -M prepared -c1 -j1 -T "$BENCH_PG_SECONDS" -f "$script" "$(db_dsn bench_pgbench)" \
        >"$tmp/pgbench-$name.out" 2>&1 || { cat "$tmp/pgbench-$name.out" >&2; die "pgbench ($name) failed"; }
    # pgbench's backend is still exiting when pgbench has: read the server once the postmaster has
    # reaped it (read in between, its CPU is in neither the children nor the postmaster's cutime).
    sleep 0.5
    pg_us="$(ticks_to_us $(($(server_cpu_ticks) - before)))"
    tps="$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$tmp/pgbench-$name.out")"
    latency="$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' "$tmp/pgbench-$name.out")"
    [ -n "$tps" ] || { cat "$tmp/pgbench-$name.out" >&2; die "pgbench ($name) printed no tps"; }
    jq -nc --argjson tps "$tps" --argjson latency "$latency" --argjson seconds "$BENCH_PG_SECONDS" \
        --argjson per_run "$per_run" --argjson pg_us "$pg_us" \
        '{events_per_s: ($tps * $per_run), latency_ms: $latency, seconds: $seconds,
          events_per_write: (if $per_run == 2 then 1 else $per_run end),
          postgres_us_per_event: ($pg_us / ([$tps * $per_run * $seconds, 1] | max) * 10 | round / 10)}'
}
# pgbench_mean RUN RUN: one baseline from two runs of the same script (pgbench_run's JSON): the mean
# of their rates and CPU per event, and both rates.
pgbench_mean() {
    jq -nc --argjson a "$1" --argjson b "$2" \
        '$a + {events_per_s: (($a.events_per_s + $b.events_per_s) / 2),
               postgres_us_per_event: (($a.postgres_us_per_event + $b.postgres_us_per_event) / 2 * 10 | round / 10),
               runs_events_per_s: [$a.events_per_s, $b.events_per_s], seconds: ($a.seconds + $b.seconds)}'
}
"$CONN_SQL" pgbench-script --write seed >"$tmp/pgbench-seed.sql"
"$CONN_SQL" pgbench-script --write events >"$tmp/pgbench-events.sql"
"$CONN_SQL" pgbench-script --write events --events "$BENCH_REPLAY_BATCH" >"$tmp/pgbench-batch.sql"
"$CONN_SQL" pgbench-script --write seed --events "$BENCH_REPLAY_BATCH" >"$tmp/pgbench-seed-batch.sql"
# 2, 3. The plugin in both modes. Each ratio's baseline brackets its phase: seed 000's limit runs
# right before and right after sync mode, the broker without the plugin once before the plugin's
# phases and once right after async mode, and each ratio takes the mean of its two runs. This
# machine drifts over minutes, so a baseline measured on one side only moved a ratio by up to a
# third. Presence's A/B runs right after sync mode.
pgbench_seed_before="$(pgbench_run seed-before "$tmp/pgbench-seed.sql" 2)"
plugin_phase sync
pgbench_seed="$(pgbench_mean "$pgbench_seed_before" "$(pgbench_run seed "$tmp/pgbench-seed.sql" 2)")"
pgbench_events="$(pgbench_run events "$tmp/pgbench-events.sql" 2)"
plugin_phase async
# What async mode left for PostgreSQL to write back goes to disk now, not during the baseline.
sql "$server_dsn" "CHECKPOINT"
start_broker none-after none
echo "bench: none: ${BENCH_SECONDS} s of load against the broker without the plugin, again" >&2
none_after="$(run_load none-after)"
stop_broker
none="$(jq -c --argjson after "$none_after" \
    '. + {cycles_per_s: ((.cycles_per_s + $after.cycles_per_s) / 2 * 10 | round / 10),
          runs_cycles_per_s: [.cycles_per_s, $after.cycles_per_s], errors: (.errors + $after.errors)}' <<<"$none")"
sync_result="$(cat "$tmp/sync/result.json")"
async_result="$(cat "$tmp/async/result.json")"

# 4. Replay: events spooled while PostgreSQL is stopped, then the catch-up with live load going on.
# Where the two CPUs go during the catch-up: replay_cpu_snapshot DATABASE LIVE_PID prints one JSON
# object of clock ticks (the machine's busy and total from /proc/stat, the broker's thread, the
# broker's process, the plugin's PostgreSQL backends, the live load), replay_cpu_summary FIRST DONE
# SECONDS REPLAYED WRITTEN turns two of them into CPU seconds per second of the catch-up and µs per
# row written in it (replayed and live: the same writer and backend store both).
replay_cpu_snapshot() {
    local machine backends
    machine="$(awk '/^cpu / { busy = $2 + $3 + $4 + $7 + $8 + $9; print busy, busy + $5 + $6 }' /proc/stat)"
    backends="$(backend_snapshot "$(plugin_backend_pids "$1")" | awk '{ t += $2 } END { print t + 0 }')"
    jq -nc --argjson busy "${machine% *}" --argjson total "${machine#* }" \
        --argjson broker_thread "$(awk '{ print $14 + $15 }' "/proc/$broker_pid/task/$broker_pid/stat" 2>/dev/null || echo 0)" \
        --argjson broker "$(cpu_ticks "$broker_pid")" --argjson postgres "$backends" --argjson live_load "$(cpu_ticks "$2")" \
        '{busy: $busy, total: $total, broker_thread: $broker_thread, broker: $broker, postgres: $postgres, live_load: $live_load}'
}
replay_cpu_summary() {
    jq -nc --argjson a "$1" --argjson b "$2" --argjson seconds "$3" --argjson replayed "$4" --argjson written "$5" \
        --argjson hz "$ticks_per_s" '
        def cpu_s(k): (($b[k] - $a[k]) / $hz);
        def per_s(x): (x / $seconds * 100 | round / 100);
        def us_per_row(x): (x * 1000000 / ([$written, 1] | max) * 10 | round / 10);
        (cpu_s("broker") - cpu_s("broker_thread")) as $writer
        | {cpus_busy: per_s(($b.busy - $a.busy) / $hz),
           cpus_busy_of: (($b.total - $a.total) / $hz / $seconds | round),
           cpu_s_per_s: {broker_thread: per_s(cpu_s("broker_thread")), writer: per_s($writer),
                         postgres: per_s(cpu_s("postgres")), live_load: per_s(cpu_s("live_load"))},
           rows: {replayed: $replayed, live: ($written - $replayed)},
           us_per_row_written: {writer: us_per_row($writer), postgres: us_per_row(cpu_s("postgres"))}}'
}
replay_phase() {
    local database=bench_replay dir="$tmp/replay"
    fresh_database "$database"
    start_broker replay async "$database"
    echo "bench: replay: PostgreSQL stopped, ${BENCH_REPLAY_SECONDS} s of load go to the plugin's spool" >&2
    bash scripts/pg-scratch.sh stop "$pg_dir"
    local outage_load cycles expected
    outage_load="$("$MQTT_LOAD" --port "$broker_port" --threads "$BENCH_THREADS" --seconds "$BENCH_REPLAY_SECONDS" \
        --protocol "$BENCH_PROTOCOL" --prefix bench-spooled 2>"$dir/load.err")" || true
    cycles="$(jq -r .cycles <<<"$outage_load")"
    expected=$((cycles * 2))
    # Let the writer move what is still in memory to the spool (it does so within its backoff).
    sleep 1
    bash scripts/pg-scratch.sh start "$pg_dir" >/dev/null
    echo "bench: replay: PostgreSQL back; replaying $expected events with 1 live load thread going on" >&2
    "$MQTT_LOAD" --port "$broker_port" --threads 1 --seconds 130 --protocol "$BENCH_PROTOCOL" --prefix bench-live \
        >"$dir/live.out" 2>"$dir/live.err" &
    local live_pid=$!
    extra_pids+=("$live_pid")
    local first_at="" first_count=0 first_all=0 done_at="" start cpu_first="" cpu_done=""
    poll_open "$(db_dsn "$database")"
    counter_reset
    start="$(now_us)"
    while true; do
        count_new_rows "client_id LIKE 'bench-spooled-%'"
        if [ -z "$first_at" ] && [ "$counted" -gt 0 ]; then
            first_at="$(now_us)"; first_count="$counted"; first_all="$counted_all"
            cpu_first="$(replay_cpu_snapshot "$database" "$live_pid")"
        fi
        if [ "$counted" -ge "$expected" ]; then
            done_at="$(now_us)"; cpu_done="$(replay_cpu_snapshot "$database" "$live_pid")"; break
        fi
        if [ $(( $(now_us) - start )) -ge 120000000 ]; then break; fi
        sleep 0.05
    done
    poll_close
    kill "$live_pid" 2>/dev/null || true
    wait "$live_pid" 2>/dev/null || true
    stop_broker
    local rate=null replay_s=null found extra inversions cpu=null
    if [ -n "$done_at" ] && [ -n "$first_at" ] && [ "$done_at" -gt "$first_at" ]; then
        replay_s="$(printf '%d.%06d' $(((done_at - first_at) / 1000000)) $(((done_at - first_at) % 1000000)))"
        rate="$(python3 -c "import sys; print(round((int(sys.argv[2]) - int(sys.argv[3])) / float(sys.argv[1]), 1))" \
            "$replay_s" "$expected" "$first_count")"
        cpu="$(replay_cpu_summary "$cpu_first" "$cpu_done" "$replay_s" $((expected - first_count)) $((counted_all - first_all)))"
    fi
    found="$(sql "$(db_dsn "$database")" "SELECT count(*) FROM client_conn_events WHERE client_id LIKE 'bench-spooled-%'")"
    extra="$(sql "$(db_dsn "$database")" "SELECT count(*) - count(DISTINCT extra->>'event_key') FROM client_conn_events")"
    # FIFO: within one run of the broker, rows are stored in the order the plugin numbered them.
    inversions="$(sql "$(db_dsn "$database")" "SELECT count(*) FROM (SELECT (extra->>'seq')::bigint AS seq,
        lag((extra->>'seq')::bigint) OVER (PARTITION BY extra->>'boot_id' ORDER BY id) AS previous
        FROM client_conn_events) o WHERE seq < previous")"
    jq -nc --argjson events "$expected" --argjson found "$found" --argjson rate "$rate" --argjson seconds "$replay_s" \
        --argjson extra "$extra" --argjson inversions "$inversions" \
        --argjson cpu "$cpu" \
        '{events: $events, events_per_s: $rate, seconds: $seconds, live_threads: 1, lost: ([$events - $found, 0] | max),
          extra: $extra, order_inversions: $inversions, cpu: $cpu}' >"$dir/result.json"
}
replay_phase
replay_result="$(cat "$tmp/replay/result.json")"
# The replay's limit, right after it.
pgbench_batch="$(pgbench_run batch "$tmp/pgbench-batch.sql" "$BENCH_REPLAY_BATCH")"
# Seed 000's rows alone in batches: the least PostgreSQL CPU per event of any design that stores them
# with this statement (the async bound in docs/performance.md).
pgbench_seed_batch="$(pgbench_run seed-batch "$tmp/pgbench-seed-batch.sql" "$BENCH_REPLAY_BATCH")"
pgbench_result="$(jq -nc --argjson seed "$pgbench_seed" --argjson events "$pgbench_events" --argjson batch "$pgbench_batch" \
    --argjson seed_batch "$pgbench_seed_batch" '{seed: $seed, events: $events, batch: $batch, seed_batch: $seed_batch}')"



cpu="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
mem_mb="$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo)"
commit="$(git -C "$ROOT_DIR" rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [ -n "$(git -C "$ROOT_DIR" status --porcelain --untracked-files=no 2>/dev/null)" ]; then commit="$commit+changes"; fi
jq -n --argjson none "$none" --argjson sync "$sync_result" --argjson async "$async_result" \
    --argjson replay "$replay_result" --arg fsync "$PG_FSYNC" --arg commit "$commit" \
    --argjson pgbench "$pgbench_result" --argjson threads "$BENCH_THREADS" --argjson seconds "$BENCH_SECONDS" \
    --argjson nproc "$(nproc)" --arg cpu "$cpu" --argjson mem "$mem_mb" --arg opts "$BENCH_PLUGIN_OPTS" \
    '{none: $none, sync: $sync, async: $async, replay: $replay, pgbench: $pgbench, threads: $threads,
      seconds: $seconds, fsync: $fsync, commit: $commit,
      plugin_opts: $opts,
      machine: {nproc: $nproc, cpu: $cpu, mem_mb: $mem}}' >"$tmp/results.json"
python3 scripts/bench-tools.py report "$tmp/results.json"
