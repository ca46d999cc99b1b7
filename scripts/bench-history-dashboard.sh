# Sourced by scripts/bench-history.sh (BENCH_MODE=history) after its own queries: the dashboard's
# reads (sys-ingester --ui-listen, docs/dashboard.md) on the same generated history. Adds what the
# dashboard reads beside client_conn_events: the ingester's schema (010, 015, 020, 030, empty
# tables; 040, the dashboard's index, before the droppers queries) and client_daily_stats folded from the generated history (once per generated database),
# then times each page's statements with history_query. The statements are those of
# Sources/Ingester/Dashboard/DashboardStore.swift with every optional relation present (the fleet page's
# presence_drift, ingest_gaps and broker_metrics joins included); keep the two in step.
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

# The pages format times as 'YYYY-MM-DD"T"HH24:MI:SS"Z"'; pgbench would read its :MI and :SS as
# variables, so the bench formats with letters instead of colons (the same work for to_char).
utc() { echo "to_char($1 AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24\"h\"MI\"m\"SS\"Z\"')"; }
history_query dash_fleet "WITH counts AS (
      SELECT broker_id, count(*) FILTER (WHERE state = 'online') AS online,
             count(*) FILTER (WHERE state = 'session_kept') AS session_kept,
             count(*) FILTER (WHERE state = 'unknown') AS unknown
      FROM client_presence GROUP BY broker_id)
    SELECT b.broker_id,
           CASE WHEN b.stopped_at IS NOT NULL THEN 'stopped'
                WHEN EXISTS (SELECT 1 FROM ingest_gaps g WHERE g.broker = b.broker_id AND g.kind = 'broker_silent' AND g.ended_at IS NULL) THEN 'silent'
                WHEN b.last_seen < now() - 3 * b.status_interval_s * interval '1 second' THEN 'lost'
                ELSE 'up' END,
           COALESCE(c.online, 0), COALESCE(c.session_kept, 0), COALESCE(c.unknown, 0),
           d.plugin_drift, d.ingester_drift, d.sys_connected,
           $(utc b.last_seen), $(utc b.started_at), $(utc b.stopped_at),
           COALESCE(up.value + extract(epoch FROM (now() AT TIME ZONE 'UTC') - up.ts), extract(epoch FROM now() - b.started_at)),
           msg.value / 60.0
    FROM broker_status b
    LEFT JOIN counts c USING (broker_id)
    LEFT JOIN presence_drift d USING (broker_id)
    LEFT JOIN LATERAL (SELECT value, ts FROM broker_metrics m WHERE m.broker = b.broker_id AND m.metric = 'uptime'
                       ORDER BY ts DESC LIMIT 1) up ON b.stopped_at IS NULL
    LEFT JOIN LATERAL (SELECT value FROM broker_metrics m WHERE m.broker = b.broker_id
                         AND m.metric = 'load/messages/received/1min' ORDER BY ts DESC LIMIT 1) msg ON true
    ORDER BY b.broker_id" "$history_dsn"
# The generated history's last events are about an hour old: the per-minute chart reads the last
# hour before that, so it counts a full hour of rows as on a busy fleet.
history_query dash_fleet_per_minute "SELECT extra->>'broker_id' AS broker_id, floor(extract(epoch FROM now() - ts) / 60)::int AS ago,
           count(*) FILTER (WHERE event_type = 'connect'), count(*) FILTER (WHERE event_type = 'disconnect')
    FROM client_conn_events WHERE ts > now() - interval '2 hours' GROUP BY 1, 2" "$history_dsn"
clients_sql="SELECT p.client_id, p.broker_id, p.state, $(utc p.since), p.peer, p.protocol, p.username,
           $(utc p.last_event_ts), COALESCE(d.today, 0), COALESCE(d.week, 0)
    FROM client_presence p
    LEFT JOIN LATERAL (
      SELECT sum(s.unclean_disconnects) FILTER (WHERE s.day = (now() AT TIME ZONE 'UTC')::date) AS today,
             sum(s.unclean_disconnects) AS week
      FROM client_daily_stats s
      WHERE s.client_id = p.client_id AND s.broker_id = p.broker_id
        AND s.day > (now() AT TIME ZONE 'UTC')::date - 7) d ON true"
