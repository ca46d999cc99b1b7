-- sys-ingester: closes every open session at this broker except those of the clients in $2.
-- $1 broker, $2 text[] of clients, $3 end_ts (epoch microseconds).
UPDATE sessions SET end_ts = GREATEST(start_ts, to_timestamp($3::bigint / 1e6) AT TIME ZONE 'UTC')
WHERE broker = $1 AND end_ts IS NULL AND NOT (client = ANY ($2::text[]))
