// Generated from schema/ by scripts/embed-schema.sh; SchemaFilesTests checks that each constant
// equals its file byte for byte, so run the script after editing schema/.

/// The SQL files of schema/, embedded.
package enum SchemaFiles {
    /// Every file, in the order it must be applied (the views read the tables).
    package static let all: [(file: String, sql: String)] = [
        ("schema/001_conn_plugin.sql", connPluginTables),
        ("schema/002_conn_plugin_keys.sql", connPluginKeys),
        ("schema/010_sys_ingester.sql", sysIngesterTables),
        ("schema/020_views.sql", views),
    ]

    /// `schema/001_conn_plugin.sql`: the conn-plugin's tables, exactly seed 000 section 3.
    package static let connPluginTables = #"""
-- conn-plugin: connection history and one row per client.
-- The DDL of seed 000 section 3, unchanged. The plugin applies this file at
-- start when a table is missing; it is idempotent.

CREATE TABLE IF NOT EXISTS client_conn_events (
  id          BIGSERIAL PRIMARY KEY,
  ts          TIMESTAMPTZ NOT NULL,
  event_type  TEXT NOT NULL CHECK (event_type IN ('connect', 'disconnect')),
  client_id   TEXT NOT NULL,
  username    TEXT,
  peer        TEXT,
  protocol    TEXT,
  reason_code INTEGER,
  extra       JSONB
);

CREATE INDEX IF NOT EXISTS client_conn_events_client_ts_idx
  ON client_conn_events (client_id, ts DESC);

CREATE INDEX IF NOT EXISTS client_conn_events_ts_idx
  ON client_conn_events (ts DESC);

CREATE TABLE IF NOT EXISTS client_sessions (
  client_id           TEXT PRIMARY KEY,
  username            TEXT,
  last_event_ts       TIMESTAMPTZ NOT NULL,
  last_event_type     TEXT NOT NULL CHECK (last_event_type IN ('connect', 'disconnect')),
  last_connect_ts     TIMESTAMPTZ,
  last_disconnect_ts  TIMESTAMPTZ,
  last_peer           TEXT,
  last_protocol       TEXT,
  last_reason_code    INTEGER,
  extra               JSONB
);

CREATE INDEX IF NOT EXISTS client_sessions_ts_idx
  ON client_sessions (last_event_ts DESC);

"""#

    /// `schema/002_conn_plugin_keys.sql`: the unique index that makes the plugin's replays idempotent.
    package static let connPluginKeys = #"""
-- conn-plugin: idempotent replays. Every event carries extra->>'event_key'
-- (<boot id>:<sequence>); an event written twice (a retry after a commit whose
-- outcome was unknown, a spool replay) is stored once. Rows without a key
-- (NULL) are not constrained. Optional: without this index (a role that may
-- not CREATE) the plugin still works, without the duplicate guard.
CREATE UNIQUE INDEX IF NOT EXISTS client_conn_events_event_key_idx
  ON client_conn_events ((extra->>'event_key'));

"""#

    /// `schema/010_sys_ingester.sql`: the WatchMQTT tables of seed 001.
    package static let sysIngesterTables = #"""
-- sys-ingester: the WatchMQTT tables of seed 001 (broker_metrics, events, clients,
-- sessions, subscriptions) with the seed's columns, types and named indexes.
-- The ingester applies this file at start when a table is missing; it is idempotent.
--
-- Additions to the seed, all nullable and documented in docs/sys-ingester.md:
--   events.broker, sessions.broker   which broker (--broker-name) the row came from;
--                                     a broker restart closes only that broker's sessions.
-- Timestamps are TIMESTAMP (without time zone) as in the seed and hold UTC.

CREATE TABLE IF NOT EXISTS broker_metrics (
  id      BIGSERIAL PRIMARY KEY,
  broker  TEXT NOT NULL,
  metric  TEXT NOT NULL,
  value   DOUBLE PRECISION NOT NULL,
  ts      TIMESTAMP NOT NULL
);

-- Time series of one metric, and the latest value per metric.
CREATE INDEX IF NOT EXISTS broker_metrics_broker_metric_ts_idx
  ON broker_metrics (broker, metric, ts DESC);

CREATE TABLE IF NOT EXISTS events (
  id        BIGSERIAL PRIMARY KEY,
  ts        TIMESTAMP NOT NULL,
  action    TEXT NOT NULL CHECK (action IN (
              'connected', 'disconnected', 'subscribe', 'unsubscribe', 'checkpoint', 'conn_info', 'unknown')),
  client    TEXT,
  topic     TEXT,
  qos       INTEGER,
  username  TEXT,
  raw       TEXT
);

ALTER TABLE events ADD COLUMN IF NOT EXISTS broker TEXT;

-- Recent activity feed; connects vs disconnects per time bucket.
CREATE INDEX IF NOT EXISTS events_ts_idx
  ON events (ts DESC);

CREATE INDEX IF NOT EXISTS events_action_ts_idx
  ON events (action, ts DESC);

CREATE TABLE IF NOT EXISTS clients (
  id          BIGSERIAL PRIMARY KEY,
  client      TEXT NOT NULL,
  username    TEXT,
  first_seen  TIMESTAMP,
  last_seen   TIMESTAMP
);

CREATE UNIQUE INDEX IF NOT EXISTS clients_client_unique
  ON clients (client);

CREATE TABLE IF NOT EXISTS sessions (
  id         BIGSERIAL PRIMARY KEY,
  client_id  BIGINT REFERENCES clients (id) ON DELETE SET NULL,
  client     TEXT,
  username   TEXT,
  start_ts   TIMESTAMP,
  end_ts     TIMESTAMP
);

ALTER TABLE sessions ADD COLUMN IF NOT EXISTS broker TEXT;

CREATE INDEX IF NOT EXISTS sessions_client_ts_idx
  ON sessions (client, start_ts);

-- "Connected now" and the ingester's look-up of a client's open session.
CREATE INDEX IF NOT EXISTS sessions_open_idx
  ON sessions (broker, client) WHERE end_ts IS NULL;

CREATE TABLE IF NOT EXISTS subscriptions (
  id          BIGSERIAL PRIMARY KEY,
  session_id  BIGINT REFERENCES sessions (id) ON DELETE SET NULL,
  client      TEXT NOT NULL,
  topic       TEXT NOT NULL,
  qos         INTEGER NOT NULL DEFAULT 0,
  active      BOOLEAN NOT NULL DEFAULT TRUE,
  created_at  TIMESTAMP,
  updated_at  TIMESTAMP
);

CREATE UNIQUE INDEX IF NOT EXISTS subscriptions_client_topic_idx
  ON subscriptions (client, topic);

"""#

    /// `schema/020_views.sql`: the views for the typical reads of both programs.
    package static let views = #"""
-- Views for the typical reads of seed 001 (sys-ingester tables) and of the
-- conn-plugin's tables (schema/001_conn_plugin.sql). Needs 001 and 010 applied
-- first. CREATE OR REPLACE keeps it idempotent; sys-ingester applies it at start.

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

"""#
}
