# Sourced by scripts/bench.sh for `BENCH_MODE=scale make bench`: what recording costs as the work
# grows, in one run against one scratch PostgreSQL (fsync off) and one mosquitto 2.1 at a time.
#
#   1. CPU per event: the short-connection load of `make bench` (BENCH_THREADS threads,
#      BENCH_SECONDS s) against a broker without the plugin, with it in sync and in async mode;
#      utime + stime from /proc/<pid>/stat of the broker process and of the PostgreSQL backends
#      serving the plugin (pg_stat_activity of the phase's database), from the start of the load
#      until every row is stored, divided by the events recorded (2 per cycle).
#   2. Catch-up after an outage: PostgreSQL is stopped, BENCH_REPLAY_EVENTS events (default
#      1,000,000) are made by load and go to the plugin's spool; PostgreSQL is started again while
#      live load (BENCH_SCALE_LIVE_RATE cycles/s, default 250) keeps arriving; the replay rate is
#      the outage's events over the time from the first row stored to the last outage row stored,
#      against pgbench's rate for the same write (both statements) with the replay's batch size
#      (4 x conn_batch_size) in the same run. Then: exactly once (rows = 2 x cycles, one per event
#      key) and in order (row ids follow the plugin's sequence; each client's connect before its
#      disconnect), for outage and live events alike.
#   3. Connected clients: for each size in BENCH_SCALE_SIZES (default "1000 10000 BENCH_SCALE_CLIENTS",
#      BENCH_SCALE_CLIENTS default 50,000), a broker without and one with the plugin (async) get that
#      many held connections (mqtt-load --hold, keepalive 0, from 127.0.0.2.. so that the ephemeral
#      ports suffice); then SIGTERM with all connected, a restart on the same port and the reconnect
#      storm, and SIGTERM again. Measured: broker RSS growth (with minus without the plugin, per
#      client), CONNACK p50/p99 of both storms, time until every connect row of the storm is stored,
#      time from SIGTERM until the broker exited and every shutdown disconnect is stored, against
#      the broker's own stop time without the plugin.
#
# Needs an open-file limit above the largest size for the broker and mqtt-load: raised here with
# `ulimit -n` (as root, the hard limit too), and mosquitto gets `max_connections -1`.
#
# Uses bench.sh's $tmp, $pg_dir, $dsn, sql, now, elapsed, free_port, rss_kb, fresh_database, paced_load, start_broker,
# stop_broker, run_load, die, extra_pids.

SCALE_CLIENTS="${BENCH_SCALE_CLIENTS:-50000}"
SCALE_SIZES="${BENCH_SCALE_SIZES:-1000 10000 $SCALE_CLIENTS}"
REPLAY_EVENTS="${BENCH_REPLAY_EVENTS:-1000000}"
LIVE_RATE="${BENCH_SCALE_LIVE_RATE:-250}"
for setting in SCALE_CLIENTS REPLAY_EVENTS LIVE_RATE; do
    [[ "${!setting}" =~ ^[1-9][0-9]*$ ]] || die "BENCH_${setting/SCALE_/SCALE_} '${!setting}' must be a positive whole number"
done
for size in $SCALE_SIZES; do
    [[ "$size" =~ ^[1-9][0-9]*$ ]] || die "BENCH_SCALE_SIZES entry '$size' must be a positive whole number"
done
# Sizes in increasing order, without repeats; the largest gives the headline figures.
SCALE_SIZES="$(tr ' ' '\n' <<<"$SCALE_SIZES" | grep . | sort -n -u | tr '\n' ' ')"
largest="$(tr ' ' '\n' <<<"$SCALE_SIZES" | grep . | tail -n1)"
batch_size=500
for option in $BENCH_PLUGIN_OPTS; do
    if [[ "$option" == conn_batch_size=* ]]; then batch_size="${option#*=}"; fi
done
replay_batch=$((batch_size * 4))

scale="$tmp/scale"
mkdir -p "$scale"

# The open-file limit: every held client is one descriptor in the broker and one in mqtt-load (plus
# a few dozen: listener, log, the plugin's PostgreSQL connections and spool).
need_files=$((largest + 256))
if [ "$(ulimit -Hn)" != unlimited ] && [ "$(ulimit -Hn)" -lt "$need_files" ]; then
    ulimit -Hn "$need_files" 2>/dev/null \
        || die "$largest clients need an open-file limit of $need_files, the hard limit is $(ulimit -Hn) and cannot be raised here (root without CAP_SYS_RESOURCE, or not root: raise nofile in /etc/security/limits.conf or the container's ulimit); or set BENCH_SCALE_CLIENTS below $(($(ulimit -Hn) - 256))"
