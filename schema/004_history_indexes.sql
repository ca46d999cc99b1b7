-- conn-plugin: an index for "devices that dropped more than N times today" on a long history
-- (docs/performance.md, "History queries at 20 million rows"). Seed 000's two indexes already
-- serve "history of device X" (client_id, ts DESC) and time ranges (ts DESC); counting unclean
-- disconnects per client over a day (README, "Questions in SQL": not a clean DISCONNECT, not a
-- broker shutdown) would otherwise read every row of that day from the table. The partial index
-- holds only those disconnects, with the predicate of that query, so the count is an index-only
-- scan of the day's few thousand drops.
--
-- Not applied by the plugin or sys-ingester at start: on a history of millions of rows the
-- build takes minutes. Apply it by hand, once, with psql (each statement runs on its own, so
-- CONCURRENTLY can build the index while the plugin keeps writing):
--   psql "$DSN" -f schema/004_history_indexes.sql
-- A table converted by scripts/partition-conn-events.sh has it already (CONCURRENTLY is not
-- possible on a partitioned table; the conversion builds it per partition).
CREATE INDEX CONCURRENTLY IF NOT EXISTS client_conn_events_unclean_ts_idx
  ON client_conn_events (ts DESC, client_id)
  WHERE event_type = 'disconnect' AND reason_code IS DISTINCT FROM 0
    AND extra->>'cause' IS DISTINCT FROM 'broker_shutdown';
