-- dashboard: client $1's connects, disconnects and session ends, newest first, from $2 (inclusive)
-- to $3 (exclusive), both epoch microseconds or NULL; after the cursor ($4 epoch microseconds, $5
-- source: 0 client_conn_events, 1 client_session_ends, $6 id; or NULL); at most $7 rows (the caller
-- asks one more than it shows). Each row: epoch microseconds, source, id, event type, broker id,
-- reason code, peer, protocol, username, cause.
-- Each branch is an index scan of (client_id, ts DESC) bounded by the range and the cursor (the
-- plain `ts <=` makes the cursor an index condition; the row comparison breaks ties), limited
-- before the merge.
-- Lines between `-- when <relation>` and `-- end` are kept only where the relation exists
-- (DashboardSQL.variant).
SELECT * FROM (
(SELECT (extract(epoch FROM ts) * 1000000)::bigint AS micros, 0 AS source, id, event_type, extra->>'broker_id',
        reason_code::bigint, peer, protocol, username, extra->>'cause'
 FROM client_conn_events
 WHERE client_id = $1
   AND ($2::bigint IS NULL OR ts >= timestamptz 'epoch' + $2::bigint * interval '1 microsecond')
   AND ($3::bigint IS NULL OR ts < timestamptz 'epoch' + $3::bigint * interval '1 microsecond')
   AND ($4::bigint IS NULL OR (ts <= timestamptz 'epoch' + $4::bigint * interval '1 microsecond'
        AND (ts, 0, id) < (timestamptz 'epoch' + $4::bigint * interval '1 microsecond', $5::int, $6::bigint)))
 ORDER BY ts DESC, id DESC
 LIMIT $7)
-- when client_session_ends
UNION ALL
(SELECT (extract(epoch FROM ts) * 1000000)::bigint, 1, id, 'session_end', broker_id, NULL::bigint, NULL, NULL, NULL,
        cause
 FROM client_session_ends
 WHERE client_id = $1
   AND ($2::bigint IS NULL OR ts >= timestamptz 'epoch' + $2::bigint * interval '1 microsecond')
   AND ($3::bigint IS NULL OR ts < timestamptz 'epoch' + $3::bigint * interval '1 microsecond')
   AND ($4::bigint IS NULL OR (ts <= timestamptz 'epoch' + $4::bigint * interval '1 microsecond'
        AND (ts, 1, id) < (timestamptz 'epoch' + $4::bigint * interval '1 microsecond', $5::int, $6::bigint)))
 ORDER BY ts DESC, id DESC
 LIMIT $7)
-- end
) AS e ORDER BY 1 DESC, 2 DESC, 3 DESC LIMIT $7
