-- sys-ingester: folds the samples of a burst into broker_metrics_rollup, in the transaction that
-- inserts them into broker_metrics (same $1..$4 as insert_metrics.sql), so the rollups are kept
-- incrementally and never by rescanning history. Per metric, 1-minute and 1-hour UTC buckets:
-- samples and sum add up, min and max widen, last is the value of the latest sample (by ts; a
-- tie goes to the later one in the burst).
WITH samples AS (
    SELECT m.metric, m.value, to_timestamp(m.ts / 1e6) AT TIME ZONE 'UTC' AS ts, m.ord
    FROM unnest($2::text[], $3::float8[], $4::bigint[]) WITH ORDINALITY AS m (metric, value, ts, ord)
),
buckets AS (
    SELECT s.metric, w.width, date_trunc(w.unit, s.ts) AS bucket_start,
           count(*) AS samples, min(s.value) AS min, max(s.value) AS max, sum(s.value) AS sum,
           (array_agg(s.value ORDER BY s.ts DESC, s.ord DESC))[1] AS last, max(s.ts) AS last_ts
    FROM samples s
    CROSS JOIN (VALUES ('minute', interval '1 minute'), ('hour', interval '1 hour')) AS w (unit, width)
    GROUP BY s.metric, w.width, date_trunc(w.unit, s.ts)
)
INSERT INTO broker_metrics_rollup AS r (broker, metric, bucket_width, bucket_start, samples, min, max, sum, last, last_ts)
SELECT $1, metric, width, bucket_start, samples, min, max, sum, last, last_ts
FROM buckets
ORDER BY metric, width, bucket_start
ON CONFLICT (broker, metric, bucket_width, bucket_start) DO UPDATE SET
    samples = r.samples + EXCLUDED.samples,
    min = LEAST(r.min, EXCLUDED.min),
    max = GREATEST(r.max, EXCLUDED.max),
    sum = r.sum + EXCLUDED.sum,
    last = CASE WHEN EXCLUDED.last_ts >= r.last_ts THEN EXCLUDED.last ELSE r.last END,
    last_ts = GREATEST(r.last_ts, EXCLUDED.last_ts)
