-- conn-plugin: settings of each of its sessions.
-- statement_timeout ($1, e.g. '1000ms'): the server itself abandons a statement the plugin stopped
-- waiting for.
-- plan_cache_mode force_generic_plan: the write statement is planned once per connection. Its
-- parameters are arrays, so with the default (auto) PostgreSQL finds a one-event custom plan
-- cheaper than the generic one and plans the whole statement again at every execution: about
-- 1.4 ms of CPU per event in sync mode, several times the statement's own execution (measured with
-- EXPLAIN ANALYZE, docs/performance.md). The generic plan has the same joins at 1 and at 2,000
-- events per statement.
SELECT set_config('statement_timeout', $1, false), set_config('plan_cache_mode', 'force_generic_plan', false)
