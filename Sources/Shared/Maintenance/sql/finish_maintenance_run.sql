-- Both programs: records how maintenance run $1 ended: $2 rows deleted, outcome $3 (done,
-- no_privilege, failed, interrupted), detail $4 (the table and missing right, or the error).
UPDATE maintenance_runs SET finished_at = now(), rows_deleted = $2::bigint, outcome = $3, detail = $4
WHERE id = $1::bigint
