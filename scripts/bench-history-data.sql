-- `BENCH_MODE=history make bench` (scripts/bench-history.sh): fills client_conn_events with
-- :rows generated rows (connect/disconnect pairs of :clients client ids over the :days days up to
-- now, in time order as the plugin appends them), then client_sessions, client_broker_presence
-- and broker_status with each client's latest state, as the plugin would have left them.
-- Run by psql with -v rows=... -v clients=... -v days=... on a database holding schema/001-003.
--
-- Each client connects every clients * period seconds and stays 1-61 minutes (below that
-- spacing for the defaults: 20,000 clients, 20 million rows, 30 days: a connect every 86 min);
-- the last event is about an hour ago. One client in three is connected now (its last
-- disconnect is left out, so the table holds :rows - :clients / 3 rows).
-- One client in 100 is flaky: every one of its disconnects is unclean (reason_code 7, socket
-- closed without DISCONNECT); the others lose their connection once in 50. The extra object has
-- the keys the plugin writes (docs/events.md), about the same size.

-- Loading without the secondary indexes and building them afterwards is much faster than
-- maintaining them row by row; schema/001 and 002 (IF NOT EXISTS) build them again below.
DROP INDEX IF EXISTS client_conn_events_client_ts_idx, client_conn_events_ts_idx,
    client_conn_events_event_key_idx;

INSERT INTO client_conn_events (ts, event_type, client_id, username, peer, protocol, reason_code, extra)
SELECT ts, kind, client_id, 'user-' || client, '10.' || (client / 65536) % 256 || '.' || (client / 256) % 256
           || '.' || client % 256 || ':' || (40000 + pair % 20000), 'MQTT/3.1.1', reason, extra
FROM (
    SELECT i, pair, client, 'device-' || lpad(client::text, 6, '0') AS client_id,
           CASE WHEN i % 2 = 0 THEN 'connect' ELSE 'disconnect' END AS kind,
           now() - :days * interval '1 day' - interval '3660 seconds'
             + (pair * (:days * 86400.0 / (:rows / 2))) * interval '1 second'
             + CASE WHEN i % 2 = 1 THEN (60 + (pair * 7919) % 3600) * interval '1 second'
                    ELSE interval '0' END AS ts,
           CASE WHEN i % 2 = 0 THEN NULL
                WHEN client % 100 = 0 OR (pair * 7919) % 50 = 0 THEN 7 ELSE 0 END AS reason,
           jsonb_build_object('seq', i, 'boot_id', 'bench-history', 'broker_id', 'broker-' || client % 4,
               'event_key', 'bench-history:' || i, 'connection_seq', pair, 'listener_port', 1883,
               'keepalive', 60, 'clean_start', true, 'transport', 'tcp', 'session_persists', false,
               'session_state', CASE WHEN i % 2 = 0 THEN 'connected' ELSE 'ended' END)
             || CASE WHEN i % 2 = 1 THEN jsonb_build_object('cause', 'disconnect') ELSE '{}' END AS extra
    FROM (SELECT i, i / 2 AS pair, (i / 2) % :clients AS client FROM generate_series(0::bigint, :rows - 1) AS i) AS n
) AS g
-- One client in three is still connected: its last disconnect is not written.
WHERE NOT (kind = 'disconnect' AND pair >= :rows / 2 - :clients AND client % 3 = 0);

\ir ../schema/001_conn_plugin.sql
\ir ../schema/002_conn_plugin_keys.sql
VACUUM ANALYZE client_conn_events;

-- Latest state per client: its last event lies within the last 2 * clients * period seconds.
INSERT INTO client_sessions (client_id, username, last_event_ts, last_event_type, last_connect_ts,
                             last_disconnect_ts, last_peer, last_protocol, last_reason_code, extra)
SELECT DISTINCT ON (client_id) client_id, username, ts, event_type,
       CASE WHEN event_type = 'connect' THEN ts
            ELSE ts - (60 + ((extra->>'connection_seq')::bigint * 7919) % 3600) * interval '1 second' END,
       CASE WHEN event_type = 'disconnect' THEN ts END, peer, protocol, reason_code, extra
FROM client_conn_events
WHERE ts > now() - 2 * :clients * (:days * 86400.0 / (:rows / 2)) * interval '1 second' - interval '1 hour'
ORDER BY client_id, ts DESC
ON CONFLICT (client_id) DO NOTHING;

INSERT INTO broker_status (broker_id, boot_id, version, started_at, last_seen, status_interval_s, reporter)
SELECT 'broker-' || b, 'bench-history', '2.1.2', now() - :days * interval '1 day', now(), 10, 'conn-plugin'
FROM generate_series(0, 3) AS b
ON CONFLICT (broker_id) DO NOTHING;

INSERT INTO client_broker_presence (client_id, broker_id, username, state, since, last_event_ts, boot_id, peer, protocol)
SELECT client_id, extra->>'broker_id', username,
       CASE WHEN last_event_type = 'connect' THEN 'connected' ELSE 'ended' END, last_event_ts, last_event_ts,
       'bench-history', last_peer, last_protocol
FROM client_sessions
ON CONFLICT (client_id, broker_id) DO NOTHING;
ANALYZE client_sessions;
ANALYZE client_broker_presence;
ANALYZE broker_status;
