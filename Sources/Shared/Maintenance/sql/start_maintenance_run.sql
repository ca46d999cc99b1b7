-- Both programs: records that job $1 started, run by $2 (broker id, or ingester host and pid).
INSERT INTO maintenance_runs (job, run_by) VALUES ($1, $2) RETURNING id
