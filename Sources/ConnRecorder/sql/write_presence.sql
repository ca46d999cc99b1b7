-- conn-plugin: the presence part of a batch's one statement. Not a statement of its own:
-- ConnStatements.writeEvents joins it to write_batch.sql (whose last line, its SELECT, is left
-- out), so history, client_sessions and presence are written by one statement, one round trip,
-- one transaction, and never disagree after a failure. It reads write_batch.sql's CTEs `input`
-- (every event of the batch, session_end included), `latest` (each client's latest connect or
-- disconnect) and `last_end` (each client's latest session_end).
-- Per client and broker, the latest event sets the state (connect: connected; disconnect: kept
-- when the session outlives the connection, else ended; session_end: ended), never overwritten by
-- an older event; `since` moves only when the state changes. session_end events are kept as history
-- in client_session_ends and mark client_sessions.extra (session_state ended, session_ended_at)
-- when that row's latest event is this broker's disconnect: write_batch.sql's upsert marks the
-- clients it writes (its join with `last_end`), `ended` the others (one statement may not change a
-- row twice).
per_broker_latest AS (
    SELECT DISTINCT ON (client_id, extra->>'broker_id') *
    FROM input ORDER BY client_id, extra->>'broker_id', ts DESC, ord DESC
),
per_broker AS (
    INSERT INTO client_broker_presence AS p (client_id, broker_id, username, state, since, last_event_ts,
                                             boot_id, peer, protocol)
    SELECT client_id, extra->>'broker_id', username,
           CASE WHEN event_type = 'connect' THEN 'connected'
                WHEN event_type = 'disconnect' AND (extra->>'session_persists')::boolean THEN 'kept'
                ELSE 'ended' END,
           ts, ts, extra->>'boot_id', peer, protocol
    FROM per_broker_latest
    ON CONFLICT (client_id, broker_id) DO UPDATE SET
        username = COALESCE(EXCLUDED.username, p.username),
        state = EXCLUDED.state,
        since = CASE WHEN p.state = EXCLUDED.state THEN p.since ELSE EXCLUDED.since END,
        last_event_ts = EXCLUDED.last_event_ts,
        boot_id = EXCLUDED.boot_id,
        peer = COALESCE(EXCLUDED.peer, p.peer),
        protocol = COALESCE(EXCLUDED.protocol, p.protocol)
    WHERE p.last_event_ts <= EXCLUDED.last_event_ts
    RETURNING 1
),
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
