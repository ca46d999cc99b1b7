-- sys-ingester: a gap in what broker $1 told us (schema/015_ingest_gaps.sql). $2 kind,
-- $3 started_at, $4 ended_at or NULL (epoch microseconds), $5 sessions closed because of it.
INSERT INTO ingest_gaps (broker, kind, started_at, ended_at, sessions_closed)
VALUES ($1, $2, to_timestamp($3::bigint / 1e6) AT TIME ZONE 'UTC', to_timestamp($4::bigint / 1e6) AT TIME ZONE 'UTC',
        $5::integer)
