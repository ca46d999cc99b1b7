-- Both programs: takes the advisory lock of one maintenance job ($1: its fixed key, see
-- docs/events.md "Retention") for this session if nobody holds it; one maintainer at a time
-- among every plugin and ingester sharing the database.
SELECT pg_try_advisory_lock($1::bigint)
