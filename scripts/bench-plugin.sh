# Sourced by scripts/bench.sh for `make bench` (BENCH_MODE=plugin, the default): the phases its
# header lists (no plugin, sync, async, replay, the pgbench baselines), with the helpers it defines,
# then the report (scripts/bench-tools.py report) and its JSON line.

# plugin_phase MODE: a fresh database, a broker with the plugin, the load, then the drain;
# writes .bench-tmp/MODE/result.json. Runs in this shell (not $(...)) so the EXIT trap sees the broker.
plugin_phase() {
    local mode="$1" database="bench_$1"
    fresh_database "$database"
    start_broker "$mode" "$mode" "$database"
    local before load cycles expected found start drained="" after settled pids broker_before pg_before
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
    # Once the writer has been idle for a while: what the broker keeps after the backlog, which is
    # what "memory flat" is about (the writer gives a drained backlog's memory back within
    # HeapRelease.minimumInterval, 5 s, of its previous trim).
    sleep "$RSS_SETTLE_S"
    settled="$(rss_kb "$broker_pid")"
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
        --argjson after "${after:-0}" --argjson settled "${settled:-0}" --arg drained "$drained" --argjson written "${written:-null}" \
        --argjson dropped "${dropped:-null}" --argjson limit "$DRAIN_LIMIT_S" \
        --argjson broker_us "$broker_us" --argjson pg_us "$pg_us" --argjson load_us "$(load_cpu_us "$mode")" \
        '. + {rows_expected: $expected, rows_found: $found, lost: ([$expected - $found, 0] | max),
             extra_rows: ([$found - $expected, 0] | max),
             drain_s: (if $drained == "" then null else ($drained | tonumber) end), drain_limit_s: $limit,
             rss_before_kb: $before, rss_after_kb: $after, rss_settled_kb: $settled, events_written: $written, events_dropped: $dropped,
             cpu_us_per_cycle: {broker: ($broker_us / ([.cycles, 1] | max)), postgres: ($pg_us / ([.cycles, 1] | max)),
                                load: ($load_us / ([.cycles, 1] | max))}}' \
        <<<"$load" >"$tmp/$mode/result.json"
}


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
