-- conn-plugin: idempotent replays. Every event carries extra->>'event_key'
-- (<boot id>:<sequence>); an event written twice (a retry after a commit whose
-- outcome was unknown, a spool replay) is stored once. Rows without a key
-- (NULL) are not constrained. Optional: without this index (a role that may
-- not CREATE) the plugin still works, without the duplicate guard.
CREATE UNIQUE INDEX IF NOT EXISTS client_conn_events_event_key_idx
  ON client_conn_events ((extra->>'event_key'));
