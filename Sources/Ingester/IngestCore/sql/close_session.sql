-- sys-ingester: closes the client's open session(s) at this broker. $1 broker, $2 client,
-- $3 end_ts (epoch microseconds).
UPDATE sessions SET end_ts = GREATEST(start_ts, to_timestamp($3::bigint / 1e6) AT TIME ZONE 'UTC')
WHERE broker = $1 AND client = $2 AND end_ts IS NULL
