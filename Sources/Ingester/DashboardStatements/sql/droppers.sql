-- dashboard: the $2 clients with the most unclean disconnects over the last $1 UTC days (1: today),
-- with their disconnects and connects over the same days.
-- The ranking reads only client-days with an unclean disconnect (the partial index of
-- schema/040_dashboard.sql, an index-only scan); the other counts are summed for the ranked
-- clients alone.
WITH top AS (
  SELECT client_id, sum(unclean_disconnects) AS unclean
  FROM client_daily_stats
  WHERE day > (now() AT TIME ZONE 'UTC')::date - $1::int AND unclean_disconnects > 0
  GROUP BY client_id
  ORDER BY unclean DESC, client_id
  LIMIT $2)
SELECT t.client_id, t.unclean, s.disconnects, s.connects
FROM top t
CROSS JOIN LATERAL (
  SELECT sum(d.disconnects) AS disconnects, sum(d.connects) AS connects
  FROM client_daily_stats d
  WHERE d.client_id = t.client_id AND d.day > (now() AT TIME ZONE 'UTC')::date - $1::int) s
ORDER BY t.unclean DESC, t.client_id
