-- Presence beyond seed 000's one row per client: broker liveness, per-broker client state and
-- the end of kept MQTT sessions. Added tables and a view (docs/events.md, "Presence"); seed 000's
-- tables are unchanged. The conn-plugin applies this file at start when a table is missing,
-- sys-ingester too (it keeps broker_status rows for the brokers it watches); it is idempotent.

-- One row per broker id: when it started, when it was last known alive, whether it stopped
-- cleanly. The conn-plugin heartbeats every status interval (every 10 s with status_interval 0);
-- sys-ingester refreshes last_seen while $SYS messages arrive. A running broker whose last_seen
-- is older than 3 x status_interval_s crashed, hangs or is cut off.
CREATE TABLE IF NOT EXISTS broker_status (
  broker_id          TEXT PRIMARY KEY,
  boot_id            TEXT,
  version            TEXT,
  started_at         TIMESTAMPTZ,
  last_seen          TIMESTAMPTZ NOT NULL,
  stopped_at         TIMESTAMPTZ,
  status_interval_s  INTEGER NOT NULL CHECK (status_interval_s > 0),
  plugin_version     TEXT,
  reporter           TEXT,
  -- When sys-ingester last received a $SYS message from this broker (NULL: not watched by one).
  ingester_last_seen TIMESTAMPTZ
);

-- One row per client and broker it was seen through: connected, kept (the connection ended, the
-- broker holds the MQTT session) or ended. Written by the conn-plugin with every event.
CREATE TABLE IF NOT EXISTS client_broker_presence (
  client_id      TEXT NOT NULL,
  broker_id      TEXT NOT NULL,
  username       TEXT,
  state          TEXT NOT NULL CHECK (state IN ('connected', 'kept', 'ended')),
  since          TIMESTAMPTZ NOT NULL,
  last_event_ts  TIMESTAMPTZ NOT NULL,
  boot_id        TEXT,
  peer           TEXT,
  protocol       TEXT,
  PRIMARY KEY (client_id, broker_id)
);

CREATE INDEX IF NOT EXISTS client_broker_presence_broker_state_idx
  ON client_broker_presence (broker_id, state);

-- When a kept session ended after its connection (history: one row per session end; the
-- connection's own disconnect row is in client_conn_events). cause: session_expired,
-- session_discarded (the client came back with clean start) or session_not_restored (the
-- broker restarted without it).
CREATE TABLE IF NOT EXISTS client_session_ends (
  id         BIGSERIAL PRIMARY KEY,
  ts         TIMESTAMPTZ NOT NULL,
  client_id  TEXT NOT NULL,
  broker_id  TEXT NOT NULL,
  cause      TEXT NOT NULL,
  event_key  TEXT NOT NULL UNIQUE,
  extra      JSONB
);

CREATE INDEX IF NOT EXISTS client_session_ends_client_ts_idx
  ON client_session_ends (client_id, ts DESC);

-- Who is online now, per client and broker: online, session_kept, offline, or unknown when the
-- broker that last had the client connected (or holding its session) went silent without a clean
-- stop. `since` is when the client entered its state (for unknown: the broker's last sign of life).
CREATE OR REPLACE VIEW client_presence AS
SELECT p.client_id, p.username, p.broker_id,
       CASE
         WHEN p.state IN ('connected', 'kept') AND b.stopped_at IS NULL
              AND b.last_seen < now() - 3 * b.status_interval_s * interval '1 second' THEN 'unknown'
         WHEN p.state = 'connected' AND b.stopped_at IS NOT NULL AND b.stopped_at > p.last_event_ts THEN 'offline'
         WHEN p.state = 'connected' THEN 'online'
         WHEN p.state = 'kept' THEN 'session_kept'
         ELSE 'offline'
       END AS state,
       CASE
         WHEN p.state IN ('connected', 'kept') AND b.stopped_at IS NULL
              AND b.last_seen < now() - 3 * b.status_interval_s * interval '1 second' THEN b.last_seen
         ELSE p.since
       END AS since,
       p.peer, p.protocol, p.last_event_ts, b.last_seen AS broker_last_seen
FROM client_broker_presence p
LEFT JOIN broker_status b USING (broker_id);
