-- Both programs: takes session-level advisory lock $1 if nobody holds it. The keys: a maintenance
-- job's fixed key (one maintainer at a time among every plugin and ingester sharing the database;
-- docs/events.md "Retention") and a plugin run's liveness lock (ConnStatements.runLockKey).
SELECT pg_try_advisory_lock($1::bigint)
