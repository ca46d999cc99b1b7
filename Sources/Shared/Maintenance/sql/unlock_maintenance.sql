-- Both programs: releases the maintenance job's lock taken by try_lock_maintenance.sql.
SELECT pg_advisory_unlock($1::bigint)
