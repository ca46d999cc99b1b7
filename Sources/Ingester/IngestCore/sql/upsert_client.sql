-- sys-ingester: creates or widens a clients row. $1 client, $2 username, $3 first_seen and
-- $4 last_seen (epoch microseconds), $5 whether $2 replaces the stored username.
INSERT INTO clients (client, username, first_seen, last_seen)
VALUES ($1, $2, to_timestamp($3::bigint / 1e6) AT TIME ZONE 'UTC', to_timestamp($4::bigint / 1e6) AT TIME ZONE 'UTC')
ON CONFLICT (client) DO UPDATE SET
  username = CASE WHEN $5::bool THEN EXCLUDED.username ELSE clients.username END,
  first_seen = LEAST(clients.first_seen, EXCLUDED.first_seen),
  last_seen = GREATEST(clients.last_seen, EXCLUDED.last_seen)
