-- sys-ingester: an active subscription in the client's open session. $1 broker, $2 client,
-- $3 topic, $4 qos, $5 ts (epoch microseconds).
INSERT INTO subscriptions (session_id, client, topic, qos, active, created_at, updated_at)
VALUES (
  (SELECT id FROM sessions WHERE broker = $1 AND client = $2 AND end_ts IS NULL
   ORDER BY start_ts DESC, id DESC LIMIT 1),
  $2, $3, $4, TRUE, to_timestamp($5::bigint / 1e6) AT TIME ZONE 'UTC', to_timestamp($5::bigint / 1e6) AT TIME ZONE 'UTC')
ON CONFLICT (client, topic) DO UPDATE SET
  session_id = EXCLUDED.session_id, qos = EXCLUDED.qos, active = TRUE, updated_at = EXCLUDED.updated_at
