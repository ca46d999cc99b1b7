-- dashboard: one row per broker of broker_status: its state, presence counts, drift, last seen,
-- started and stopped (RFC 3339, UTC), uptime in seconds, messages per second and offline count.
-- Lines between `-- when <relation>` and `-- else` or `-- end` are kept only where the relation
-- exists, those between `-- else` and `-- end` only where it does not (DashboardSQL.variant).
-- The state, in order: a clean stop recorded; the ingester connected but no $SYS (an open
-- broker_silent gap); no sign of life for 3 status intervals (the rule of client_presence's
-- 'unknown'); else up.
WITH counts AS (
  SELECT NULL::text AS broker_id, 0::bigint AS online, 0::bigint AS session_kept, 0::bigint AS unknown,
         0::bigint AS offline
  WHERE false
)
SELECT b.broker_id,
       CASE WHEN b.stopped_at IS NOT NULL THEN 'stopped'
            WHEN b.last_seen < now() - 3 * b.status_interval_s * interval '1 second' THEN 'lost'
            ELSE 'up' END,
       COALESCE(c.online, 0), COALESCE(c.session_kept, 0), COALESCE(c.unknown, 0),
       d.plugin_drift, d.ingester_drift, d.sys_connected,
       to_char(b.last_seen AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
       to_char(b.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
       to_char(b.stopped_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
       COALESCE(up.value + extract(epoch FROM (now() AT TIME ZONE 'UTC') - up.ts),
                extract(epoch FROM now() - b.started_at)),
       msg.value / 60.0,
       COALESCE(c.offline, 0)
FROM broker_status b
LEFT JOIN counts c USING (broker_id)
LEFT JOIN presence_drift d USING (broker_id)
LEFT JOIN LATERAL (SELECT value, ts FROM broker_metrics m WHERE m.broker = b.broker_id AND m.metric = 'uptime'
                   ORDER BY ts DESC LIMIT 1) up ON b.stopped_at IS NULL
LEFT JOIN LATERAL (SELECT value FROM broker_metrics m WHERE m.broker = b.broker_id
                     AND m.metric = 'load/messages/received/1min' ORDER BY ts DESC LIMIT 1) msg ON true
ORDER BY b.broker_id