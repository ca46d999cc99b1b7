-- sys-ingester: a disconnect whose "client" may be a peer address touches an existing clients row
-- only. $1 client, $2 last_seen (epoch microseconds).
UPDATE clients SET last_seen = GREATEST(last_seen, to_timestamp($2::bigint / 1e6) AT TIME ZONE 'UTC')
WHERE client = $1
