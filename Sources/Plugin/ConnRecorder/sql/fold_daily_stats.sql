-- conn-plugin: folds broker $1's client_conn_events rows with $2 < id <= $3 into client_daily_stats
-- and moves client_daily_stats_folds.folded_through from $2 to $3, in one statement (one
-- transaction). When folded_through is no longer $2 (another run of the same broker folded first)
-- nothing is counted and the statement returns (0, 0): the caller reads where the fold stands.
-- Per UTC day, broker and client: connects, disconnects, unclean disconnects (reason_code other
-- than 0) on the day of the row's ts; and online_seconds: each disconnect closes the session begun by
-- the event before it of the same client and broker, when that is a connect, and the session's time
-- is split across the UTC days it spans.
WITH advanced AS (
    UPDATE client_daily_stats_folds SET folded_through = $3, folded_at = now()
    WHERE broker_id = $1 AND folded_through = $2 AND $3 > $2
    RETURNING 1
),
stored AS (
    SELECT e.id, e.ts, e.event_type, e.client_id, e.reason_code, $1::text AS broker_id
    FROM client_conn_events e
    WHERE e.id > $2 AND e.id <= $3 AND e.extra->>'broker_id' = $1
      AND EXISTS (SELECT 1 FROM advanced)
),
ordered AS (
    SELECT d.*, lag(d.event_type) OVER w AS previous_type, lag(d.ts) OVER w AS previous_ts,
           row_number() OVER w AS position
    FROM stored d
    WINDOW w AS (PARTITION BY d.client_id ORDER BY d.ts, d.id)
),
-- The event before a disconnect is found among the folded rows themselves (set-based), except for
-- each client's first row of the fold, whose predecessor is looked up by index.
sessions AS (
    SELECT o.client_id, o.broker_id,
           COALESCE(o.previous_ts, c.ts) AT TIME ZONE 'UTC' AS started, o.ts AT TIME ZONE 'UTC' AS ended
    FROM ordered o
    LEFT JOIN LATERAL (
        SELECT p.event_type, p.ts FROM client_conn_events p
        WHERE o.position = 1 AND p.client_id = o.client_id AND p.ts <= o.ts AND (p.ts < o.ts OR p.id < o.id)
          AND COALESCE(p.extra->>'broker_id', '') = o.broker_id
        ORDER BY p.ts DESC, p.id DESC
        LIMIT 1
    ) c ON true
    WHERE o.event_type = 'disconnect' AND COALESCE(o.previous_type, c.event_type) = 'connect'
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
SELECT (SELECT count(*) FROM advanced), (SELECT count(*) FROM stored)
