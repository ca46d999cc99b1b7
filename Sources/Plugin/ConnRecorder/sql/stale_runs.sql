-- conn-plugin: the runs (boot ids) other than $2 that still show clients connected through broker $1.
SELECT DISTINCT COALESCE(extra->>'boot_id', '') FROM client_sessions
WHERE last_event_type = 'connect' AND extra->>'broker_id' = $1 AND extra->>'boot_id' IS DISTINCT FROM $2