fi
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$need_files" ]; then
    ulimit -n "$need_files" || die "cannot raise the open-file limit to $need_files"
fi

echo "bench: scale: sizes $SCALE_SIZES; $REPLAY_EVENTS outage events; open-file limit $(ulimit -n);" \
    "PostgreSQL at $dsn" >&2

# --- 1. CPU per event ------------------------------------------------------------------------

# cpu_ticks, ticks_to_us, plugin_backend_pids, backend_snapshot, backend_delta: scripts/bench.sh.

# cpu_phase MODE: the load against a broker in MODE (none, sync, async); writes $scale/cpu-MODE.json.
cpu_phase() {
    local mode="$1" database="scale_cpu_$1" pids="" broker_before pg_before load cycles expected found start
    if [ "$mode" = none ]; then
        start_broker "cpu-$mode" none
    else
        fresh_database "$database"
        start_broker "cpu-$mode" "$mode" "$database"
        pids="$(plugin_backend_pids "$database")"
    fi
    broker_before="$(cpu_ticks "$broker_pid")"
    pg_before="$(backend_snapshot "$pids")"
    echo "bench: scale: cpu $mode: ${BENCH_SECONDS} s of load" >&2
    load="$(run_load "cpu-$mode")"
    cycles="$(jq -r .cycles <<<"$load")"
    expected=$((cycles * 2))
    if [ "$mode" != none ]; then
        start="$(now)"
        while true; do
            found="$(sql "$(db_dsn "$database")" "SELECT count(*) FROM client_conn_events")"
            [ "$found" -ge "$expected" ] && break
            [ "$(elapsed "$start" "$(now)" | cut -d. -f1)" -ge 30 ] && break
            sleep 0.05
        done
    fi
    local broker_ticks pg_ticks
    broker_ticks=$(($(cpu_ticks "$broker_pid") - broker_before))
    if [ "$mode" != none ]; then pids="$(plugin_backend_pids "$database")"; fi
    pg_ticks="$(backend_delta "$pg_before" "$(backend_snapshot "$pids")")"
    stop_broker
    found=0
    if [ "$mode" != none ]; then found="$(sql "$(db_dsn "$database")" "SELECT count(*) FROM client_conn_events")"; fi
    jq -c --argjson events "$expected" --argjson found "$found" --argjson broker_us "$(ticks_to_us "$broker_ticks")" \
        --argjson pg_us "$(ticks_to_us "$pg_ticks")" --arg mode "$mode" --arg pids "$pids" \
        '. + {mode: $mode, events: $events, rows_found: $found, broker_cpu_us: $broker_us, pg_cpu_us: $pg_us,
              pg_backends: ($pids | split("\n") | map(select(. != "")) | length),
              broker_us_per_event: ($broker_us / $events), pg_us_per_event: ($pg_us / $events)}' \
        <<<"$load" >"$scale/cpu-$mode.json"
}

cpu_phase none
cpu_phase sync
cpu_phase async

# --- 2. Catch-up after an outage -------------------------------------------------------------

echo "bench: scale: replay: PostgreSQL stopped, $REPLAY_EVENTS events to the spool" >&2
fresh_database scale_replay
replay_dsn="$(db_dsn scale_replay)"
# The spool must hold the whole outage (about 0.3 kB per event).
saved_opts="$BENCH_PLUGIN_OPTS"
BENCH_PLUGIN_OPTS="conn_spool_max_mb=$((REPLAY_EVENTS / 2000 + 64)) $BENCH_PLUGIN_OPTS"
start_broker replay async scale_replay
BENCH_PLUGIN_OPTS="$saved_opts"
bash scripts/pg-scratch.sh stop "$pg_dir"
outage="$("$MQTT_LOAD" --port "$broker_port" --threads "$BENCH_THREADS" --cycles $((REPLAY_EVENTS / 2)) \
    --prefix outage 2>"$scale/outage-load.err")" || true
