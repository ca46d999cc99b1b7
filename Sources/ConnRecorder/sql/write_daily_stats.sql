-- conn-plugin: client_daily_stats for a batch, run right after write_batch.sql in the same
-- transaction (one pipeline) when schema/030_retention_rollups.sql is applied. Same $1..$8 as
-- write_batch.sql. Counts only the client_conn_events rows this transaction stored (xmin is the
-- current transaction), so an event the event-key index skipped as already stored is not counted
-- twice. Per UTC day, broker and client: connects, disconnects, unclean disconnects (reason_code
-- other than 0) on the day of the row's ts; and online_seconds: each stored disconnect closes the
-- session begun by the event before it of the same client and broker, when that is a connect,
-- and the session's time is split across the UTC days it spans.
-- Every parameter is named (unnest of all eight) so the statement takes the same parameters
-- as write_batch.sql; only ts, event_type and client_id are read, the rest comes from the rows.
WITH input AS (
    SELECT DISTINCT client_id, timestamptz 'epoch' + ts_us * interval '1 microsecond' AS ts
    FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                $7::integer[], $8::jsonb[])
         AS t(ts_us, event_type, client_id, username, peer, protocol, reason_code, extra)
    WHERE event_type IN ('connect', 'disconnect')
),
stored AS (
    SELECT e.id, e.ts, e.event_type, e.client_id, e.reason_code, COALESCE(e.extra->>'broker_id', '') AS broker_id
    FROM input i
    JOIN client_conn_events e ON e.client_id = i.client_id AND e.ts = i.ts
    WHERE e.xmin = pg_current_xact_id()::xid
),
sessions AS (
    SELECT d.client_id, d.broker_id, c.ts AT TIME ZONE 'UTC' AS started, d.ts AT TIME ZONE 'UTC' AS ended
    FROM stored d
    CROSS JOIN LATERAL (
        SELECT p.event_type, p.ts FROM client_conn_events p
        WHERE p.client_id = d.client_id AND p.ts <= d.ts AND (p.ts < d.ts OR p.id < d.id)
          AND COALESCE(p.extra->>'broker_id', '') = d.broker_id
        ORDER BY p.ts DESC, p.id DESC
        LIMIT 1
    ) c
    WHERE d.event_type = 'disconnect' AND c.event_type = 'connect'
),
online AS (
    SELECT s.client_id, s.broker_id, day::date AS day,
           extract(epoch FROM least(s.ended, day + interval '1 day') - greatest(s.started, day))::float8 AS seconds
    FROM sessions s
    CROSS JOIN LATERAL generate_series(date_trunc('day', s.started), date_trunc('day', s.ended), interval '1 day') AS day
),
counted AS (
    SELECT (ts AT TIME ZONE 'UTC')::date AS day, broker_id, client_id,
           count(*) FILTER (WHERE event_type = 'connect') AS connects,
           count(*) FILTER (WHERE event_type = 'disconnect') AS disconnects,
           count(*) FILTER (WHERE event_type = 'disconnect' AND reason_code IS DISTINCT FROM 0) AS unclean,
           0::float8 AS seconds
    FROM stored GROUP BY 1, 2, 3
    UNION ALL
    SELECT day, broker_id, client_id, 0, 0, 0, seconds FROM online
),
daily AS (
    INSERT INTO client_daily_stats AS s (day, broker_id, client_id, connects, disconnects, unclean_disconnects,
                                         online_seconds)
    SELECT day, broker_id, client_id, sum(connects), sum(disconnects), sum(unclean), sum(seconds)
    FROM counted
    GROUP BY day, broker_id, client_id
    ORDER BY day, broker_id, client_id
    ON CONFLICT (day, broker_id, client_id) DO UPDATE SET
        connects = s.connects + EXCLUDED.connects,
        disconnects = s.disconnects + EXCLUDED.disconnects,
        unclean_disconnects = s.unclean_disconnects + EXCLUDED.unclean_disconnects,
        online_seconds = s.online_seconds + EXCLUDED.online_seconds
    RETURNING 1
)
SELECT count(*) FROM daily
