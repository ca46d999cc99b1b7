# Sourced by scripts/bench-history.sh (BENCH_MODE=history) after its own queries: the dashboard's
# reads (sys-ingester --ui-listen, docs/dashboard.md) on the same generated history. Adds what the
# dashboard reads beside client_conn_events: the ingester's schema (010, 015, 020, 030, empty
# tables; 040, the dashboard's index, before the droppers queries) and client_daily_stats folded from the generated history (once per generated database),
# then times each page's statements with history_query. The statements are the dashboard's own,
# as it prepares them where every optional relation exists (the fleet page's presence_drift,
# ingest_gaps and broker_metrics joins included): `conn-sql dashboard-statement` prints the files
# of Sources/Ingester/DashboardStatements/sql/ with the values below in place of their parameters.
# They run with pgbench -M simple: with -M prepared pgbench would take the to_char formats'
# HH24:MI:SS for variables; simple mode replaces only :c. Values as literals instead of bound
# parameters plan as the dashboard's sessions do (plan_cache_mode force_custom_plan: each
# execution planned with its values); the server parses the text at each run besides.
# Writes $history/dashboard.json: [{name, p50_ms, p99_ms, max_ms, indexes, seq_scans}, ...].

PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 "$history_dsn" \
    -f schema/010_sys_ingester.sql -f schema/015_ingest_gaps.sql -f schema/020_views.sql \
    -f schema/030_retention_rollups.sql
if [ "$(sql "$history_dsn" "SELECT count(*) FROM (SELECT 1 FROM client_daily_stats LIMIT 1) AS s")" = 0 ]; then
    echo "bench: history: folding client_daily_stats from the history (once)" >&2
    start="$(now)"
    # The same counts the plugin's daily statistics keep: connects, disconnects, unclean ones (not a
    # clean DISCONNECT, not a broker shutdown) and online seconds (each disconnect's session, by
    # the day it ended: close enough for timing reads).
    sql "$history_dsn" "INSERT INTO client_daily_stats (day, broker_id, client_id, connects, disconnects,
            unclean_disconnects, online_seconds)
        SELECT (ts AT TIME ZONE 'UTC')::date, extra->>'broker_id', client_id,
               count(*) FILTER (WHERE event_type = 'connect'), count(*) FILTER (WHERE event_type = 'disconnect'),
               count(*) FILTER (WHERE event_type = 'disconnect' AND reason_code IS DISTINCT FROM 0
                                  AND extra->>'cause' IS DISTINCT FROM 'broker_shutdown'),
               sum(CASE WHEN event_type = 'disconnect' THEN 60 + ((extra->>'connection_seq')::bigint * 7919) % 3600 ELSE 0 END)
        FROM client_conn_events GROUP BY 1, 2, 3"
    sql "$history_dsn" "ANALYZE client_daily_stats"
    echo "bench: history: client_daily_stats folded in $(elapsed "$start" "$(now)") s" >&2
fi
sql "$history_dsn" "UPDATE broker_status SET last_seen = now()"

# dashboard_query NAME FILE VALUE...: times the dashboard's statement FILE (sql/FILE.sql) with
# VALUEs, SQL expressions, as $1, $2, ... (conn-sql refuses a count the statement does not take).
dashboard_query() {
    local name="$1" file="$2" statement
    shift 2
    statement="$("$CONN_SQL" dashboard-statement "$file" "$@")" || die "conn-sql dashboard-statement $file failed"
    history_query "$name" "$statement" "$history_dsn" "$HISTORY_RUNS" simple
}
# The client page's time range starts 7 days back (its default ?days=7), a constant as the page
# binds it.
week_ago_us="$(( ($(date +%s) - 7 * 86400) * 1000000 ))"
dashboard_query dash_fleet fleet
# The last hour, as the fleet page's chart reads it. The generated history's last connects are
# about an hour old, so this hour holds the disconnects that end the last sessions: fewer rows
# than an hour of a busy fleet (the bench's own copy before issue 18 read 2 hours instead).
dashboard_query dash_fleet_per_minute per_minute
# Clients: broker, state, client-id prefix, username, cursor (client, broker), page size + 1.
dashboard_query dash_clients_first_page clients NULL NULL NULL NULL NULL NULL 101
dashboard_query dash_clients_online_after clients NULL "'online'" NULL NULL "$device" "''" 101
dashboard_query dash_clients_prefix clients NULL NULL "'device-0' || lpad((:c % 1000)::text, 3, '0')" NULL NULL NULL 101
# One client's events: client, from, to, cursor (ts, source, id), page size + 1.
dashboard_query dash_client_events events "$device" "$week_ago_us" NULL NULL NULL NULL 101
dashboard_query dash_client_daily daily "$device" 7
PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 "$history_dsn" -f schema/040_dashboard.sql
sql "$history_dsn" "VACUUM ANALYZE client_daily_stats"
# Droppers: days (1: today), limit.
dashboard_query dash_droppers_today droppers 1 50
dashboard_query dash_droppers_week droppers 7 50

for name in dash_fleet dash_fleet_per_minute dash_clients_first_page dash_clients_online_after dash_clients_prefix \
    dash_client_events dash_client_daily dash_droppers_today dash_droppers_week; do
    cat "$history/$name.json"
done | jq -s '.' >"$history/dashboard.json"
echo "bench: history: dashboard queries (ms):" >&2
jq -r '.[] | "  \(.query)\tp50 \(.p50_ms)\tp99 \(.p99_ms)\tindexes \(.indexes | join(","))\tseq \(.seq_scans | join(","))"' \
    "$history/dashboard.json" >&2
