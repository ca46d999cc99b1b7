-- conn-plugin retention, one bounded step: deletes at most $2 rows of client_conn_events older
-- than $1 days (by ts). The writer repeats it, writing pending event batches between steps, until
-- a step deletes fewer than $2 rows. By ctid: each step finds its rows with the ts index and
-- deletes them by tuple id, so a step costs the same however large the table is.
-- client_sessions (latest state) is never pruned.
DELETE FROM client_conn_events
WHERE ctid = ANY (ARRAY(
    SELECT ctid FROM client_conn_events
    WHERE ts < now() - $1::integer * interval '1 day'
    LIMIT $2::integer))
