-- conn-plugin: which of its objects exist: (both tables, the event-key index, the presence tables
-- of schema/003_presence.sql, the tables of schema/030_retention_rollups.sql and
-- schema/031_daily_stats_folds.sql it writes).
SELECT to_regclass('client_conn_events') IS NOT NULL AND to_regclass('client_sessions') IS NOT NULL,
       to_regclass('client_conn_events_event_key_idx') IS NOT NULL,
       to_regclass('broker_status') IS NOT NULL AND to_regclass('client_broker_presence') IS NOT NULL
         AND to_regclass('client_session_ends') IS NOT NULL AND to_regclass('client_presence') IS NOT NULL,
       to_regclass('client_daily_stats') IS NOT NULL AND to_regclass('maintenance_runs') IS NOT NULL
         AND to_regclass('top_droppers_week') IS NOT NULL
         AND to_regclass('client_daily_stats_folds') IS NOT NULL