[ -n "$outage" ] || { cat "$scale/outage-load.err" >&2; die "mqtt-load printed nothing for the outage"; }
outage_cycles="$(jq -r .cycles <<<"$outage")"
outage_events=$((outage_cycles * 2))
# Live load from now on: one short mqtt-load run a second; the runs' lines go to live.jsonl.
touch "$scale/live.run"
paced_load "$scale/live.run" "$broker_port" "$LIVE_RATE" live "$scale/live.jsonl" "$scale/live.err" &
live_pid=$!
extra_pids+=("$live_pid")
sleep 2
spool_bytes="$(du -sb "$tmp/replay/spool" | cut -f1)"
echo "bench: scale: replay: $outage_events events spooled ($spool_bytes bytes); starting PostgreSQL" >&2
pg_started="$(now)"
bash scripts/pg-scratch.sh start "$pg_dir" >/dev/null
first_row="" replay_done=""
while true; do
    top="$(sql "$replay_dsn" "SELECT coalesce(max(id), 0) FROM client_conn_events")"
    if [ -z "$first_row" ] && [ "$top" -gt 0 ]; then first_row="$(now)"; fi
    if [ "$top" -ge "$outage_events" ]; then
        stored="$(sql "$replay_dsn" "SELECT count(*) FROM client_conn_events WHERE client_id >= 'outage-' AND client_id < 'outage.'")"
        if [ "$stored" -ge "$outage_events" ]; then replay_done="$(now)"; break; fi
    fi
    [ "$(elapsed "$pg_started" "$(now)" | cut -d. -f1)" -ge 600 ] && break
    sleep 0.25
done
rm -f "$scale/live.run"
wait "$live_pid" 2>/dev/null || true
live_cycles="$(jq -s 'map(.cycles) | add // 0' "$scale/live.jsonl")"
expected_rows=$(((outage_cycles + live_cycles) * 2))
# The live events that arrived during the replay are behind it in the spool: wait for them too
# (up to 10 minutes) before the checks, or they would count as lost.
settle_start="$(now)"
while [ "$(sql "$replay_dsn" "SELECT count(*) FROM client_conn_events")" -lt "$expected_rows" ]; do
    [ "$(elapsed "$settle_start" "$(now)" | cut -d. -f1)" -ge 600 ] && break
    sleep 0.5
done
stop_broker
replay_checks="$(sql "$replay_dsn" "
    SELECT json_build_object(
        'rows', (SELECT count(*) FROM client_conn_events),
        'distinct_keys', (SELECT count(DISTINCT extra->>'event_key') FROM client_conn_events),
        'clients', (SELECT count(DISTINCT client_id) FROM client_conn_events),
        'clients_in_order', (SELECT count(*) FROM (SELECT client_id FROM client_conn_events GROUP BY client_id
            HAVING count(*) = 2
               AND min(id) FILTER (WHERE event_type = 'connect') < min(id) FILTER (WHERE event_type = 'disconnect')) c),
        'sequence_inversions', (SELECT count(*) FROM (SELECT (extra->>'seq')::bigint AS seq,
            lag((extra->>'seq')::bigint) OVER (ORDER BY id) AS previous FROM client_conn_events) s
            WHERE seq < previous),
        'replayed', (SELECT count(*) FROM client_conn_events WHERE (extra->>'replayed')::boolean))")"

echo "bench: scale: pgbench: ${BENCH_PG_SECONDS} s of the plugin's write with $replay_batch events per write" >&2
fresh_database scale_pgbench_batch
psql -X -q -v ON_ERROR_STOP=1 "$(db_dsn scale_pgbench_batch)" -f schema/001_conn_plugin.sql \
    -f schema/002_conn_plugin_keys.sql -f schema/003_presence.sql
"$CONN_SQL" pgbench-script --write events --events "$replay_batch" >"$scale/pgbench-batch.sql"
"$PGBENCH" -n -M prepared -c1 -j1 -T "$BENCH_PG_SECONDS" -f "$scale/pgbench-batch.sql" "$(db_dsn scale_pgbench_batch)" \
    >"$scale/pgbench-batch.out" 2>&1 || { cat "$scale/pgbench-batch.out" >&2; die "pgbench (batch) failed"; }
batch_tps="$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$scale/pgbench-batch.out")"
[ -n "$batch_tps" ] || { cat "$scale/pgbench-batch.out" >&2; die "pgbench (batch) printed no tps"; }
jq -n --argjson outage "$outage" --argjson outage_events "$outage_events" --argjson live_cycles "$live_cycles" \
    --argjson expected "$expected_rows" --argjson checks "$replay_checks" --argjson spool_bytes "$spool_bytes" \
    --arg first "$first_row" --arg done "$replay_done" --arg pg_started "$pg_started" \
    --argjson batch "$replay_batch" --argjson tps "$batch_tps" --argjson live_rate "$LIVE_RATE" \
    '{outage_load: $outage, outage_events: $outage_events, live_cycles: $live_cycles, live_rate: $live_rate,
      expected_rows: $expected, checks: $checks, spool_bytes: $spool_bytes, batch: $batch,
      batch_limit_events_per_s: ($tps * $batch),
      first_row_after_s: (if $first == "" then null else (($first | tonumber) - ($pg_started | tonumber)) end),
      replay_s: (if $done == "" or $first == "" then null else (($done | tonumber) - ($first | tonumber)) end)}
     | .replay_events_per_s = (if .replay_s then $outage_events / .replay_s else null end)' >"$scale/replay.json"

