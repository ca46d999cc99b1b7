# Sourced by scripts/bench.sh for `BENCH_MODE=fleet make bench`: one sys-ingester watching many
# mosquitto 2.1 brokers (`sys_interval 1`, `log_dest topic`), with connection churn on some.
#
#   1. BENCH_FLEET_BROKERS brokers (default 20), each also logging to its own file;
#   2. one ingester with a --config listing them all, writing to a fresh database; the run starts
#      once every broker's subscription is stored;
#   3. for BENCH_FLEET_SECONDS (default 20), BENCH_FLEET_CHURNED of the brokers (default 5) get
#      BENCH_FLEET_RATE short connections per second each (default 100; mqtt-load, one thread);
#   4. after the writer has caught up: rows stored per second (broker_metrics + events), the
#      ingester's CPU seconds (utime + stime from /proc/<pid>/stat) and memory (VmRSS, VmHWM), and
#      "nothing lost": per broker, the events rows against the lines its log file holds from the
#      ingester's own subscription on (the same lines the broker published on $SYS/broker/log/#).
#
# Uses bench.sh's $tmp, $dsn, sql, now, elapsed, free_port, rss_kb, fresh_database, die, extra_pids.

FLEET_BROKERS="${BENCH_FLEET_BROKERS:-20}"
FLEET_CHURNED="${BENCH_FLEET_CHURNED:-5}"
FLEET_SECONDS="${BENCH_FLEET_SECONDS:-20}"
FLEET_RATE="${BENCH_FLEET_RATE:-100}"
for setting in FLEET_BROKERS FLEET_CHURNED FLEET_SECONDS FLEET_RATE; do
    [[ "${!setting}" =~ ^[1-9][0-9]*$ ]] || die "BENCH_$setting '${!setting}' must be a positive whole number"
done
[ "$FLEET_CHURNED" -le "$FLEET_BROKERS" ] || die "BENCH_FLEET_CHURNED must not exceed BENCH_FLEET_BROKERS"
[ -x "$SYS_INGESTER" ] || die "sys-ingester not found at $SYS_INGESTER (run make build-ingester)"

fleet="$tmp/fleet"
mkdir -p "$fleet"
fresh_database bench_fleet
fleet_dsn="$(db_dsn bench_fleet)"
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
hwm_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }
ticks_per_s="$(getconf CLK_TCK)"
stored_rows() { sql "$fleet_dsn" "SELECT (SELECT count(*) FROM broker_metrics) + (SELECT count(*) FROM events)"; }
name_of() { printf 'fleet-%02d' "$1"; }

echo "bench: fleet: $FLEET_BROKERS brokers (sys_interval 1), $FLEET_CHURNED with $FLEET_RATE connections/s each," \
    "${FLEET_SECONDS} s; PostgreSQL at $dsn" >&2

# 1. The brokers.
ports=()
broker_pids=()
for index in $(seq 0 $((FLEET_BROKERS - 1))); do
    dir="$fleet/$(name_of "$index")"
    mkdir -p "$dir"
    port="$(free_port)"
    {
        echo "listener $port 127.0.0.1"
        echo "allow_anonymous true"
        echo "sys_interval 1"
        echo "log_dest topic"
        echo "log_dest file $dir/mosquitto.log"
        echo "log_timestamp true"
        # No debug lines: those never go to the topic, and the file must hold what the topic gets.
        for type in error warning notice information subscribe unsubscribe; do echo "log_type $type"; done
        if [ "$(id -u)" -eq 0 ]; then echo "user root"; fi
    } >"$dir/mosquitto.conf"
    "$MOSQUITTO_21" -c "$dir/mosquitto.conf" >"$dir/mosquitto.out" 2>&1 </dev/null &
    broker_pids+=($!)
    extra_pids+=($!)
    ports+=("$port")
done
for index in "${!ports[@]}"; do
    for _ in $(seq 300); do
        ss -Hltn "sport = :${ports[$index]}" | grep -q . && break
        kill -0 "${broker_pids[$index]}" 2>/dev/null || die "broker $(name_of "$index") exited"
        sleep 0.05
    done
    ss -Hltn "sport = :${ports[$index]}" | grep -q . || die "broker $(name_of "$index") did not listen"
