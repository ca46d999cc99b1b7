// Generated from schema/ by scripts/embed-schema.sh; a unit test checks they match.
// The plugin cannot read files next to its source at run time, so the SQL travels inside it.

/// The SQL files of schema/ that the plugin applies at start.
package enum ConnSchema {
    /// schema/001_conn_plugin.sql: the tables of seed 000, section 3.
    package static let tables = """
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
"""

    /// schema/002_conn_plugin_keys.sql: the unique index that makes replays idempotent.
    package static let eventKeyIndex = """
-- conn-plugin: idempotent replays. Every event carries extra->>'event_key'
-- (<boot id>:<sequence>); an event written twice (a retry after a commit whose
-- outcome was unknown, a spool replay) is stored once. Rows without a key
-- (NULL) are not constrained. Optional: without this index (a role that may
-- not CREATE) the plugin still works, without the duplicate guard.
CREATE UNIQUE INDEX IF NOT EXISTS client_conn_events_event_key_idx
  ON client_conn_events ((extra->>'event_key'));
"""
}
