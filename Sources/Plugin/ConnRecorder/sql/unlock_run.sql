-- conn-plugin: releases the advisory lock of run $1 taken by try_lock_run.sql.
SELECT pg_advisory_unlock($1::bigint)