done

# 2. The ingester.
{
    echo "dsn_env: PG_DSN"
    echo "log_level: info"
    echo "brokers:"
    for index in "${!ports[@]}"; do
        echo "  - {name: $(name_of "$index"), host: 127.0.0.1, port: ${ports[$index]}}"
    done
} >"$fleet/sys-ingester.yaml"
PG_DSN="$fleet_dsn" "$SYS_INGESTER" --config "$fleet/sys-ingester.yaml" >"$fleet/sys-ingester.out" 2>&1 </dev/null &
ingester_pid=$!
extra_pids+=("$ingester_pid")
subscribed=""
for _ in $(seq 600); do
    kill -0 "$ingester_pid" 2>/dev/null || { tail -20 "$fleet/sys-ingester.out" >&2; die "sys-ingester exited"; }
    subscribed="$(sql "$fleet_dsn" "SELECT count(DISTINCT broker) FROM events WHERE topic = '\$SYS/broker/#'" \
        2>/dev/null || echo 0)"
    [ "$subscribed" = "$FLEET_BROKERS" ] && break
    sleep 0.1
done
[ "$subscribed" = "$FLEET_BROKERS" ] || die "only $subscribed of $FLEET_BROKERS brokers recorded within 60 s"

# 3. The churn, spread over the fleet (brokers 0, N/C, 2N/C, ...).
start="$(now)"
rows_before="$(stored_rows)"
cpu_before="$(cpu_ticks "$ingester_pid")"
rss_before="$(rss_kb "$ingester_pid")"
churn_pids=()
churned=()
for slot in $(seq 0 $((FLEET_CHURNED - 1))); do
    index=$((slot * FLEET_BROKERS / FLEET_CHURNED))
    churned+=("$(name_of "$index")")
    dir="$fleet/$(name_of "$index")"
    (
        end=$(($(date +%s) + FLEET_SECONDS))
        round=0
        while [ "$(date +%s)" -lt "$end" ]; do
            began="$(now)"
            "$MQTT_LOAD" --port "${ports[$index]}" --threads 1 --cycles "$FLEET_RATE" \
                --prefix "fleetload-$index-$round" >>"$dir/load.jsonl" 2>>"$dir/load.err" || true
            round=$((round + 1))
            # The rest of this second, if any.
            python3 -c "import sys, time; time.sleep(max(0.0, 1 - (time.time() - float(sys.argv[1]))))" "$began"
        done
    ) &
    churn_pids+=($!)
    extra_pids+=($!)
done
for pid in "${churn_pids[@]}"; do wait "$pid" || true; done
load_end="$(now)"
cycles="$(cat "$fleet"/fleet-*/load.jsonl | jq -s 'map(.cycles) | add // 0')"
load_errors="$(cat "$fleet"/fleet-*/load.jsonl | jq -s 'map(.errors) | add // 0')"

# 4. Wait for the writer to catch up: every churn client's connect and disconnect stored.
drained=""
while true; do
    stored="$(sql "$fleet_dsn" "SELECT count(*) FILTER (WHERE action = 'connected'), count(*) FILTER (WHERE action = 'disconnected')
        FROM events WHERE client LIKE 'fleetload-%'" | tr '|' ' ')"
    read -r connects disconnects <<<"$stored"
    if [ "$connects" -ge "$cycles" ] && [ "$disconnects" -ge "$cycles" ]; then drained="$(elapsed "$load_end" "$(now)")"; break; fi
    if [ "$(elapsed "$load_end" "$(now)" | cut -d. -f1)" -ge 20 ]; then break; fi
    sleep 0.1
done
finish="$(now)"
rows_after="$(stored_rows)"
cpu_after="$(cpu_ticks "$ingester_pid")"
rss_after="$(rss_kb "$ingester_pid")"
hwm="$(hwm_kb "$ingester_pid")"
cpu_total="$(cpu_ticks "$ingester_pid")"
metrics_rows="$(sql "$fleet_dsn" "SELECT count(*) FROM broker_metrics")"
events_rows="$(sql "$fleet_dsn" "SELECT count(*) FROM events")"

