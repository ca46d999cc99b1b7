-- sys-ingester: the latest stored uptime of broker $1 and its ingest time (epoch microseconds).
SELECT value, (extract(epoch FROM ts) * 1000000)::bigint FROM broker_metrics
WHERE broker = $1 AND metric = 'uptime' ORDER BY ts DESC, id DESC LIMIT 1
