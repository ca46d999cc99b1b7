# Sourced by scripts/bench.sh for `BENCH_MODE=retention make bench`: pruning one day of
# client_conn_events at BENCH_HISTORY_ROWS rows (default 20 million, scripts/bench-history-data.sql),
# (a) by batched DELETE (BENCH_RETENTION_BATCH rows per statement, default 10,000, each its own
# transaction) on seed 000's plain table against (b) by pg_partman's retention dropping the daily
# partition of the same history converted by scripts/partition-conn-events.sql. Each is done for
# BENCH_RETENTION_DAYS successive oldest days (default 3) while a writer runs the plugin's own
# statement (write_batch.sql, one event per statement, as `make bench`'s pgbench phase) at
# BENCH_RETENTION_RATE transactions/s (default 100 = 200 events/s); its latency while the writer runs
# alone is the baseline. Prints the prune times, the writer's p50/p99/max latency during each (the
# statement's own; "p99 +lag" adds the wait behind the schedule of -R when the writer fell behind), the
# table and index sizes (after the prunes, after VACUUM), and last a JSON line.
#
# Copies the history of bench_history (BENCH_MODE=history) when BENCH_REUSE_DATA finds it, else
# generates it. Uses bench.sh's $tmp, $dsn, sql, now, elapsed, fresh_database, db_dsn, die.

source scripts/bench-history-common.sh
RETENTION_BATCH="${BENCH_RETENTION_BATCH:-10000}"
RETENTION_DAYS="${BENCH_RETENTION_DAYS:-3}"
RETENTION_RATE="${BENCH_RETENTION_RATE:-100}"
RETENTION_BASELINE_S="${BENCH_RETENTION_BASELINE_S:-20}"
for setting in RETENTION_BATCH RETENTION_DAYS RETENTION_RATE RETENTION_BASELINE_S; do
    [[ "${!setting}" =~ ^[1-9][0-9]*$ ]] || die "BENCH_$setting '${!setting}' must be a positive whole number"
done
[ "$RETENTION_DAYS" -lt "$((HISTORY_DAYS - 1))" ] || die "BENCH_RETENTION_DAYS must be below BENCH_HISTORY_DAYS - 1"
retention="$tmp/retention"
mkdir -p "$retention"

history_generate bench_history
sql "$server_dsn" "DROP DATABASE IF EXISTS bench_retention WITH (FORCE)"
echo "bench: retention: copying bench_history" >&2
sql "$server_dsn" "CREATE DATABASE bench_retention TEMPLATE bench_history"
retention_dsn="$(db_dsn bench_retention)"
"$CONN_SQL" pgbench-script --write seed >"$retention/writer.pgbench"
writer_pid=""

# sizes NAME: heap (with TOAST) and index bytes of client_conn_events (all partitions).
sizes() {
    sql "$retention_dsn" "SELECT json_build_object('state', '$1',
        'table_bytes', sum(pg_table_size(relid)), 'index_bytes', sum(pg_indexes_size(relid)),
        'rows', (SELECT count(*) FROM client_conn_events))
        FROM (SELECT relid FROM pg_partition_tree('client_conn_events') WHERE isleaf
              UNION SELECT 'client_conn_events'::regclass
              WHERE (SELECT relkind FROM pg_class WHERE oid = 'client_conn_events'::regclass) = 'r') AS leaves" \
        >>"$retention/sizes.jsonl"
}

# with_writer NAME COMMAND...: runs COMMAND while the writer runs; records the command's time and
# the writer's transactions that completed meanwhile.
with_writer() {
    local name="$1"; shift
    rm -f "$retention/$name.log".*
    "$PGBENCH" -n -M prepared -c1 -j1 -R "$RETENTION_RATE" -T 3600 -l --log-prefix="$retention/$name.log" \
        -f "$retention/writer.pgbench" "$retention_dsn" >"$retention/$name.out" 2>&1 &
    writer_pid=$!
    extra_pids+=("$writer_pid")
    sleep 3
    local start end
    start="$(now)"
    "$@"
    end="$(now)"
    # pgbench buffers its log: let it write past the end, then stop it (TERM: a background job
    # of a script ignores INT).
    sleep 3
    kill -TERM "$writer_pid" 2>/dev/null || true
    wait "$writer_pid" 2>/dev/null || true
    writer_pid=""
    "$PYTHON3" scripts/bench-tools.py retention-phase "$name" "$start" "$end" "$retention/$name.log".* \
        >>"$retention/phases.jsonl"
    echo "bench: retention: $name: $(tail -n1 "$retention/phases.jsonl")" >&2
}

