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
