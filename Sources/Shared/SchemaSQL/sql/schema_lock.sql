-- Both programs: serialises applying the schema between processes starting at once on a fresh
-- database (held until the end of the transaction that applies one file of schema/).
SELECT pg_advisory_xact_lock(7231403360217463)
