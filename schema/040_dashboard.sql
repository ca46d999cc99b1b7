-- sys-ingester's dashboard (docs/dashboard.md): the one index its pages need beyond those of
-- schema/001-030. The droppers page ranks clients by unclean disconnects over the last 7 UTC days;
-- only client-days with an unclean disconnect matter, a small part of client_daily_stats, so a
-- partial index holding just those (with the counted column) makes the ranking an index-only
-- scan (docs/dashboard.md, "Indexes and timings": 268 ms median without it at 20 million
-- history rows, a few ms with it). sys-ingester applies this file at start with the rest of its
-- schema; client_daily_stats is small (one row per client, broker and day), so the build is short.
CREATE INDEX IF NOT EXISTS client_daily_stats_unclean_day_idx
  ON client_daily_stats (day) INCLUDE (client_id, unclean_disconnects)
  WHERE unclean_disconnects > 0;
