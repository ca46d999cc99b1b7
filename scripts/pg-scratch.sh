#!/usr/bin/env bash
# A throwaway PostgreSQL 15, for `make run`, `make test`, `make bench` and the tests' own servers.
# This script alone decides where one lives and starts or stops one:
#   pg-scratch.sh new LABEL          makes a fresh directory for one; prints its path
#   pg-scratch.sh start DIR [PORT]   initdb (if needed) and start; prints the DSN
#   pg-scratch.sh stop DIR           fast shutdown; the data stays for the next start
#   pg-scratch.sh remove DIR         stop, then delete DIR
#   pg-scratch.sh replica DIR PRIMARY_PORT
#                                    DIR (made by `new`) becomes a hot standby streaming from the
#                                    scratch server on PRIMARY_PORT (pg_basebackup -R); then `start`
# Listens on 127.0.0.1 only, trust authentication, database "mqtt".
#
# Where: under PG_SCRATCH_BASE (default /tmp), never inside the clone. As root the server runs
# as the "postgres" user, which cannot enter a clone under a private home or in a 0700 mktemp
# directory; `new` refuses a base that user cannot reach, naming the directory in the way, and
# `start` and `remove` refuse a directory `new` did not make.
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
PG_SCRATCH_BASE="${PG_SCRATCH_BASE:-/tmp}"
usage="usage: $0 new LABEL | start DIR [PORT] | stop DIR | remove DIR | replica DIR PRIMARY_PORT"
cmd="${1:-}"; dir="${2:-}"
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "$usage" >&2; exit 2; }
# In every directory `new` made; `start` and `remove` act only where it is.
made_marker=".made-by-pg-scratch"

# PostgreSQL refuses to run as root; as root, run its binaries as "postgres". runuser
# keeps the working directory, and initdb and postgres fail in one "postgres" cannot
# enter (the clone, when it is private): run them from /.
as_pg() {
    if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}
server_user() { if [ "$(id -u)" -eq 0 ]; then echo postgres; else id -un; fi; }

# The first directory on the way to $1 (itself included) that the server's user cannot enter;
# nothing when it can reach $1.
first_closed_directory() {
    local path="" part parts
    as_pg test -x / || { echo /; return 0; }
    IFS=/ read -ra parts <<<"${1#/}"
    for part in "${parts[@]}"; do
        [ -n "$part" ] || continue
        path="$path/$part"
        as_pg test -x "$path" || { echo "$path"; return 0; }
    done
}

# Refuses (exit 2) a DIR that `new` did not make: a scratch PostgreSQL lives only where `new` put it.
require_made_here() {
    [ -f "$1/$made_marker" ] || {
        echo "pg-scratch: $1 was not made by 'pg-scratch.sh new'; a scratch PostgreSQL lives only in a directory made by it (under PG_SCRATCH_BASE, default /tmp), which the server's user can reach" >&2
        exit 2
    }
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Absolute: the server's programs run from / (as_pg).
if [ "$cmd" != new ] && [ -d "$dir" ]; then dir="$(cd "$dir" && pwd -P)"; fi

case "$cmd" in
new)
    label="$(printf '%s' "$2" | tr -c 'A-Za-z0-9-' '_' | cut -c1-40)"
    base="$(cd "$PG_SCRATCH_BASE" 2>/dev/null && pwd -P)" \
        || { echo "pg-scratch: PG_SCRATCH_BASE $PG_SCRATCH_BASE is not a directory" >&2; exit 2; }
    closed="$(first_closed_directory "$base")"
    if [ -n "$closed" ]; then
        echo "pg-scratch: PostgreSQL cannot live under $base: its server's user ($(server_user)) cannot enter $closed ($(stat -c '%A %U' "$closed")). Set PG_SCRATCH_BASE to a directory that user can reach (default /tmp)." >&2
        exit 2
    fi
    dir="$(mktemp -d "$base/mqtt-conn-truth-pg-$label.XXXXXX")"
    echo "made by scripts/pg-scratch.sh new $label" >"$dir/$made_marker"
    if [ "$(id -u)" -eq 0 ]; then chown -R postgres: "$dir"; fi
    chmod 700 "$dir"
    echo "$dir"
    ;;
start)
    require_made_here "$dir"
    # Reuse the port of an earlier start, so a restarted server keeps its DSN.
    if [ -n "${3:-}" ]; then port="$3"
    elif [ -f "$dir/port" ]; then port="$(cat "$dir/port")"
    else port="$(free_port)"; fi
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
replica)
    require_made_here "$dir"
    primary_port="${3:-}"
    [[ "$primary_port" =~ ^[0-9]+$ ]] || { echo "$usage" >&2; exit 2; }
    [ ! -e "$dir/data" ] || { echo "pg-scratch: $dir already holds a server" >&2; exit 2; }
    # -R writes standby.signal and primary_conninfo: `start` then runs it as a hot standby (a
    # standby needs max_connections at least the primary's; `start` uses 200 for both).
    as_pg "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$primary_port" -U postgres -D "$dir/data" -R -X stream \
        --checkpoint=fast >"$dir/basebackup.log" 2>&1 \
        || { echo "pg-scratch: pg_basebackup failed, see $dir/basebackup.log" >&2; exit 1; }
    ;;
stop)
    [ -f "$dir/data/PG_VERSION" ] || exit 0
    as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    ;;
remove)
    [ -e "$dir" ] || exit 0
    require_made_here "$dir"
    if [ -f "$dir/data/PG_VERSION" ]; then
        as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
*)
    echo "$usage" >&2; exit 2 ;;
esac
