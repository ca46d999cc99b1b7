# Sourced by scripts/bench.sh for `BENCH_MODE=history make bench`: do the reads stay fast as the
# history grows? Generates BENCH_HISTORY_ROWS rows of client_conn_events (default 20 million;
# scripts/bench-history-data.sql: BENCH_HISTORY_CLIENTS client ids, default 20,000, over
# BENCH_HISTORY_DAYS days, default 30) with client_sessions and the presence tables to match, then
# runs each query BENCH_HISTORY_RUNS times (default 200; the baseline below
# BENCH_HISTORY_BASELINE_RUNS, default 20) with pgbench (one connection, prepared)
# and prints its median, p99 and max in ms and the indexes its plan uses (EXPLAIN):
#
#   history      "history of device X": a random device's last 100 events
#   presence     "who is online now": the online rows of the client_presence view
#   sessions     the same from client_sessions (last event is a connect)
#   droppers     "devices that dropped more than 5 times today (the last 24 hours)": unclean
#                disconnects counted per client (README's query); measured before schema/004
#                (the baseline: seed 000's ts index) and after it is built (CONCURRENTLY)
#
# then the dashboard's own statements (scripts/bench-history-dashboard.sh, sourced at the end).
#
# 20 million rows take about 8 GB and some 20 minutes to generate on 2 CPUs; BENCH_HISTORY_ROWS
# makes it smaller. Uses bench.sh's $tmp, $dsn, sql, now, elapsed, fresh_database, db_dsn, die.

source scripts/bench-history-common.sh
history="$tmp/history"
mkdir -p "$history"

# history_query NAME SQL DSN [RUNS] [PROTOCOL]: writes $history/NAME.json with the plan's indexes and the latencies.
# SQL may use :c, a random client number (pgbench variable; EXPLAIN gets client 1). PROTOCOL is
# pgbench's -M, prepared unless given (the dashboard's statements run simple: see
# scripts/bench-history-dashboard.sh).
history_query() {
    local name="$1" query="$2" database_dsn="$3" runs="${4:-$HISTORY_RUNS}" protocol="${5:-prepared}"
    printf '\\set c random(0, %d)\n%s;\n' "$((HISTORY_CLIENTS - 1))" "$query" >"$history/$name.pgbench"
    sql "$database_dsn" "EXPLAIN (FORMAT JSON) ${query//:c/1}" >"$history/$name.plan.json"
    rm -f "$history/$name.log".*
    "$PGBENCH" -n -M "$protocol" -c1 -j1 -t "$runs" -l --log-prefix="$history/$name.log" \
        -f "$history/$name.pgbench" "$database_dsn" >"$history/$name.out" 2>&1 \
        || { cat "$history/$name.out" >&2; die "pgbench failed for query $name"; }
    "$PYTHON3" scripts/bench-tools.py history-query "$name" "$history/$name.plan.json" "$history"/"$name".log.* \
        >"$history/$name.json"
    echo "bench: history: $name: $(cat "$history/$name.json")" >&2
}

history_generate bench_history
history_dsn="$(db_dsn bench_history)"
# A reused history may hold schema/004 from an earlier run: the baseline is seed 000's indexes.
sql "$history_dsn" "DROP INDEX IF EXISTS client_conn_events_unclean_ts_idx"
events_rows="$(sql "$history_dsn" "SELECT count(*) FROM client_conn_events")"
table_size="$(sql "$history_dsn" "SELECT pg_total_relation_size('client_conn_events')")"

device="'device-' || lpad(:c::text, 6, '0')"
history_query history "SELECT ts, event_type, reason_code, peer FROM client_conn_events
    WHERE client_id = $device ORDER BY ts DESC LIMIT 100" "$history_dsn"
# The generated brokers' last heartbeat is from the generation: fresh, so clients show online.
sql "$history_dsn" "UPDATE broker_status SET last_seen = now()"
history_query presence "SELECT client_id, broker_id, since FROM client_presence WHERE state = 'online'" "$history_dsn"
history_query sessions "SELECT client_id, last_connect_ts FROM client_sessions WHERE last_event_type = 'connect'" \
    "$history_dsn"
# README's query, over the last 24 hours rather than since midnight, so the figure does not depend
# on the time of day the bench runs.
droppers="SELECT client_id, count(*) AS drops, max(ts) AS last_drop FROM client_conn_events
    WHERE event_type = 'disconnect' AND ts >= now() - interval '24 hours'
      AND reason_code IS DISTINCT FROM 0 AND extra->>'cause' IS DISTINCT FROM 'broker_shutdown'
    GROUP BY client_id HAVING count(*) > 5 ORDER BY drops DESC"
# The baseline reads a whole day from the table: BENCH_HISTORY_BASELINE_RUNS runs (default 20).
history_query droppers_without_004 "$droppers" "$history_dsn" "${BENCH_HISTORY_BASELINE_RUNS:-20}"
start="$(now)"
PGOPTIONS="-c client_min_messages=warning -c maintenance_work_mem=1GB" psql -X -q -v ON_ERROR_STOP=1 "$history_dsn" \
    -f schema/004_history_indexes.sql
index_build_s="$(elapsed "$start" "$(now)")"
sql "$history_dsn" "ANALYZE client_conn_events"
history_query droppers "$droppers" "$history_dsn"
droppers_found="$(sql "$history_dsn" "SELECT count(*) FROM ($droppers) AS d")"

cpu="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
mem_mb="$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo)"
jq -n --argjson rows "$events_rows" --argjson requested "$HISTORY_ROWS" --argjson clients "$HISTORY_CLIENTS" \
    --argjson days "$HISTORY_DAYS" --argjson runs "$HISTORY_RUNS" --argjson generate_s "$generate_s" \
    --argjson table_bytes "$table_size" --argjson index_build_s "$index_build_s" \
    --argjson droppers_found "$droppers_found" \
    --slurpfile history "$history/history.json" --slurpfile presence "$history/presence.json" \
    --slurpfile sessions "$history/sessions.json" --slurpfile before "$history/droppers_without_004.json" \
    --slurpfile droppers "$history/droppers.json" \
    --argjson nproc "$(nproc)" --arg cpu "$cpu" --argjson mem "$mem_mb" \
    '{rows: $rows, rows_requested: $requested, clients: $clients, days: $days, runs: $runs,
      generate_s: $generate_s, table_bytes: $table_bytes, index_004_build_s: $index_build_s,
      droppers_found: $droppers_found,
      queries: [$history[0], $presence[0], $sessions[0], $before[0], $droppers[0]],
      machine: {nproc: $nproc, cpu: $cpu, mem_mb: $mem}}' >"$history/results.json"
"$PYTHON3" scripts/bench-tools.py history-report "$history/results.json"
source scripts/bench-history-dashboard.sh
