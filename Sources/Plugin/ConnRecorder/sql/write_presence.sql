-- when presence
-- conn-plugin: the presence part of a batch's one statement. Not a statement of its own:
-- ConnStatements.writeEvents joins it to write_batch.sql (whose last line, its SELECT, is left
-- out), so history, client_sessions and presence are written by one statement, one round trip,
-- one transaction, and never disagree after a failure. It reads write_batch.sql's CTEs `input`
-- (every event of the batch) and `latest` (each client's latest connect or disconnect).
-- Per client and broker, the latest event sets the state (connect: connected; disconnect: kept
-- when the session outlives the connection, else ended; session_end: ended), never overwritten by
-- an older event; `since` moves only when the state changes.
-- A batch that holds session_end events gets write_session_ends.sql's CTEs after this file's
-- (without this file's last line, its SELECT); one without them leaves that part out, which
-- PostgreSQL would otherwise run for nothing with every connect and disconnect.
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
-- when session_ends
),
-- else
)
SELECT (SELECT count(*) FROM history), (SELECT count(*) FROM presence), (SELECT count(*) FROM per_broker)
-- end
-- end
