-- conn-plugin: the clients still shown connected through broker $1 by run $2, with the latest time
-- that run is known to have been alive (its newest event in the presence table, microseconds since
-- the epoch) and each connection's sequence number.
WITH run AS (
    SELECT * FROM client_sessions
    WHERE extra->>'broker_id' = $1 AND COALESCE(extra->>'boot_id', '') = $2
)
SELECT client_id, username, last_peer, last_protocol,
       (extract(epoch FROM (SELECT max(last_event_ts) FROM run)) * 1000000)::bigint,
       COALESCE((extra->>'connection_seq')::bigint, 0)
FROM run
WHERE last_event_type = 'connect'
ORDER BY client_id
