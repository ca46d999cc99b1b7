-- sys-ingester rollup retention (--rollup-retention-days), one bounded step: deletes at most $2
-- broker_metrics_rollup buckets that began more than $1 days ago (bucket_start holds UTC).
DELETE FROM broker_metrics_rollup
WHERE ctid = ANY (ARRAY(
    SELECT ctid FROM broker_metrics_rollup
    WHERE bucket_start < (now() AT TIME ZONE 'UTC') - $1::integer * interval '1 day'
    LIMIT $2::integer))
