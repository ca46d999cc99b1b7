-- Both programs: releases advisory lock $1 taken by try_advisory_lock.sql.
SELECT pg_advisory_unlock($1::bigint)
