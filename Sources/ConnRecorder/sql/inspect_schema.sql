-- conn-plugin: which of its objects exist: (both tables, the event-key index).
SELECT to_regclass('client_conn_events') IS NOT NULL AND to_regclass('client_sessions') IS NOT NULL,
       to_regclass('client_conn_events_event_key_idx') IS NOT NULL
