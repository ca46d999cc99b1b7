-- dashboard: settings of each of its read-only sessions, once per connection.
-- default_transaction_read_only on: any statement that would write fails (SQLSTATE 25006),
-- whatever a query says.
-- statement_timeout ($1, milliseconds): no read runs longer than the dashboard waits for it.
-- application_name: tells these sessions apart in pg_stat_activity.
-- plan_cache_mode force_custom_plan: the reads are prepared statements, and their optional filters
-- (`$1::text IS NULL OR ...`) need the values to be planned well, so each execution is planned with
-- its values, as an unnamed statement would be.
SELECT set_config('default_transaction_read_only', 'on', false), set_config('statement_timeout', $1, false),
       set_config('application_name', 'sys-ingester-dashboard', false),
       set_config('plan_cache_mode', 'force_custom_plan', false)
