-- conn-plugin: the presence side of a batch, run right after write_batch.sql in the same
-- transaction (one pipeline) when schema/003_presence.sql is applied. Same $1..$8 as
-- write_batch.sql. Per client and broker, the latest event sets the state (connect: connected;
-- disconnect: kept when the session outlives the connection, else ended; session_end: ended),
-- never overwritten by an older event; `since` moves only when the state changes. session_end
-- events are also kept as history in client_session_ends and mark client_sessions.extra
-- (session_state ended, session_ended_at) when that row's latest event is this broker's disconnect.
WITH input AS (
    SELECT ord, timestamptz 'epoch' + ts_us * interval '1 microsecond' AS ts,
           event_type, client_id, username, peer, protocol, extra
    FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                $7::integer[], $8::jsonb[])
         WITH ORDINALITY AS t(ts_us, event_type, client_id, username, peer, protocol, reason_code,
                              extra, ord)
),
latest AS (
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
    FROM latest
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
ends AS (
    SELECT * FROM input WHERE event_type = 'session_end'
),
end_history AS (
    INSERT INTO client_session_ends (ts, client_id, broker_id, cause, event_key, extra)
    SELECT ts, client_id, extra->>'broker_id', extra->>'cause', extra->>'event_key', extra FROM ends ORDER BY ord
    ON CONFLICT (event_key) DO NOTHING
    RETURNING 1
),
ended AS (
    UPDATE client_sessions s
    SET extra = s.extra || jsonb_build_object('session_state', 'ended', 'session_ended_at', e.ts,
                                              'session_end_cause', e.extra->>'cause')
    FROM (SELECT DISTINCT ON (client_id) * FROM ends ORDER BY client_id, ts DESC, ord DESC) e
    WHERE s.client_id = e.client_id AND s.last_event_type = 'disconnect' AND s.last_event_ts <= e.ts
      AND s.extra->>'broker_id' IS NOT DISTINCT FROM e.extra->>'broker_id'
    RETURNING 1
)
SELECT (SELECT count(*) FROM per_broker), (SELECT count(*) FROM end_history), (SELECT count(*) FROM ended)
