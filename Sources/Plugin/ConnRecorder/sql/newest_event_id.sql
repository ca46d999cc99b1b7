-- conn-plugin: the newest id of client_conn_events (0 when empty): the end of the next fold, once
-- every transaction that could still insert a lower id has ended.
SELECT COALESCE(max(id), 0) FROM client_conn_events
