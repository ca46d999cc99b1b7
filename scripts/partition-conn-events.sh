#!/usr/bin/env bash
# Converts client_conn_events into daily partitions kept by pg_partman (optional; a fresh install
# keeps seed 000's plain table). docs/performance.md, "Retention: DELETE vs partitions at
# 20 million rows", has the measurements and the upkeep; README, "Long histories".
#
#   partition-conn-events.sh [--retention-days N] [--premake DAYS] DSN
#
#   --retention-days N  pg_partman drops each daily partition once all of it is older than N days
#                       (default 0: keep everything). Use it instead of plugin_opt_conn_retention_days.
#   --premake DAYS      partitions made ahead of today (default 7): how long the table can go
#                       without maintenance before new rows land in the default partition.
#
# Needs the pg_partman extension installed on the server (Debian: postgresql-15-partman) and a role
# that may CREATE EXTENSION and owns client_conn_events. One transaction (scripts/
# partition-conn-events.sql): all rows are copied or nothing changes. Afterwards, call
#   SELECT partman.run_maintenance(p_jobmon := false);
# at least daily (cron, a systemd timer, or pg_partman_bgw) to make partitions ahead and apply the
# retention.
set -euo pipefail
retention_days=0
premake=7
die() { echo "partition-conn-events: error: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
    case "$1" in
    --retention-days) [ $# -ge 2 ] || die "--retention-days needs a value"; retention_days="$2"; shift 2 ;;
    --premake) [ $# -ge 2 ] || die "--premake needs a value"; premake="$2"; shift 2 ;;
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option $1" ;;
    *) break ;;
    esac
done
[ $# -eq 1 ] || die "usage: $0 [--retention-days N] [--premake DAYS] DSN"
[[ "$retention_days" =~ ^[0-9]+$ ]] || die "--retention-days '$retention_days' must be a whole number of days (0: keep everything)"
[[ "$premake" =~ ^[1-9][0-9]*$ ]] || die "--premake '$premake' must be a positive whole number of days"
command -v psql >/dev/null || die "psql not found"
PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 \
    -v premake="$premake" -v retention_days="$retention_days" \
    -f "$(dirname "$0")/partition-conn-events.sql" "$1"
echo "partition-conn-events: client_conn_events is partitioned by day (premake $premake, retention ${retention_days} days; 0 = keep)"
