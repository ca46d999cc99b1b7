-- conn-plugin: how far client_daily_stats has counted each broker's history. The plugin's writer
-- folds its broker's new client_conn_events rows into client_daily_stats every few seconds, off
-- the event's transaction (sql/fold_daily_stats.sql), and moves folded_through in the same
-- statement, so every row is counted exactly once across crashes, spool replays and restarts.
-- Rows are folded only once every transaction that could still insert a lower id has ended (ids
-- are taken when a row is inserted, not when it commits; docs/events.md "Daily statistics").
-- Added table (docs/events.md); needs schema/030_retention_rollups.sql. Idempotent.
CREATE TABLE IF NOT EXISTS client_daily_stats_folds (
  broker_id       TEXT PRIMARY KEY,
  -- Every client_conn_events row of this broker with id <= folded_through is counted.
  folded_through  BIGINT NOT NULL,
  folded_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
