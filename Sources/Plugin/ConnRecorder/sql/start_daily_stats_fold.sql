-- conn-plugin: where broker $1's daily-statistics fold stands (client_daily_stats_folds), created
-- at the newest id of client_conn_events the first time. Everything stored before that was counted
-- by the release that wrote it (it counted in each write's transaction) or, on a history from before
-- schema/030, never counted; either way it is not counted again.
WITH created AS (
    INSERT INTO client_daily_stats_folds (broker_id, folded_through)
    SELECT $1, COALESCE((SELECT max(id) FROM client_conn_events), 0)
    ON CONFLICT (broker_id) DO NOTHING
    RETURNING folded_through
)
SELECT folded_through FROM created
UNION ALL
SELECT folded_through FROM client_daily_stats_folds WHERE broker_id = $1
LIMIT 1
