-- Converts client_conn_events (seed 000's plain table) into a table partitioned by day on ts,
-- kept by pg_partman: partitions made ahead of time, old ones dropped whole (retention).
-- Run by scripts/partition-conn-events.sh (psql -v premake=N -v retention_days=N); see
-- docs/performance.md, "Retention: DELETE vs partitions at 20 million rows", for why and when.
--
-- One transaction: every row is copied or nothing changes. It holds an exclusive lock on
-- client_conn_events while it copies and indexes (11 minutes for 18 million rows on the bench
-- machine, docs/performance.md);
-- the plugin's writes time out and are retried meanwhile, its events wait in memory and then on
-- its disk spool, and are written afterwards, once each (event key).
--
-- What changes for a reader or writer: nothing in the columns, their types, defaults and
-- checks, or the index names the plugin looks for (inspect_schema.sql). Keys must hold the
-- partition key on a partitioned table, so the primary key becomes (id, ts) (id stays unique:
-- it comes from the same sequence) and the event-key index ((extra->>'event_key'), ts); a
-- replayed event carries its original ts, so it is still rejected, and the plugin's
-- ON CONFLICT DO NOTHING (no conflict target) arbitrates on it.
\set ON_ERROR_STOP on
BEGIN;
LOCK TABLE client_conn_events IN ACCESS EXCLUSIVE MODE;
DO $$
BEGIN
    IF (SELECT relkind FROM pg_class WHERE oid = 'client_conn_events'::regclass) = 'p' THEN
        RAISE EXCEPTION 'client_conn_events is already partitioned; nothing to do';
    END IF;
END $$;

ALTER TABLE client_conn_events RENAME TO client_conn_events_unpartitioned;
ALTER INDEX IF EXISTS client_conn_events_pkey RENAME TO client_conn_events_unpartitioned_pkey;
ALTER INDEX IF EXISTS client_conn_events_client_ts_idx RENAME TO client_conn_events_unpartitioned_client_ts_idx;
ALTER INDEX IF EXISTS client_conn_events_ts_idx RENAME TO client_conn_events_unpartitioned_ts_idx;
ALTER INDEX IF EXISTS client_conn_events_event_key_idx RENAME TO client_conn_events_unpartitioned_event_key_idx;
ALTER INDEX IF EXISTS client_conn_events_unclean_ts_idx RENAME TO client_conn_events_unpartitioned_unclean_ts_idx;
-- The id sequence outlives the old table and goes on numbering the new one.
ALTER SEQUENCE client_conn_events_id_seq OWNED BY NONE;

-- Seed 000's columns, unchanged.
CREATE TABLE client_conn_events (
  id          BIGINT NOT NULL DEFAULT nextval('client_conn_events_id_seq'),
  ts          TIMESTAMPTZ NOT NULL,
  event_type  TEXT NOT NULL CONSTRAINT client_conn_events_event_type_check
                CHECK (event_type IN ('connect', 'disconnect')),
  client_id   TEXT NOT NULL,
  username    TEXT,
  peer        TEXT,
  protocol    TEXT,
  reason_code INTEGER,
  extra       JSONB
) PARTITION BY RANGE (ts);
ALTER SEQUENCE client_conn_events_id_seq OWNED BY client_conn_events.id;

-- The old table's owner and grants (the plugin's role may not be the owner).
DO $$
DECLARE
    grant_row record;
BEGIN
    EXECUTE format('ALTER TABLE client_conn_events OWNER TO %I',
                   (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'client_conn_events_unpartitioned'::regclass));
    FOR grant_row IN
        SELECT grantee, privilege_type FROM information_schema.role_table_grants
        WHERE table_schema = current_schema() AND table_name = 'client_conn_events_unpartitioned'
    LOOP
        EXECUTE format('GRANT %s ON client_conn_events TO %s', grant_row.privilege_type,
                       CASE WHEN grant_row.grantee = 'PUBLIC' THEN 'PUBLIC' ELSE quote_ident(grant_row.grantee) END);
    END LOOP;
END $$;

-- Daily partitions from the oldest row's day to :premake days ahead, and a default partition
-- for rows outside them (a clock far off, a replay of events older than the first partition).
CREATE SCHEMA IF NOT EXISTS partman;
CREATE EXTENSION IF NOT EXISTS pg_partman SCHEMA partman;
SELECT partman.create_parent(
    format('%I.client_conn_events', current_schema()), 'ts', 'native', 'daily',
    p_premake := :premake,
    p_start_partition := (SELECT coalesce(min(ts), now())::date::text FROM client_conn_events_unpartitioned),
    -- Maintenance is whatever calls partman.run_maintenance() (docs/performance.md).
    p_jobmon := false) AS created \gset

-- Copy first, index afterwards: building each partition's indexes once is much faster than
-- maintaining them row by row. The partitioned indexes keep the plugin's names.
INSERT INTO client_conn_events SELECT * FROM client_conn_events_unpartitioned;
ALTER TABLE client_conn_events ADD CONSTRAINT client_conn_events_pkey PRIMARY KEY (id, ts);
CREATE INDEX client_conn_events_client_ts_idx ON client_conn_events (client_id, ts DESC);
CREATE INDEX client_conn_events_ts_idx ON client_conn_events (ts DESC);
CREATE UNIQUE INDEX client_conn_events_event_key_idx ON client_conn_events ((extra->>'event_key'), ts);
CREATE INDEX client_conn_events_unclean_ts_idx ON client_conn_events (ts DESC, client_id)
  WHERE event_type = 'disconnect' AND reason_code IS DISTINCT FROM 0
    AND extra->>'cause' IS DISTINCT FROM 'broker_shutdown';

DO $$
BEGIN
    IF (SELECT count(*) FROM client_conn_events) <> (SELECT count(*) FROM client_conn_events_unpartitioned) THEN
        RAISE EXCEPTION 'row counts differ after the copy; nothing was changed';
    END IF;
END $$;
DROP TABLE client_conn_events_unpartitioned;

-- Retention (0: keep everything): pg_partman drops partitions whose whole day is older.
UPDATE partman.part_config
SET retention = CASE WHEN :retention_days > 0 THEN :retention_days || ' days' END,
    retention_keep_table = false, retention_keep_index = false
WHERE parent_table = format('%I.client_conn_events', current_schema());
SELECT partman.run_maintenance(format('%I.client_conn_events', current_schema()), p_jobmon := false) AS maintained \gset
COMMIT;
ANALYZE client_conn_events;
