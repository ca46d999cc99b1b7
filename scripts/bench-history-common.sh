# Sourced by scripts/bench-history.sh and scripts/bench-retention.sh: the settings of the
# generated history and history_generate (scripts/bench-history-data.sql).

HISTORY_ROWS="${BENCH_HISTORY_ROWS:-20000000}"
HISTORY_CLIENTS="${BENCH_HISTORY_CLIENTS:-20000}"
HISTORY_DAYS="${BENCH_HISTORY_DAYS:-30}"
HISTORY_RUNS="${BENCH_HISTORY_RUNS:-200}"
for setting in HISTORY_ROWS HISTORY_CLIENTS HISTORY_DAYS HISTORY_RUNS; do
    [[ "${!setting}" =~ ^[1-9][0-9]*$ ]] || die "BENCH_$setting '${!setting}' must be a positive whole number"
done
[ "$HISTORY_ROWS" -ge $((2 * HISTORY_CLIENTS)) ] || die "BENCH_HISTORY_ROWS must be at least 2 x BENCH_HISTORY_CLIENTS"

# history_generate DATABASE: a fresh database holding seed 000's tables, the presence tables and
# the generated history (also used by scripts/bench-retention.sh).
history_generate() {
    if [ -n "${BENCH_REUSE_DATA:-}" ] && [ -f "$pg_dir/generated.$1" ] \
        && [ "$(sql "$server_dsn" "SELECT count(*) FROM pg_database WHERE datname = '$1'")" = 1 ]; then
        generate_s="$(cat "$pg_dir/generated.$1")"
        echo "bench: $1: reusing the history generated before (BENCH_REUSE_DATA)" >&2
        return 0
    fi
    rm -f "$pg_dir/generated.$1"
    fresh_database "$1"
    PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 "$(db_dsn "$1")" \
        -f schema/001_conn_plugin.sql -f schema/002_conn_plugin_keys.sql -f schema/003_presence.sql
    echo "bench: $1: generating $HISTORY_ROWS rows ($HISTORY_CLIENTS clients, $HISTORY_DAYS days)" >&2
    local start
    start="$(now)"
    PGOPTIONS="-c client_min_messages=warning -c maintenance_work_mem=1GB" psql -X -q -v ON_ERROR_STOP=1 \
        -v rows="$HISTORY_ROWS" -v clients="$HISTORY_CLIENTS" -v days="$HISTORY_DAYS" \
        "$(db_dsn "$1")" -f scripts/bench-history-data.sql
    generate_s="$(elapsed "$start" "$(now)")"
    echo "$generate_s" >"$pg_dir/generated.$1"
    echo "bench: $1: generated in $generate_s s" >&2
}

