#!/usr/bin/env bash
# Instruction counts per connect+disconnect cycle of a mosquitto 2.1 broker, without the plugin and
# with it (async and sync), under `valgrind --tool=callgrind --separate-threads=yes`: the same from run to run
# whatever else the machine does, unlike seconds. Used for docs/performance.md's profile.
#
#   scripts/profile-callgrind.sh [CYCLES]      default 2000, after 200 warm-up cycles
#
# Prints, per mode and thread, the instructions per cycle, and the top functions of the broker's
# thread with the plugin (callgrind_annotate). Keeps its files in .bench-tmp/callgrind/
# (the broker configs, the callgrind.out files); its scratch PostgreSQL (scripts/pg-scratch.sh) is
# removed at the end.
set -euo pipefail
source "$(dirname "$0")/paths.sh"
cd "$ROOT_DIR"
CYCLES="${1:-2000}"
[[ "$CYCLES" =~ ^[1-9][0-9]*$ ]] || { echo "usage: $0 [CYCLES]" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "profile: valgrind not found (make deps)" >&2; exit 1; }
dir="$ROOT_DIR/.bench-tmp/callgrind"
rm -rf "$dir"; mkdir -p "$dir"
broker_pid=""
pg_dir=""
cleanup() {
    if [ -n "$broker_pid" ]; then kill -9 "$broker_pid" 2>/dev/null || true; fi
    if [ -n "$pg_dir" ]; then bash scripts/pg-scratch.sh remove "$pg_dir" || true; fi
}
trap cleanup EXIT
pg_dir="$(bash scripts/pg-scratch.sh new callgrind)"
dsn="$(bash scripts/pg-scratch.sh start "$pg_dir")"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

profile() {  # profile MODE: one broker under callgrind; callgrind.out.MODE.* in $dir
    local mode="$1" port conf="$dir/$1.conf"
    port="$(free_port)"
    {
        echo "listener $port 127.0.0.1"
        echo "allow_anonymous true"
        echo "log_dest file $dir/$mode.log"
        echo "log_type error"
        echo "log_type warning"
        if [ "$(id -u)" -eq 0 ]; then echo "user root"; fi
        if [ "$mode" != none ]; then
            mkdir -p "$dir/spool-$mode"
            echo "plugin $CONN_PLUGIN"
            echo "plugin_opt_conn_pg_dsn $dsn"
            echo "plugin_opt_conn_mode $mode"
            echo "plugin_opt_conn_spool_dir $dir/spool-$mode"
        fi
    } >"$conf"
    valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$dir/callgrind.out.$mode" \
        "$MOSQUITTO_21" -c "$conf" >"$dir/$mode.valgrind" 2>&1 &
    broker_pid=$!
    for _ in $(seq 600); do
        ss -Hltn "sport = :$port" | grep -q . && break
        sleep 0.1
    done
    sleep 2
    "$MQTT_LOAD" --port "$port" --threads 1 --cycles 200 --prefix "warm-$mode" >/dev/null
    sleep 1
    callgrind_control --zero "$broker_pid" >/dev/null
    "$MQTT_LOAD" --port "$port" --threads 1 --cycles "$CYCLES" --prefix "cg-$mode" >"$dir/$mode.load"
    sleep 2  # the writer's last batch
    callgrind_control --dump "$broker_pid" >/dev/null
    kill -TERM "$broker_pid"
    wait "$broker_pid" 2>/dev/null || true
    broker_pid=""
}

profile none
profile async
profile sync
echo "instructions per connect+disconnect cycle ($CYCLES cycles after 200 warm-up; callgrind, Ir):"
for mode in none async sync; do
    for file in "$dir"/callgrind.out."$mode"*; do
        # The dump after --zero is the one with "cmd:" and a "part: 1" header; skip the final dump.
        grep -q '^part: 1' "$file" || continue
        total="$(sed -n 's/^summary: \([0-9]*\).*/\1/p' "$file")"
        thread="$(sed -n 's/^thread: \([0-9]*\)/\1/p' "$file")"
        echo "  $mode thread $thread: $((total / CYCLES)) ($total in all) [$file]"
    done
done
main_async="$(grep -l '^thread: 1$' "$dir"/callgrind.out.async* | xargs grep -l '^part: 1' | head -n1)"
echo
echo "top functions of the broker's thread with the plugin (inclusive of nothing; self cost):"
callgrind_annotate --threshold=90 "$main_async" 2>/dev/null | sed -n '1,60p' | grep -E '^ *[0-9,]+ ' | head -40
