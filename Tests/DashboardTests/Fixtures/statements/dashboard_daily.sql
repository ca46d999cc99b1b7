-- dashboard: client $1's unclean disconnects and online seconds per UTC day over the last $2 days,
-- every day present.
SELECT to_char(g.day, 'YYYY-MM-DD'), COALESCE(sum(s.unclean_disconnects), 0), COALESCE(sum(s.online_seconds), 0)
FROM generate_series((now() AT TIME ZONE 'UTC')::date - ($2::int - 1), (now() AT TIME ZONE 'UTC')::date,
                     interval '1 day') AS g(day)
LEFT JOIN client_daily_stats s ON s.client_id = $1 AND s.day = g.day::date
GROUP BY g.day ORDER BY g.day
