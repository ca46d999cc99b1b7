-- dashboard: the brokers of broker_status, for the clients page's filter.
SELECT broker_id FROM broker_status ORDER BY broker_id
