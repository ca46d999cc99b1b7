-- conn-plugin: clients whose MQTT session broker $1 held when last heard of (state kept), for the
-- check at start: the broker's thread asks the broker which of them it still holds.
SELECT client_id FROM client_broker_presence WHERE broker_id = $1 AND state = 'kept' ORDER BY client_id
