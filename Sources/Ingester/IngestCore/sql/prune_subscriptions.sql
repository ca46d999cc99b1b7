-- sys-ingester retention, one bounded step: deletes at most $2 inactive subscriptions (active
-- false: unsubscribed, or their session ended) last changed more than $1 days ago. Active
-- subscriptions are never pruned.
DELETE FROM subscriptions
WHERE ctid = ANY (ARRAY(
    SELECT ctid FROM subscriptions
    WHERE NOT active
      AND COALESCE(updated_at, created_at) < (now() AT TIME ZONE 'UTC') - $1::integer * interval '1 day'
    LIMIT $2::integer))