history_query dash_clients_first_page "$clients_sql ORDER BY p.client_id, p.broker_id LIMIT 101" "$history_dsn"
history_query dash_clients_online_after "$clients_sql WHERE p.state = 'online'
      AND (p.client_id, p.broker_id) > ('device-' || lpad(:c::text, 6, '0'), '')
    ORDER BY p.client_id, p.broker_id LIMIT 101" "$history_dsn"
history_query dash_clients_prefix "$clients_sql WHERE starts_with(p.client_id, 'device-0' || lpad((:c % 1000)::text, 3, '0'))
    ORDER BY p.client_id, p.broker_id LIMIT 101" "$history_dsn"
micros="(extract(epoch FROM ts) * 1000000)::bigint"
history_query dash_client_events "SELECT * FROM (
      (SELECT $micros AS micros, 0 AS source, id, event_type, extra->>'broker_id', reason_code::bigint, peer, protocol, username, extra->>'cause'
       FROM client_conn_events WHERE client_id = 'device-' || lpad(:c::text, 6, '0') AND ts >= now() - interval '7 days'
       ORDER BY ts DESC, id DESC LIMIT 101)
      UNION ALL
      (SELECT $micros, 1, id, 'session_end', broker_id, NULL::bigint, NULL, NULL, NULL, cause
       FROM client_session_ends WHERE client_id = 'device-' || lpad(:c::text, 6, '0') AND ts >= now() - interval '7 days'
       ORDER BY ts DESC, id DESC LIMIT 101)) AS e
    ORDER BY 1 DESC, 2 DESC, 3 DESC LIMIT 101" "$history_dsn"
history_query dash_client_daily "SELECT to_char(g.day, 'YYYY-MM-DD'), COALESCE(sum(s.unclean_disconnects), 0), COALESCE(sum(s.online_seconds), 0)
    FROM generate_series((now() AT TIME ZONE 'UTC')::date - 6, (now() AT TIME ZONE 'UTC')::date, interval '1 day') AS g(day)
    LEFT JOIN client_daily_stats s ON s.client_id = 'device-' || lpad(:c::text, 6, '0') AND s.day = g.day::date
    GROUP BY g.day ORDER BY g.day" "$history_dsn"
PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 "$history_dsn" -f schema/040_dashboard.sql
sql "$history_dsn" "VACUUM ANALYZE client_daily_stats"
droppers_sql="WITH top AS (
      SELECT client_id, sum(unclean_disconnects) AS unclean FROM client_daily_stats
      WHERE day > (now() AT TIME ZONE 'UTC')::date - DAYS AND unclean_disconnects > 0
      GROUP BY client_id ORDER BY unclean DESC, client_id LIMIT 50)
    SELECT t.client_id, t.unclean, s.disconnects, s.connects FROM top t
    CROSS JOIN LATERAL (SELECT sum(d.disconnects) AS disconnects, sum(d.connects) AS connects FROM client_daily_stats d
      WHERE d.client_id = t.client_id AND d.day > (now() AT TIME ZONE 'UTC')::date - DAYS) s
    ORDER BY t.unclean DESC, t.client_id"
history_query dash_droppers_today "${droppers_sql//DAYS/1}" "$history_dsn"
history_query dash_droppers_week "${droppers_sql//DAYS/7}" "$history_dsn"

for name in dash_fleet dash_fleet_per_minute dash_clients_first_page dash_clients_online_after dash_clients_prefix \
    dash_client_events dash_client_daily dash_droppers_today dash_droppers_week; do
    cat "$history/$name.json"
done | jq -s '.' >"$history/dashboard.json"
echo "bench: history: dashboard queries (ms):" >&2
jq -r '.[] | "  \(.query)\tp50 \(.p50_ms)\tp99 \(.p99_ms)\tindexes \(.indexes | join(","))\tseq \(.seq_scans | join(","))"' \
    "$history/dashboard.json" >&2