# --- 3. Connected clients --------------------------------------------------------------------

# Within the ephemeral port range, ~28,000 connections per source address to one broker port in theory;
# bind() with port 0 got stuck at ~16,300 on one address in practice: one address per 10,000.
source_addresses() { echo $(($1 / 10000 + 1)); }
wait_line() {  # wait_line FILE EVENT ROUND LIMIT_S: the load's line for that step, or die
    local file="$1" event="$2" round="$3" limit="$4" start line
    start="$(now)"
    while true; do
        line="$(jq -c --arg e "$event" --argjson r "$round" 'select(.event == $e and .round == $r)' "$file" 2>/dev/null | head -n1)"
        if [ -n "$line" ]; then echo "$line"; return 0; fi
        kill -0 "$hold_pid" 2>/dev/null || { cat "$file" "$file.err" >&2; die "mqtt-load --hold exited early"; }
        [ "$(elapsed "$start" "$(now)" | cut -d. -f1)" -ge "$limit" ] && { cat "$file.err" >&2; die "no $event line (round $round) from mqtt-load within $limit s"; }
        sleep 0.05
    done
}
count_rows() {  # count_rows DATABASE PREFIX TYPE
    sql "$(db_dsn "$1")" "SELECT count(*) FROM client_conn_events WHERE event_type = '$3'
        AND client_id >= '$2-' AND client_id < '$2.'"
}
# wait_rows DATABASE PREFIX TYPE COUNT LIMIT_S: prints the time the count was reached (the time of
# the query that first saw it), or "". Bash's own clock: no process per poll besides psql.
wait_rows() {
    local start="$EPOCHREALTIME" asked
    while true; do
        asked="$EPOCHREALTIME"
        [ "$(count_rows "$1" "$2" "$3")" -ge "$4" ] && { echo "$asked"; return 0; }
        [ $(( ${EPOCHREALTIME%.*} - ${start%.*} )) -ge "$5" ] && { echo ""; return 0; }
        sleep 0.02
    done
}
# terminate_broker: SIGTERM; sets terminate_s to the seconds until the process exited. Runs in this
# shell (not $(...)), so broker_pid is cleared for the EXIT trap.
terminate_broker() {
    local start
    start="$(now)"
    kill -TERM "$broker_pid"
    while kill -0 "$broker_pid" 2>/dev/null; do
        [ "$(elapsed "$start" "$(now)" | cut -d. -f1)" -ge 120 ] && { kill -9 "$broker_pid"; break; }
        sleep 0.02
    done
    wait "$broker_pid" 2>/dev/null || true
    broker_pid=""
    terminate_s="$(elapsed "$start" "$(now)")"
}

