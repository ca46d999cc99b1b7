-- sys-ingester: one events row per log line of a burst, in order. $1 broker; then one array per
-- column, one element per line: $2 ts (epoch microseconds), $3 action, $4 client, $5 topic, $6 qos,
-- $7 username, $8 raw.
INSERT INTO events (broker, ts, action, client, topic, qos, username, raw)
SELECT $1, to_timestamp(e.ts / 1e6) AT TIME ZONE 'UTC', e.action, e.client, e.topic, e.qos, e.username, e.raw
FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[], $8::text[])
  WITH ORDINALITY AS e (ts, action, client, topic, qos, username, raw, n)
ORDER BY e.n
