-- dashboard: one page of client_presence rows in (client_id, broker_id) order, filtered by broker
-- ($1), state ($2), client-id prefix ($3) and username ($4), each NULL for any; after the cursor
-- ($5, $6: client id and broker id of the previous page's last row, or NULL); at most $7 rows
-- (the caller asks one more than it shows, to know whether there is a next page). Each row: client
-- id, broker id, state, since, peer, protocol, username, last event (RFC 3339, UTC), unclean
-- disconnects today and over the last 7 UTC days (0 without client_daily_stats).
-- Lines between `-- when <relation>` and `-- else` or `-- end` are kept only where the relation
-- exists, those between `-- else` and `-- end` only where it does not (DashboardSQL.variant).
SELECT p.client_id, p.broker_id, p.state, to_char(p.since AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
       p.peer, p.protocol, p.username, to_char(p.last_event_ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
       COALESCE(d.today, 0), COALESCE(d.week, 0)
FROM client_presence p
LEFT JOIN (SELECT NULL::bigint AS today, NULL::bigint AS week) d ON true
WHERE ($1::text IS NULL OR p.broker_id = $1)
  AND ($2::text IS NULL OR p.state = $2)
  AND ($3::text IS NULL OR starts_with(p.client_id, $3))
  AND ($4::text IS NULL OR p.username = $4)
  AND ($5::text IS NULL OR (p.client_id, p.broker_id) > ($5, $6::text))
ORDER BY p.client_id, p.broker_id
LIMIT $7