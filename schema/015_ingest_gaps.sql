-- sys-ingester: the times it may have missed what a broker said (docs/sys-ingester.md, "Gaps").
-- Added by this project (not in seed 001). Timestamps are UTC, like the seed's tables.
--   session_not_resumed     the broker had no session for the ingester when it connected again:
--                           log lines between started_at and ended_at are missing
--   longer_than_log_expiry  the session was resumed after more than the log lines' 20 s expiry:
--                           the first part of the gap may be missing
--   broker_silent           connected, but the broker published no $SYS from started_at on (its
--                           metrics are not current); ended_at stays NULL while it lasts
-- sessions_closed: open sessions the ingester closed at started_at, because what happened to
-- them in the gap cannot be known.
CREATE TABLE IF NOT EXISTS ingest_gaps (
  id               BIGSERIAL PRIMARY KEY,
  broker           TEXT NOT NULL,
  kind             TEXT NOT NULL CHECK (kind IN ('session_not_resumed', 'longer_than_log_expiry', 'broker_silent')),
  started_at       TIMESTAMP NOT NULL,
  ended_at         TIMESTAMP,
  seconds          DOUBLE PRECISION GENERATED ALWAYS AS (EXTRACT(EPOCH FROM ended_at - started_at)) STORED,
  sessions_closed  INTEGER NOT NULL DEFAULT 0,
  recorded_at      TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')
);

CREATE INDEX IF NOT EXISTS ingest_gaps_broker_started_idx
  ON ingest_gaps (broker, started_at DESC);
