-- conn-plugin: writes a batch of events in one statement (ConnStatements.writeBatch): seed 000's
-- write, on its own where schema/003_presence.sql is not applied, else the first part of
-- ConnStatements.writeEvents (this file without its last line, then write_presence.sql).
-- $1..$8 are arrays with one element per event, in order: ts (microseconds since the epoch),
-- event_type, client_id, username, peer, protocol, reason_code, extra (ConnStatements.batchParameters).
-- INSERT into client_conn_events, and UPSERT of client_sessions with each client's latest event:
-- connect sets last_connect_ts and clears last_disconnect_ts; disconnect sets last_disconnect_ts and
-- keeps last_connect_ts (or takes the batch's own connect); a row is never overwritten by an older
-- event; a disconnect through broker A never marks offline a client now connected through broker B.
-- A session_end event (not history) after the client's latest disconnect through the same broker
-- marks the upserted row's extra (session_state ended); write_presence.sql does the rest.
WITH input AS (
    SELECT ord, timestamptz 'epoch' + ts_us * interval '1 microsecond' AS ts,
           event_type, client_id, username, peer, protocol, reason_code, extra
    FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                $7::integer[], $8::jsonb[])
         WITH ORDINALITY AS t(ts_us, event_type, client_id, username, peer, protocol, reason_code,
                              extra, ord)
),
events AS (
    SELECT * FROM input WHERE event_type IN ('connect', 'disconnect')
),
history AS (
    INSERT INTO client_conn_events (ts, event_type, client_id, username, peer, protocol, reason_code, extra)
    SELECT ts, event_type, client_id, username, peer, protocol, reason_code, extra FROM events ORDER BY ord
    -- Skips events already stored. It needs the index of schema/002_conn_plugin_keys.sql: without
    -- it, the plugin runs this statement without the next line. No conflict target, so the same
    -- line works on a table converted by scripts/partition-conn-events.sh, whose key index is
    -- ((extra->>'event_key'), ts) (a unique index of a partitioned table must hold the partition
    -- key; a replayed event keeps its ts); the only other unique index is the primary key (id).
    ON CONFLICT DO NOTHING
    RETURNING 1
),
-- MATERIALIZED: where `latest` is read once (no session_end part), PostgreSQL would inline it,
-- and a generic plan, which cannot know the arrays' length, joins it to `connects` by a nested
-- loop: 499,500 comparisons for a batch of 2,000 events, 1.9 times the whole statement's time.
latest AS MATERIALIZED (
    SELECT DISTINCT ON (client_id) * FROM events ORDER BY client_id, ts DESC, ord DESC
),
connects AS (
    SELECT client_id, max(ts) AS connect_ts FROM events WHERE event_type = 'connect' GROUP BY client_id
),
last_end AS MATERIALIZED (
    SELECT DISTINCT ON (client_id) * FROM input WHERE event_type = 'session_end'
    ORDER BY client_id, ts DESC, ord DESC
),
presence AS (
    INSERT INTO client_sessions AS s (client_id, username, last_event_ts, last_event_type, last_connect_ts,
                                      last_disconnect_ts, last_peer, last_protocol, last_reason_code, extra)
    SELECT l.client_id, l.username, l.ts, l.event_type,
           CASE WHEN l.event_type = 'connect' THEN l.ts ELSE c.connect_ts END,
           CASE WHEN l.event_type = 'disconnect' THEN l.ts END,
           l.peer, l.protocol, l.reason_code,
           CASE WHEN l.event_type = 'disconnect' AND e.ts >= l.ts
                     AND e.extra->>'broker_id' IS NOT DISTINCT FROM l.extra->>'broker_id'
                THEN l.extra || jsonb_build_object('session_state', 'ended', 'session_ended_at', e.ts,
                                                   'session_end_cause', e.extra->>'cause')
                ELSE l.extra END
    FROM latest l LEFT JOIN connects c USING (client_id) LEFT JOIN last_end e USING (client_id)
    ON CONFLICT (client_id) DO UPDATE SET
        username = EXCLUDED.username,
        last_event_ts = EXCLUDED.last_event_ts,
        last_event_type = EXCLUDED.last_event_type,
        last_connect_ts = COALESCE(EXCLUDED.last_connect_ts, s.last_connect_ts),
        last_disconnect_ts = EXCLUDED.last_disconnect_ts,
        last_peer = EXCLUDED.last_peer,
        last_protocol = EXCLUDED.last_protocol,
        last_reason_code = EXCLUDED.last_reason_code,
        extra = EXCLUDED.extra
    WHERE s.last_event_ts <= EXCLUDED.last_event_ts
      AND (EXCLUDED.last_event_type = 'connect'
           OR s.last_event_type = 'disconnect'
           OR s.extra->>'broker_id' IS NOT DISTINCT FROM EXCLUDED.extra->>'broker_id')
    RETURNING 1
),
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
),
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
