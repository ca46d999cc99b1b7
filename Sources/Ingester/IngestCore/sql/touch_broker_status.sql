-- sys-ingester: broker $1 sent $SYS messages, the newest at $2 (epoch microseconds), so it is alive
-- (broker_status of schema/003_presence.sql). last_seen never moves back and never past the
-- database's clock (a backlog written after an outage says when the broker was last heard, not
-- now); a row the ingester creates expects a message every $3 seconds. A message clearly later
-- than a recorded clean stop means the broker runs again.
INSERT INTO broker_status AS b (broker_id, last_seen, ingester_last_seen, status_interval_s, reporter)
VALUES ($1, LEAST(now(), to_timestamp($2::bigint / 1e6)), LEAST(now(), to_timestamp($2::bigint / 1e6)), $3::integer,
        'sys-ingester')
ON CONFLICT (broker_id) DO UPDATE SET
    last_seen = GREATEST(b.last_seen, EXCLUDED.last_seen),
    ingester_last_seen = GREATEST(b.ingester_last_seen, EXCLUDED.ingester_last_seen),
    stopped_at = CASE WHEN b.stopped_at < EXCLUDED.last_seen - interval '2 seconds' THEN NULL ELSE b.stopped_at END