# hold_phase MODE N: one broker (none or async), N held clients, stop, restart, storm, stop.
hold_phase() {
    local mode="$1" n="$2" name="hold-$1-$2" database="scale_hold_$1_$2" prefix="h$2$1"
    local file="$scale/$name.jsonl" rss_before rss_held first second stop_s sigterm_at exit_s
    local stored_at="" shutdown_s="" restart_at storm storm_rows_at="" storm_rows_s="" final_disconnects=0
    broker_extra_lines="max_connections -1"
    if [ "$mode" = none ]; then start_broker "$name" none; else
        fresh_database "$database"
        start_broker "$name" async "$database"
    fi
    broker_extra_lines=""
    local port="$broker_port"
    rss_before="$(rss_kb "$broker_pid")"
    echo "bench: scale: $mode: $n clients connecting" >&2
    "$MQTT_LOAD" --port "$port" --hold "$n" --rounds 2 --threads 4 --keepalive 0 --prefix "$prefix" \
        --source-addresses "$(source_addresses "$n")" >"$file" 2>"$file.err" &
    hold_pid=$!
    extra_pids+=("$hold_pid")
    first="$(wait_line "$file" connected 1 300)"
    if [ "$mode" != none ]; then wait_rows "$database" "$prefix" connect "$n" 120 >/dev/null; fi
    sleep 1  # the writer's batch buffers settle
    rss_held="$(rss_kb "$broker_pid")"
    echo "bench: scale: $mode: $n clients connected; SIGTERM" >&2
    sigterm_at="$(now)"
    terminate_broker
    exit_s="$terminate_s"
    if [ "$mode" != none ]; then
        stored_at="$(wait_rows "$database" "$prefix" disconnect "$n" 10)"
        if [ -n "$stored_at" ]; then shutdown_s="$(elapsed "$sigterm_at" "$stored_at")"; fi
    fi
    wait_line "$file" closed 1 120 >/dev/null
    echo "bench: scale: $mode: restart, $n clients reconnecting" >&2
    restart_at="$(now)"
    broker_fixed_port="$port" broker_extra_lines="max_connections -1"
    if [ "$mode" = none ]; then start_broker "$name" none; else start_broker "$name" async "$database"; fi
    broker_fixed_port="" broker_extra_lines=""
    storm="$(wait_line "$file" connected 2 300)"
    if [ "$mode" != none ]; then
        storm_rows_at="$(wait_rows "$database" "$prefix" connect $((2 * n)) 120)"
        if [ -n "$storm_rows_at" ]; then storm_rows_s="$(elapsed "$restart_at" "$storm_rows_at")"; fi
        if [ -z "$shutdown_s" ]; then  # the stop spooled some: they arrive after the restart
            stored_at="$(wait_rows "$database" "$prefix" disconnect "$n" 60)"
            if [ -n "$stored_at" ]; then shutdown_s="$(elapsed "$sigterm_at" "$stored_at")"; fi
        fi
    fi
    terminate_broker
    second="$terminate_s"
    wait_line "$file" closed 2 120 >/dev/null
    wait "$hold_pid" 2>/dev/null || true
    local counts='{}'
    if [ "$mode" != none ]; then
        wait_rows "$database" "$prefix" disconnect $((2 * n)) 60 >/dev/null
        counts="$(sql "$(db_dsn "$database")" "SELECT json_build_object(
            'connects', count(*) FILTER (WHERE event_type = 'connect'),
            'disconnects', count(*) FILTER (WHERE event_type = 'disconnect'),
            'shutdown_disconnects', count(*) FILTER (WHERE extra->>'cause' = 'broker_shutdown'),
            'distinct_keys', count(DISTINCT extra->>'event_key')) FROM client_conn_events")"
    fi
    jq -n --arg mode "$mode" --argjson n "$n" --argjson first "$first" --argjson storm "$storm" \
        --argjson rss_before "$rss_before" --argjson rss_held "$rss_held" --argjson exit_s "$exit_s" \
        --argjson second_exit_s "$second" --arg shutdown_s "$shutdown_s" --arg storm_rows_s "$storm_rows_s" \
        --argjson counts "$counts" --arg restart_at "$restart_at" \
        '{mode: $mode, clients: $n, connect: $first, storm: $storm, rss_before_kb: $rss_before, rss_held_kb: $rss_held,
          exit_s: $exit_s, second_exit_s: $second_exit_s, counts: $counts,
          storm_s: (($storm.finished_at) - ($restart_at | tonumber)),
          shutdown_s: (if $shutdown_s == "" then null else ($shutdown_s | tonumber) end),
          storm_rows_stored_s: (if $storm_rows_s == "" then null else ($storm_rows_s | tonumber) end)}' \
        >"$scale/$name.json"
}

for n in $SCALE_SIZES; do
    hold_phase none "$n"
    hold_phase async "$n"
done

# --- Report ----------------------------------------------------------------------------------

cpu="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
mem_mb="$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo)"
jq -n --slurpfile none "$scale/cpu-none.json" --slurpfile sync "$scale/cpu-sync.json" \
    --slurpfile async "$scale/cpu-async.json" --slurpfile replay "$scale/replay.json" \
    --argjson holds "$(cat "$scale"/hold-*.json | jq -s 'sort_by(.clients, .mode)')" \
    --argjson threads "$BENCH_THREADS" --argjson seconds "$BENCH_SECONDS" --arg opts "$BENCH_PLUGIN_OPTS" \
    --argjson nproc "$(nproc)" --arg cpu "$cpu" --argjson mem "$mem_mb" --argjson largest "$largest" \
    --argjson files "$(ulimit -n)" \
    '{cpu: {none: $none[0], sync: $sync[0], async: $async[0]}, replay: $replay[0], holds: $holds,
      largest: $largest, threads: $threads, seconds: $seconds, plugin_opts: $opts, open_files: $files,
      machine: {nproc: $nproc, cpu: $cpu, mem_mb: $mem}}' >"$scale/results.json"
cp "$scale/results.json" "$tmp/results.json"
python3 scripts/bench-tools.py scale-report "$scale/results.json"
