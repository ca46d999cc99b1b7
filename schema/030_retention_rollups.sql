-- Bounded growth: the record of maintenance runs (retention pruning), the ingester's metric
-- rollups and the conn-plugin's per-client daily statistics, with the chart views that read them.
-- Added tables and views (docs/events.md "Retention and daily statistics", docs/sys-ingester.md
-- "Retention and rollups"); seed 000's and seed 001's tables are unchanged. Both programs apply
-- this file at start when one of its objects is missing; it is idempotent and reads no other
-- file's tables.

-- One row per maintenance job run: which job, by whom (broker id or ingester host/pid), when, and
-- how many rows it deleted. A run another maintainer held the lock for is not recorded (a log
-- line says so). outcome: running, done, no_privilege (the role lacks DELETE; detail names the
-- table), failed (detail holds the error).
CREATE TABLE IF NOT EXISTS maintenance_runs (
  id            BIGSERIAL PRIMARY KEY,
  job           TEXT NOT NULL,
  run_by        TEXT NOT NULL,
  started_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
  finished_at   TIMESTAMPTZ,
  rows_deleted  BIGINT NOT NULL DEFAULT 0,
  outcome       TEXT NOT NULL DEFAULT 'running',
  detail        TEXT
);

CREATE INDEX IF NOT EXISTS maintenance_runs_job_started_idx
  ON maintenance_runs (job, started_at DESC);

-- sys-ingester: broker_metrics downsampled into 1-minute and 1-hour buckets, kept incrementally in
-- the transaction that inserts the samples (never by rescanning broker_metrics). bucket_start is
-- UTC (TIMESTAMP, like broker_metrics.ts); avg = sum / samples; last is the value of the sample
-- with the latest ts in the bucket (last_ts).
CREATE TABLE IF NOT EXISTS broker_metrics_rollup (
  broker        TEXT NOT NULL,
  metric        TEXT NOT NULL,
  bucket_width  INTERVAL NOT NULL CHECK (bucket_width IN (interval '1 minute', interval '1 hour')),
  bucket_start  TIMESTAMP NOT NULL,
  samples       BIGINT NOT NULL,
  min           DOUBLE PRECISION NOT NULL,
  max           DOUBLE PRECISION NOT NULL,
  sum           DOUBLE PRECISION NOT NULL,
  avg           DOUBLE PRECISION GENERATED ALWAYS AS (sum / samples) STORED,
  last          DOUBLE PRECISION NOT NULL,
  last_ts       TIMESTAMP NOT NULL,
  PRIMARY KEY (broker, metric, bucket_width, bucket_start)
);

CREATE INDEX IF NOT EXISTS broker_metrics_rollup_bucket_start_idx
  ON broker_metrics_rollup (bucket_start);

-- conn-plugin: per UTC day, broker and client, counted in the transaction that stores the events
-- (each stored row once: a replay the event-key index skips is not counted again).
--   connects, disconnects   connect/disconnect rows whose ts falls on that day;
--   unclean_disconnects     disconnect rows with a reason_code other than 0 (as conn_frequent_droppers);
--   online_seconds          time connected within that day, from each disconnect back to the event
--                           before it of the same client and broker when that is a connect; a
--                           session spanning midnight is split across the days. A session still
--                           open is counted when it ends (its disconnect row is stored); until then
--                           client_sessions.last_connect_ts tells how long it has been open.
CREATE TABLE IF NOT EXISTS client_daily_stats (
  day                  DATE NOT NULL,
  broker_id            TEXT NOT NULL,
  client_id            TEXT NOT NULL,
  connects             BIGINT NOT NULL DEFAULT 0,
  disconnects          BIGINT NOT NULL DEFAULT 0,
  unclean_disconnects  BIGINT NOT NULL DEFAULT 0,
  online_seconds       DOUBLE PRECISION NOT NULL DEFAULT 0,
  PRIMARY KEY (day, broker_id, client_id)
);

CREATE INDEX IF NOT EXISTS client_daily_stats_client_day_idx
  ON client_daily_stats (client_id, day DESC);

-- Chart: connected clients per UTC day, last 30 days (clients with at least one connect, and
-- clients online at some time of the day by the closed sessions counted so far).
CREATE OR REPLACE VIEW connected_clients_daily AS
SELECT day,
       count(DISTINCT client_id) FILTER (WHERE connects > 0) AS clients_connecting,
       count(DISTINCT client_id) FILTER (WHERE connects > 0 OR online_seconds > 0) AS clients_online,
       sum(connects) AS connects,
       sum(unclean_disconnects) AS unclean_disconnects,
       sum(online_seconds) / 3600.0 AS online_hours
FROM client_daily_stats
WHERE day > (now() AT TIME ZONE 'UTC')::date - 30
GROUP BY day
ORDER BY day;

-- Chart: clients with the most unclean disconnects over the last 7 UTC days (today included).
CREATE OR REPLACE VIEW top_droppers_week AS
SELECT client_id,
       sum(unclean_disconnects) AS unclean_disconnects,
       sum(disconnects) AS disconnects,
       sum(connects) AS connects,
       sum(online_seconds) / 3600.0 AS online_hours
FROM client_daily_stats
WHERE day > (now() AT TIME ZONE 'UTC')::date - 7
GROUP BY client_id
HAVING sum(unclean_disconnects) > 0
ORDER BY unclean_disconnects DESC, disconnects DESC, client_id;
