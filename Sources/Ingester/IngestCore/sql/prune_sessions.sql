-- sys-ingester retention, one bounded step: deletes at most $2 closed sessions that ended more
-- than $1 days ago (end_ts holds UTC). Open sessions (end_ts NULL) are never pruned, however old.
-- subscriptions.session_id of a deleted session becomes NULL (the seed's ON DELETE SET NULL).
DELETE FROM sessions
WHERE ctid = ANY (ARRAY(
    SELECT ctid FROM sessions
    WHERE end_ts IS NOT NULL AND end_ts < (now() AT TIME ZONE 'UTC') - $1::integer * interval '1 day'
    LIMIT $2::integer))
