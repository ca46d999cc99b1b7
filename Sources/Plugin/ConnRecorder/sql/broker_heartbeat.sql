-- conn-plugin: this broker is alive ($5 false) or stopped cleanly ($5 true). The writer thread runs
-- it at start, every status interval and at a clean stop; never spooled (only the latest matters).
-- $1 broker_id, $2 boot_id, $3 started_at (microseconds since the epoch), $4 status_interval_s,
-- $5 stopping, $6 plugin_version. last_seen is the server's clock, which the client_presence view
-- compares it with.
INSERT INTO broker_status AS b (broker_id, boot_id, started_at, last_seen, stopped_at, status_interval_s,
                                plugin_version, reporter)
VALUES ($1, $2, timestamptz 'epoch' + $3::bigint * interval '1 microsecond', now(),
        CASE WHEN $5::boolean THEN now() END, $4::integer, $6, 'conn-plugin')
ON CONFLICT (broker_id) DO UPDATE SET
    boot_id = EXCLUDED.boot_id,
    started_at = EXCLUDED.started_at,
    last_seen = EXCLUDED.last_seen,
    stopped_at = EXCLUDED.stopped_at,
    status_interval_s = EXCLUDED.status_interval_s,
    plugin_version = EXCLUDED.plugin_version,
    reporter = EXCLUDED.reporter
