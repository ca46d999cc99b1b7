-- dashboard: connects and disconnects per broker and minute over the last hour (minutes ago,
-- 0-59): from the plugin's history where a plugin reports, from the ingester's events otherwise.
-- Lines between `-- when <relations>` and `-- end` are kept only where all the relations exist
-- (DashboardSQL.variant); with neither client_conn_events nor events there is no statement.
SELECT extra->>'broker_id' AS broker_id, floor(extract(epoch FROM now() - ts) / 60)::int AS ago,
       count(*) FILTER (WHERE event_type = 'connect') AS connects,
       count(*) FILTER (WHERE event_type = 'disconnect') AS disconnects
FROM client_conn_events WHERE ts > now() - interval '1 hour'
GROUP BY 1, 2
UNION ALL
SELECT broker, floor(extract(epoch FROM (now() AT TIME ZONE 'UTC') - ts) / 60)::int,
       count(*) FILTER (WHERE action = 'connected'), count(*) FILTER (WHERE action = 'disconnected')
FROM events WHERE ts > (now() AT TIME ZONE 'UTC') - interval '1 hour'
  AND action IN ('connected', 'disconnected')
GROUP BY 1, 2