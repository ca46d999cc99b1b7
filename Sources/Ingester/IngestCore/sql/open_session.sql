-- sys-ingester: opens a session. $1 broker, $2 client, $3 username, $4 start_ts (epoch microseconds).
INSERT INTO sessions (client_id, client, username, start_ts, broker)
SELECT (SELECT id FROM clients WHERE client = $2), $2, $3, to_timestamp($4::bigint / 1e6) AT TIME ZONE 'UTC', $1
