# Sourced by scripts/bench.sh for `BENCH_MODE=idle make bench`: does an idle broker keep
# publishing $SYS? Each row is one broker with nothing connected but a subscriber to
# $SYS/broker/uptime (and, where named, the conn-plugin or sys-ingester) for BENCH_IDLE_SECONDS
# (default 12), sys_interval BENCH_IDLE_SYS_INTERVAL (default 2). It prints the uptime values the
# subscriber received and the rounds a perfect schedule would have given: mosquitto 2.1.2 alone
# publishes once (its loop sleeps past the sys_interval boundaries, docs/events.md "Idle
# brokers"); 2.0 publishes every sys_interval + 1 s by design.
#
# Uses bench.sh's $tmp, $dsn, sql, free_port, fresh_database, db_dsn, die, extra_pids.

IDLE_SECONDS="${BENCH_IDLE_SECONDS:-12}"
IDLE_N="${BENCH_IDLE_SYS_INTERVAL:-2}"
for setting in IDLE_SECONDS IDLE_N; do
    [[ "${!setting}" =~ ^[1-9][0-9]*$ ]] || die "BENCH_${setting/IDLE_N/IDLE_SYS_INTERVAL} '${!setting}' must be a positive whole number"
done
[ -x "$SYS_INGESTER" ] || die "sys-ingester not found at $SYS_INGESTER (run make build-ingester)"
[ -x "$MOSQUITTO_20" ] || die "mosquitto 2.0 not found at $MOSQUITTO_20"
SUB="$(dirname "$(dirname "$MOSQUITTO_21")")/bin/mosquitto_sub"; [ -x "$SUB" ] || SUB="$(command -v mosquitto_sub)"
fresh_database bench_idle
idle_dsn="$(db_dsn bench_idle)"
echo "bench: idle: sys_interval $IDLE_N, ${IDLE_SECONDS} s per row, all rows at once" >&2

# row name, broker binary, what runs beside the subscriber (none | plugin:STATUS_INTERVAL | ingester)
rows=(
    "2.1 alone|$MOSQUITTO_21|none"
    "2.1 + conn-plugin (status_interval 10)|$MOSQUITTO_21|plugin:10"
    "2.1 + conn-plugin (status_interval 1)|$MOSQUITTO_21|plugin:1"
    "2.1 + sys-ingester|$MOSQUITTO_21|ingester"
    "2.0 alone|$MOSQUITTO_20|none"
    "2.0 + sys-ingester|$MOSQUITTO_20|ingester"
)
idle_run() {
    local index="$1" binary="$2" beside="$3" dir="$tmp/idle-$1" port
    port="$(free_port)"
    mkdir -p "$dir"; chmod 0777 "$dir"
    {
        echo "listener $port 127.0.0.1"; echo "allow_anonymous true"; echo "sys_interval $IDLE_N"
        echo "log_dest file $dir/broker.log"; echo "log_dest topic"; echo "log_type all"
        if [ "$(id -u)" = 0 ]; then echo "user root"; fi
        case "$beside" in
        plugin:*) echo "plugin $CONN_PLUGIN"; echo "plugin_opt_conn_pg_dsn $idle_dsn"
                  echo "plugin_opt_conn_status_interval ${beside#plugin:}"; echo "plugin_opt_conn_spool_dir $dir/spool" ;;
        esac
    } >"$dir/mosquitto.conf"
    "$binary" -c "$dir/mosquitto.conf" >"$dir/broker.out" 2>&1 &
    local broker=$!
    extra_pids+=("$broker")
    local ingester=""
    for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
    if [ "$beside" = ingester ]; then
        PG_DSN="$idle_dsn" "$SYS_INGESTER" --port "$port" --broker-name "idle-$index" >"$dir/ingester.out" 2>&1 &
        ingester=$!
        extra_pids+=("$ingester")
        sleep 1
    fi
    timeout "$IDLE_SECONDS" "$SUB" -p "$port" -t '$SYS/broker/uptime' >"$dir/uptimes" 2>/dev/null || true
    [ -n "$ingester" ] && kill "$ingester" 2>/dev/null
    kill "$broker" 2>/dev/null
    wait "$broker" 2>/dev/null || true
}
index=0
for row in "${rows[@]}"; do
    IFS='|' read -r _ binary beside <<<"$row"
    idle_run "$index" "$binary" "$beside" &
    index=$((index + 1))
done
wait

printf '\n| broker (sys_interval %s, %s s idle) | uptime messages | values | expected |\n|---|---:|---|---:|\n' "$IDLE_N" "$IDLE_SECONDS"
json="{\"bench\":\"idle\",\"sys_interval\":$IDLE_N,\"seconds\":$IDLE_SECONDS"
index=0
for row in "${rows[@]}"; do
    IFS='|' read -r name binary _ <<<"$row"
    file="$tmp/idle-$index/uptimes"
    count="$(grep -c . "$file" || true)"
    values="$(awk '{ printf "%s%s", sep, $1; sep = "," }' "$file")"
    step="$IDLE_N"; [ "$binary" = "$MOSQUITTO_20" ] && step=$((IDLE_N + 1))
    expected=$(( IDLE_SECONDS / step + 1 ))
    printf '| %s | %s | %s | ~%s |\n' "$name" "$count" "$values" "$expected"
    json+=",\"$(echo "$name" | tr -c 'a-z0-9.\n' '_' | tr -s '_' | sed 's/_$//')\":$count"
    index=$((index + 1))
done
echo
echo "$json}"
