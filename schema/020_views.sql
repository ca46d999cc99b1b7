-- Views for the typical reads of seed 001 (sys-ingester tables) and of the
-- conn-plugin's tables (schema/001_conn_plugin.sql, 003_presence.sql). Needs 001, 003 and 010
-- applied first. CREATE OR REPLACE keeps it idempotent; sys-ingester applies it at start.

-- Connected now: sessions still open, one row per connection window.
CREATE OR REPLACE VIEW connected_now AS
SELECT s.id AS session_id, s.broker, s.client, s.username, s.start_ts,
       (now() AT TIME ZONE 'UTC') - s.start_ts AS connected_for
FROM sessions s
WHERE s.end_ts IS NULL;

-- Live subscriptions: active = TRUE. client_connected tells whether the client has an open
-- session right now (a persistent session keeps its subscriptions while offline).
CREATE OR REPLACE VIEW live_subscriptions AS
SELECT sub.client, sub.topic, sub.qos, sub.session_id, sub.created_at, sub.updated_at,
       EXISTS (SELECT 1 FROM sessions s WHERE s.client = sub.client AND s.end_ts IS NULL) AS client_connected
FROM subscriptions sub
WHERE sub.active;

-- Latest value per metric and broker.
CREATE OR REPLACE VIEW latest_metrics AS
SELECT DISTINCT ON (m.broker, m.metric) m.broker, m.metric, m.value, m.ts
FROM broker_metrics m
ORDER BY m.broker, m.metric, m.ts DESC, m.id DESC;

-- Connects vs disconnects per minute and broker (bucket start in UTC).
CREATE OR REPLACE VIEW connects_per_minute AS
SELECT date_trunc('minute', e.ts) AS bucket, e.broker,
       count(*) FILTER (WHERE e.action = 'connected') AS connects,
       count(*) FILTER (WHERE e.action = 'disconnected') AS disconnects
FROM events e
WHERE e.action IN ('connected', 'disconnected')
GROUP BY 1, 2;

-- Recent activity feed: the last 24 hours of events; read it with ORDER BY ts DESC, id DESC.
CREATE OR REPLACE VIEW recent_activity AS
SELECT e.id, e.ts, e.broker, e.action, e.client, e.topic, e.qos, e.username, e.raw
FROM events e
WHERE e.ts > (now() AT TIME ZONE 'UTC') - interval '24 hours';

-- conn-plugin: clients whose last recorded event is a connect.
CREATE OR REPLACE VIEW conn_online_now AS
SELECT cs.client_id, cs.username, cs.last_connect_ts, cs.last_peer, cs.last_protocol,
       now() - cs.last_connect_ts AS connected_for
FROM client_sessions cs
WHERE cs.last_event_type = 'connect';

-- conn-plugin: clients that disconnect most often (last 24 hours), worst first.
-- abnormal counts disconnects whose reason code is not 0 (0 = normal disconnection).
CREATE OR REPLACE VIEW conn_frequent_droppers AS
SELECT ev.client_id,
       count(*) AS disconnects,
       count(*) FILTER (WHERE ev.reason_code IS DISTINCT FROM 0) AS abnormal,
       max(ev.ts) AS last_disconnect_ts
FROM client_conn_events ev
WHERE ev.event_type = 'disconnect' AND ev.ts > now() - interval '24 hours'
GROUP BY ev.client_id
ORDER BY disconnects DESC, last_disconnect_ts DESC;

-- Presence cross-check, one row per broker of broker_status: clients the conn-plugin shows
-- online (client_presence), clients the ingester shows connected (its open sessions, plus its own
-- MQTT connection while it receives $SYS messages: it subscribes to the log only after connecting,
-- so it never reads its own connect line; NULL when no ingester watches that broker under the
-- same name), the broker's own latest $SYS clients/connected (broker_metrics, which counts the
-- ingester too), and the differences. 0 is the healthy value; see README for the alert query.
CREATE OR REPLACE VIEW presence_drift AS
WITH plugin AS (
    SELECT broker_id, count(*) AS online FROM client_presence WHERE state = 'online' GROUP BY broker_id
), ingester AS (
    SELECT broker AS broker_id, count(*) AS connected FROM sessions WHERE end_ts IS NULL GROUP BY broker
), sys AS (
    SELECT DISTINCT ON (broker) broker AS broker_id, value, ts
    FROM broker_metrics WHERE metric = 'clients/connected' ORDER BY broker, ts DESC, id DESC
)
SELECT b.broker_id,
       CASE WHEN b.plugin_version IS NOT NULL THEN COALESCE(p.online, 0) END AS plugin_online,
       CASE WHEN b.ingester_last_seen IS NOT NULL THEN COALESCE(i.connected, 0) + own.connected END
         AS ingester_connected,
       s.value::bigint AS sys_connected,
       s.ts AS sys_ts,
       CASE WHEN b.plugin_version IS NOT NULL THEN COALESCE(p.online, 0) - s.value::bigint END AS plugin_drift,
       CASE WHEN b.ingester_last_seen IS NOT NULL THEN COALESCE(i.connected, 0) + own.connected - s.value::bigint END
         AS ingester_drift
FROM broker_status b
CROSS JOIN LATERAL (
    SELECT CASE WHEN b.ingester_last_seen > now() - 3 * b.status_interval_s * interval '1 second' THEN 1 ELSE 0 END
) AS own (connected)
LEFT JOIN plugin p USING (broker_id)
LEFT JOIN ingester i USING (broker_id)
LEFT JOIN sys s USING (broker_id);
