-- sys-ingester: when an ingester last heard broker $1 (epoch microseconds), or no row.
SELECT (extract(epoch FROM ingester_last_seen) * 1000000)::bigint FROM broker_status
WHERE broker_id = $1 AND ingester_last_seen IS NOT NULL
