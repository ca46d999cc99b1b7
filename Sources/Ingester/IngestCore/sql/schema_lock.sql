-- sys-ingester: serialises schema creation between processes starting at once on a fresh database
-- (held until the end of the transaction that creates the schema).
SELECT pg_advisory_xact_lock(7231403360217463)
