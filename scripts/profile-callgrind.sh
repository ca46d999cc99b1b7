#!/usr/bin/env bash
# Instruction counts per connect+disconnect cycle of a mosquitto 2.1 broker, without the plugin and
# with it (async and sync), and of the plugin's spool replay, under `valgrind --tool=callgrind --separate-threads=yes`: the same from run to run
# whatever else the machine does, unlike seconds. Used for docs/performance.md's profile.
#
#   scripts/profile-callgrind.sh [CYCLES]      default 2000, after 200 warm-up cycles
#   PROFILE_MODES="replay" scripts/profile-callgrind.sh 5000    one mode (none, async, sync, replay)
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

# start_broker NAME MODE: a broker under callgrind (config NAME.conf, callgrind.out.NAME.* in $dir),
# with the plugin in MODE (none: without it); sets broker_pid and port once it listens.
start_broker() {
    local name="$1" mode="$2" conf="$dir/$1.conf"
    port="$(free_port)"
    {
        echo "listener $port 127.0.0.1"
        echo "allow_anonymous true"
        echo "log_dest file $dir/$name.log"
        echo "log_type error"
        echo "log_type warning"
        if [ "$(id -u)" -eq 0 ]; then echo "user root"; fi
        if [ "$mode" != none ]; then
            mkdir -p "$dir/spool-$name"
            echo "plugin $CONN_PLUGIN"
            echo "plugin_opt_conn_pg_dsn $dsn"
            echo "plugin_opt_conn_mode $mode"
            echo "plugin_opt_conn_spool_dir $dir/spool-$name"
        fi
    } >"$conf"
    valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$dir/callgrind.out.$name" \
        "$MOSQUITTO_21" -c "$conf" >"$dir/$name.valgrind" 2>&1 &
    broker_pid=$!
    for _ in $(seq 600); do
        ss -Hltn "sport = :$port" | grep -q . && break
        sleep 0.1
    done
    sleep 2
}

stop_broker() {
    callgrind_control --dump "$broker_pid" >/dev/null
    kill -TERM "$broker_pid"
    wait "$broker_pid" 2>/dev/null || true
    broker_pid=""
}

profile() {  # profile MODE: one broker under callgrind; callgrind.out.MODE.* in $dir
    local mode="$1" port
    start_broker "$mode" "$mode"
    "$MQTT_LOAD" --port "$port" --threads 1 --cycles 200 --prefix "warm-$mode" >/dev/null
    sleep 1
    callgrind_control --zero "$broker_pid" >/dev/null
    "$MQTT_LOAD" --port "$port" --threads 1 --cycles "$CYCLES" --prefix "cg-$mode" >"$dir/$mode.load"
    sleep 2  # the writer's last batch
    stop_broker
}

# replay_profile: the plugin's catch-up under callgrind. CYCLES load cycles while PostgreSQL is
# stopped go to the spool; the counters are zeroed; PostgreSQL starts; the dump is taken once every
# spooled event is stored. The writer thread's instructions per replayed event, and its top functions.
replay_profile() {
    local port expected=$((CYCLES * 2)) count=0
    psql -X -q -At "$dsn" -c "TRUNCATE client_conn_events" 2>/dev/null || true
    start_broker replay async
    bash scripts/pg-scratch.sh stop "$pg_dir"
    "$MQTT_LOAD" --port "$port" --threads 1 --cycles "$CYCLES" --prefix "cg-replay" >"$dir/replay.load"
    sleep 3  # the writer moves what memory holds to the spool
    callgrind_control --zero "$broker_pid" >/dev/null
    bash scripts/pg-scratch.sh start "$pg_dir" >/dev/null
    for _ in $(seq 1200); do
        count="$(psql -X -q -At "$dsn" -c "SELECT count(*) FROM client_conn_events WHERE client_id LIKE 'cg-replay-%'" 2>/dev/null || echo 0)"
        [ "${count:-0}" -ge "$expected" ] && break
        sleep 0.5
    done
    echo "replay: $count of $expected spooled events stored" >&2
    stop_broker
}

for mode in ${PROFILE_MODES:-none async sync replay}; do
    if [ "$mode" = replay ]; then replay_profile; else profile "$mode"; fi
done
echo "instructions per connect+disconnect cycle ($CYCLES cycles after 200 warm-up; callgrind, Ir;"
echo "replay: per cycle replayed, i.e. two events, from the spool of $CYCLES cycles):"
for mode in ${PROFILE_MODES:-none async sync replay}; do
    for file in "$dir"/callgrind.out."$mode"*; do
        # The dump after --zero is the one with "cmd:" and a "part: 1" header; skip the final dump.
        grep -q '^part: 1' "$file" || continue
        total="$(sed -n 's/^summary: \([0-9]*\).*/\1/p' "$file")"
        thread="$(sed -n 's/^thread: \([0-9]*\)/\1/p' "$file")"
        echo "  $mode thread $thread: $((total / CYCLES)) ($total in all) [$file]"
    done
done
main_async="$(grep -l '^thread: 1$' "$dir"/callgrind.out.async* 2>/dev/null | xargs -r grep -l '^part: 1' | head -n1 || true)"
if [ -n "$main_async" ]; then
    echo
    echo "top functions of the broker's thread with the plugin (inclusive of nothing; self cost):"
    { callgrind_annotate --threshold=90 "$main_async" 2>/dev/null || true; } | sed -n '1,60p' | grep -E '^ *[0-9,]+ ' | head -40 || true
fi
# The replay's busiest thread other than the broker's: the plugin's writer.
writer_replay="$(for file in "$dir"/callgrind.out.replay*; do
    if grep -q '^part: 1' "$file" && ! grep -q '^thread: 1$' "$file"; then echo "$(sed -n 's/^summary: \([0-9]*\).*/\1/p' "$file") $file"; fi
done 2>/dev/null | sort -rn | head -n1 | cut -d' ' -f2 || true)"
if [ -n "$writer_replay" ]; then
    echo
    echo "where the plugin's writer spends its instructions during the replay (inclusive cost):"
    { callgrind_annotate --inclusive=yes "$writer_replay" 2>/dev/null || true; } | grep -E '^ *[0-9,]+ ' | head -30 || true
fi
