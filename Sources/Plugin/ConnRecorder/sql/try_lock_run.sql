-- conn-plugin: takes the advisory lock of run $1 (ConnStatements.runLockKey) if nobody holds it.
SELECT pg_try_advisory_lock($1::bigint)
