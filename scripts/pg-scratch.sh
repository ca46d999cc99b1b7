#!/usr/bin/env bash
# A throwaway PostgreSQL 15 in a scratch directory, for `make run`, `make test`
# and `make bench`.
#   pg-scratch.sh start DIR [PORT]   initdb (if needed) and start; prints the DSN
#   pg-scratch.sh stop DIR           fast shutdown
# Listens on 127.0.0.1 only, trust authentication, database "mqtt".
#
# PG_FSYNC=on (default off: tests favour speed over durability) runs the server with fsync on, as
# a user runs it; `make bench` sets it, since the commit's flush is most of a sync write's time.
#
# TLS (for trying and testing sslmode=verify-full): PG_TLS_CERT=server.crt PG_TLS_KEY=server.key
# on the first start copies the pair into DIR (PostgreSQL wants the key 0600 and owned by the
# server's user) and turns on ssl; later starts of DIR keep it. TLS connections (hostssl) then
# need a password (scram-sha-256), plain ones from 127.0.0.1 stay trusted, so the printed DSN
# (sslmode=disable) keeps working for administration.
set -euo pipefail

PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
cmd="${1:-}"; dir="${2:-}"
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR [PORT]" >&2; exit 2; }

# PostgreSQL refuses to run as root; as root, run its binaries as "postgres". runuser
# keeps the working directory, and initdb and postgres fail in one "postgres" cannot
# enter (a clone under a private home or in a 0700 mktemp directory): run them from /.
# DIR must be somewhere "postgres" can reach for the same reason; /tmp is.
as_pg() {
    if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

case "$cmd" in
start)
    # Reuse the port of an earlier start, so a restarted server keeps its DSN.
    if [ -n "${3:-}" ]; then port="$3"
    elif [ -f "$dir/port" ]; then port="$(cat "$dir/port")"
    else port="$(free_port)"; fi
    mkdir -p "$dir"
    dir="$(cd "$dir" && pwd)"
    if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir"; chmod 700 "$dir"; fi
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        as_pg "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
            || { echo "pg-scratch: initdb failed, see $dir/initdb.log" >&2; exit 1; }
    fi
    tls_options=""
    fsync="${PG_FSYNC:-off}"
    [[ "$fsync" =~ ^(on|off)$ ]] || { echo "pg-scratch: PG_FSYNC '$fsync' must be on or off" >&2; exit 2; }
    if [ -n "${PG_TLS_CERT:-}" ] || [ -n "${PG_TLS_KEY:-}" ]; then
        [ -r "${PG_TLS_CERT:-}" ] && [ -r "${PG_TLS_KEY:-}" ] \
            || { echo "pg-scratch: PG_TLS_CERT and PG_TLS_KEY must both name readable files" >&2; exit 2; }
        install -m 0644 "$PG_TLS_CERT" "$dir/server.crt"
        install -m 0600 "$PG_TLS_KEY" "$dir/server.key"
        if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir/server.crt" "$dir/server.key"; fi
        hba="$dir/data/pg_hba.conf"
        if ! grep -q '^hostssl' "$hba"; then
            { echo "hostssl all all 127.0.0.1/32 scram-sha-256"; cat "$hba"; } > "$hba.new"
            if [ "$(id -u)" -eq 0 ]; then chown postgres: "$hba.new"; fi
            chmod 0600 "$hba.new"; mv "$hba.new" "$hba"
        fi
    fi
    if [ -f "$dir/server.key" ]; then
        tls_options="-c ssl=on -c ssl_cert_file=$dir/server.crt -c ssl_key_file=$dir/server.key"
    fi
    as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=$fsync -c max_connections=200 $tls_options" start >/dev/null \
        || { echo "pg-scratch: PostgreSQL did not start, see $dir/postgres.log" >&2; exit 1; }
    echo "$port" > "$dir/port"
    if ! as_pg env PGSSLMODE=disable psql -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname='mqtt'" 2>/dev/null | grep -q 1; then
        as_pg env PGSSLMODE=disable psql -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -c "CREATE DATABASE mqtt" >/dev/null
    fi
    echo "host=127.0.0.1 port=$port dbname=mqtt user=postgres sslmode=disable"
    ;;
stop)
    [ -f "$dir/data/PG_VERSION" ] || exit 0
    as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    ;;
*)
    echo "usage: $0 start|stop DIR [PORT]" >&2; exit 2 ;;
esac
