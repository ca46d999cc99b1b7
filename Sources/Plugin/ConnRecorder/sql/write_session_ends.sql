-- when presence, session_ends
-- conn-plugin: the session-end part of a batch's one statement, for batches that hold
-- session_end events (ConnStatements.writeEvents(…, sessionEnds: true): write_batch.sql and
-- write_presence.sql without their SELECTs, then this file). It reads write_batch.sql's CTEs
-- `input`, `latest` and `last_end` (each client's latest session_end).
-- session_end events are kept as history in client_session_ends and mark client_sessions.extra
-- (session_state ended, session_ended_at) when that row's latest event is this broker's
-- disconnect: write_batch.sql's upsert marks the clients it writes (its join with `last_end`),
-- `ended` the others (one statement may not change a row twice).
end_history AS (
    INSERT INTO client_session_ends (ts, client_id, broker_id, cause, event_key, extra)
    SELECT ts, client_id, extra->>'broker_id', extra->>'cause', extra->>'event_key', extra
    FROM input WHERE event_type = 'session_end' ORDER BY ord
    -- No conflict target (event_key is its only unique key besides id), so a distributed table
    -- whose unique keys must hold client_id can take another key without a change here.
    ON CONFLICT DO NOTHING
    RETURNING 1
),
ended AS (
    UPDATE client_sessions s
    SET extra = s.extra || jsonb_build_object('session_state', 'ended', 'session_ended_at', e.ts,
                                              'session_end_cause', e.extra->>'cause')
    FROM last_end e
    WHERE s.client_id = e.client_id AND s.last_event_type = 'disconnect' AND s.last_event_ts <= e.ts
      AND s.extra->>'broker_id' IS NOT DISTINCT FROM e.extra->>'broker_id'
      AND NOT EXISTS (SELECT 1 FROM latest l WHERE l.client_id = e.client_id)
    RETURNING 1
)
SELECT (SELECT count(*) FROM history), (SELECT count(*) FROM presence),
       (SELECT count(*) FROM per_broker), (SELECT count(*) FROM end_history), (SELECT count(*) FROM ended)
-- end
