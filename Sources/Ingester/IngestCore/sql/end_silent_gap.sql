-- sys-ingester: broker $1 publishes $SYS again at $2 (epoch microseconds): ends its open silent gap.
UPDATE ingest_gaps SET ended_at = GREATEST(started_at, to_timestamp($2::bigint / 1e6) AT TIME ZONE 'UTC')
WHERE broker = $1 AND kind = 'broker_silent' AND ended_at IS NULL
