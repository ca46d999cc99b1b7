-- dashboard: whether any broker of broker_status has a conn-plugin reporting, and any an ingester
-- watching it.
SELECT COALESCE(bool_or(plugin_version IS NOT NULL), false), COALESCE(bool_or(ingester_last_seen IS NOT NULL), false)
FROM broker_status
