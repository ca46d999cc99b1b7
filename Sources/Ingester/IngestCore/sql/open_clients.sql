-- sys-ingester: the clients with an open session at broker $1, for the session tracker at start.
SELECT DISTINCT client FROM sessions WHERE broker = $1 AND end_ts IS NULL AND client IS NOT NULL