# The oldest whole day is the first day after the (partial) day of the oldest row.
first_day="$(sql "$retention_dsn" "SELECT (min(ts) AT TIME ZONE 'UTC')::date + 1 FROM client_conn_events")"
day() { sql "$retention_dsn" "SELECT (date '$first_day' + $1)::text"; }

# (a) batched DELETE: one day per phase, every batch its own transaction (COMMIT in a DO block).
delete_before() {
    sql "$retention_dsn" "DO \$\$
    DECLARE deleted bigint;
    BEGIN
        LOOP
            DELETE FROM client_conn_events WHERE id IN (
                SELECT id FROM client_conn_events WHERE ts < timestamptz '$1 00:00:00+00' ORDER BY ts LIMIT $RETENTION_BATCH);
            GET DIAGNOSTICS deleted = ROW_COUNT;
            COMMIT;
            EXIT WHEN deleted = 0;
        END LOOP;
    END \$\$"
}
delete_before "$first_day"    # the partial oldest day, not measured
sql "$retention_dsn" "VACUUM ANALYZE client_conn_events"
sizes plain_start
with_writer writer_alone_plain sleep "$RETENTION_BASELINE_S"
for k in $(seq 1 "$RETENTION_DAYS"); do
    with_writer "delete_day_$k" delete_before "$(day "$k")"
done
sizes plain_after_delete
start="$(now)"
sql "$retention_dsn" "VACUUM client_conn_events"
vacuum_s="$(elapsed "$start" "$(now)")"
sizes plain_after_vacuum

# (b) the same history partitioned by day, pruned by pg_partman's retention.
sql "$retention_dsn" "VACUUM ANALYZE client_conn_events"
start="$(now)"
PGOPTIONS="-c client_min_messages=warning -c maintenance_work_mem=1GB" psql -X -q -v ON_ERROR_STOP=1 \
    -v premake=7 -v retention_days=0 "$retention_dsn" -f scripts/partition-conn-events.sql >/dev/null
convert_s="$(elapsed "$start" "$(now)")"
echo "bench: retention: converted to daily partitions in $convert_s s" >&2
sql "$retention_dsn" "VACUUM ANALYZE client_conn_events"
sizes partitioned_start
with_writer writer_alone_partitioned sleep "$RETENTION_BASELINE_S"
# expire_before DAY: pg_partman's retention set so that the partitions before DAY are past it.
expire_before() {
    sql "$retention_dsn" "UPDATE partman.part_config
        SET retention = (extract(epoch FROM now() - timestamptz '$1 00:00:00+00')::bigint - 60) || ' seconds',
            retention_keep_table = false
        WHERE parent_table = 'public.client_conn_events'"
    sql "$retention_dsn" "SELECT partman.run_maintenance('public.client_conn_events', p_jobmon := false)" >/dev/null
}
for k in $(seq 1 "$RETENTION_DAYS"); do
    with_writer "drop_day_$k" expire_before "$(day $((RETENTION_DAYS + k)))"
done
sizes partitioned_after_drop
sql "$retention_dsn" "VACUUM client_conn_events"
sizes partitioned_after_vacuum
written="$(sql "$retention_dsn" "SELECT count(*) FROM client_conn_events WHERE client_id LIKE 'pgbench-%'")"

cpu="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
mem_mb="$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo)"
jq -n --argjson rows "$(sql "$(db_dsn bench_history)" "SELECT count(*) FROM client_conn_events")" \
    --argjson batch "$RETENTION_BATCH" --argjson rate "$RETENTION_RATE" --argjson convert_s "$convert_s" \
    --argjson vacuum_s "$vacuum_s" --argjson written "$written" \
    --slurpfile phases "$retention/phases.jsonl" --slurpfile sizes "$retention/sizes.jsonl" \
    --argjson nproc "$(nproc)" --arg cpu "$cpu" --argjson mem "$mem_mb" \
    '{rows: $rows, batch: $batch, rate: $rate, convert_s: $convert_s, vacuum_s: $vacuum_s,
      writer_rows: $written, phases: $phases, sizes: $sizes,
      machine: {nproc: $nproc, cpu: $cpu, mem_mb: $mem}}' >"$retention/results.json"
"$PYTHON3" scripts/bench-tools.py retention-report "$retention/results.json"
