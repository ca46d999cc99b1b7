-- sys-ingester: one broker_metrics row per metric of a burst. $1 broker; $2 metric[], $3 value[],
-- $4 ts[] (epoch microseconds), one element per metric. Timestamps are stored as UTC TIMESTAMPs, the
-- seed's column type.
INSERT INTO broker_metrics (broker, metric, value, ts)
SELECT $1, m.metric, m.value, to_timestamp(m.ts / 1e6) AT TIME ZONE 'UTC'
FROM unnest($2::text[], $3::float8[], $4::bigint[]) AS m (metric, value, ts)
