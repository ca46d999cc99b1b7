-- sys-ingester retention, one bounded step: deletes at most $2 rows of events older than $1 days
-- (ts holds UTC). Repeated until a step deletes fewer than $2 rows (RetentionMaintainer). By
-- ctid, so each step deletes exactly the rows its subquery found.
DELETE FROM events
WHERE ctid = ANY (ARRAY(
    SELECT ctid FROM events
    WHERE ts < (now() AT TIME ZONE 'UTC') - $1::integer * interval '1 day'
    LIMIT $2::integer))