# Nothing lost: each broker's log lines from the ingester's subscription on, against its rows.
# Counted while the ingester still runs (it logs its own disconnect at the stop).
sleep 1.5  # a last $SYS round's lines, if a burst was still in flight
per_broker="[]"
for index in "${!ports[@]}"; do
    name="$(name_of "$index")"
    published="$(awk 'index($0, "sys-ingester-") && / \$SYS\/broker\/#$/ && !seen { seen = 1 } seen { n++ } END { print n + 0 }' \
        "$fleet/$name/mosquitto.log")"
    found="$(sql "$fleet_dsn" "SELECT count(*) FROM events WHERE broker = '$name'")"
    per_broker="$(jq -c --arg name "$name" --argjson published "$published" --argjson found "$found" \
        '. + [{broker: $name, log_lines: $published, events: $found}]' <<<"$per_broker")"
done

kill -TERM "$ingester_pid"
ingester_exit=0
wait "$ingester_pid" || ingester_exit=$?
for pid in "${broker_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
for pid in "${broker_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
sum_of() { { grep -o "$1=[0-9]*" "$fleet/sys-ingester.out" || true; } | cut -d= -f2 | awk '{ s += $1 } END { print s + 0 }'; }
dropped="$(sum_of 'sys\.dropped')"
lost_at_stop="$(sum_of 'sys\.lost')"

cpu="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
mem_mb="$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo)"
jq -n --argjson brokers "$FLEET_BROKERS" --argjson churned "$(printf '%s\n' "${churned[@]}" | jq -R . | jq -s .)" \
    --argjson rate "$FLEET_RATE" --argjson seconds "$FLEET_SECONDS" --arg start "$start" --arg load_end "$load_end" \
    --arg finish "$finish" --argjson rows_before "$rows_before" --argjson rows_after "$rows_after" \
    --argjson metrics_rows "$metrics_rows" --argjson events_rows "$events_rows" --argjson cycles "$cycles" \
    --argjson load_errors "$load_errors" --argjson connects "$connects" --argjson disconnects "$disconnects" \
    --arg drained "$drained" --argjson cpu_before "$cpu_before" --argjson cpu_after "$cpu_after" \
    --argjson cpu_total "$cpu_total" --argjson ticks "$ticks_per_s" --argjson rss_before "$rss_before" \
    --argjson rss_after "$rss_after" --argjson hwm "$hwm" --argjson per_broker "$per_broker" \
    --argjson ingester_exit "$ingester_exit" --arg dropped "${dropped:-0}" --arg lost_at_stop "${lost_at_stop:-0}" \
    --argjson nproc "$(nproc)" --arg cpu "$cpu" --argjson mem "$mem_mb" \
    '{brokers: $brokers, churned: $churned, rate_per_broker: $rate, seconds: $seconds,
      elapsed_s: (($finish | tonumber) - ($start | tonumber)),
      load_s: (($load_end | tonumber) - ($start | tonumber)),
      rows_stored: ($rows_after - $rows_before), metrics_rows: $metrics_rows, events_rows: $events_rows,
      cycles: $cycles, load_errors: $load_errors, churn_connects_stored: $connects,
      churn_disconnects_stored: $disconnects,
      drain_s: (if $drained == "" then null else ($drained | tonumber) end),
      cpu_s: (($cpu_after - $cpu_before) / $ticks), cpu_total_s: ($cpu_total / $ticks),
      rss_before_kb: $rss_before, rss_after_kb: $rss_after, rss_peak_kb: $hwm,
      per_broker: $per_broker, ingester_exit: $ingester_exit,
      ingester_dropped: ($dropped | tonumber), ingester_lost_at_stop: ($lost_at_stop | tonumber),
      machine: {nproc: $nproc, cpu: $cpu, mem_mb: $mem}}' >"$fleet/results.json"
python3 scripts/bench-tools.py fleet-report "$fleet/results.json"
