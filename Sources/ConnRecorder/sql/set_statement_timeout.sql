-- conn-plugin: the session's statement_timeout ($1, e.g. '1000ms'), so the server itself abandons
-- a statement the plugin stopped waiting for.
SELECT set_config('statement_timeout', $1, false)
