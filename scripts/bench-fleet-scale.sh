# Sourced by scripts/bench.sh for `BENCH_MODE=fleet-scale make bench`: the shape users deploy, at
# fleet size. BENCH_FLEET_SCALE_BROKERS mosquitto 2.1 brokers (default 3), each holding
# BENCH_FLEET_SCALE_CLIENTS clients (default 17,000), each with the conn-plugin in async mode; one
# sys-ingester watching them all; one PostgreSQL with fsync on. Every phase checks exactly (counts
# from SQL) and prints its figures; the last line is one JSON object.
#
#   0. Baseline: the same brokers (same configuration, same ingester watching them, writing to a
#      database of its own) without the plugin: connect storm, SIGTERM of broker 0 with its clients
#      connected, its restart and reconnect storm. Gives the "without" side of every ratio.
#   1. Connect storm: all clients at once (one `mqtt-load --hold` per broker, all started together,
#      bound round robin to 127.0.0.2.. so that no source address needs more than ~10,000 ports).
#      Time until all are CONNACKed, until all are `online` in client_presence; CONNACK p99.
#   2. Steady state: per broker, client_presence online = $SYS clients/connected = the ingester's
#      open sessions (the presence_drift view); broker memory per client (plugin minus baseline);
#      the plugin's and the ingester's CPU per event; database size per million events.
#   3. Broker 0 stopped (SIGTERM) with its clients connected: its exit time against the baseline's
#      (stop_ratio); right after the exit, client_presence must show every one of its clients
#      offline although disconnects may wait in its spool.
#   5. (run next, on the same broker) Its restart and its clients' reconnect storm: CONNACK p99
#      against the baseline's (storm_p99_ratio); time until every row is stored; every shutdown
#      disconnect stored exactly once.
#   4. Broker 1 killed with -9: its clients show `unknown` within 3 status intervals; after its
#      restart they reconnect, the stale-session cleanup ends the ghosts and the counts agree.
#   6. PostgreSQL stopped for BENCH_FLEET_SCALE_OUTAGE_S (60) under short-connection churn on every
#      broker; after it returns everything is stored exactly once and in order; the catch-up rate
#      against the replay's limit as `make bench` measures it: pgbench running the plugin's write
#      (bin/conn-sql) in batches of BENCH_REPLAY_BATCH events, one connection, the same server.
#   Then a drift checkpoint, the loss count over every phase, and a final stop of the fleet.
#
# Environment (all optional):
#   BENCH_FLEET_SCALE_BROKERS   brokers (3)                 BENCH_FLEET_SCALE_CLIENTS  held clients per broker (17000)
#   BENCH_FLEET_SCALE_OUTAGE_S  PostgreSQL outage (60)      BENCH_FLEET_SCALE_CHURN    churn cycles/s per broker (50)
#   BENCH_FLEET_SCALE_STATUS_S  conn_status_interval (5)    BENCH_FLEET_SCALE_SETTLE_S bound of every wait for counts (180)
#   PG_FSYNC (on; off only to compare) for the scratch PostgreSQL (scripts/pg-scratch.sh)
#   and bench.sh's BENCH_PG_SECONDS, BENCH_PLUGIN_OPTS, BENCH_TMP (put it under /tmp), BENCH_KEEP_TMP.
#
# Open files: a broker and its mqtt-load each hold one descriptor per client; this machine's hard
# limit is 20,000 per process, hence 17,000 per broker.
#
# Uses bench.sh's $tmp, $dsn, sql, now, elapsed, free_port, rss_kb, fresh_database, paced_load, db_dsn,
# start_broker, die, extra_pids, PGBENCH, CONN_SQL, BENCH_REPLAY_BATCH.

FS_BROKERS="${BENCH_FLEET_SCALE_BROKERS:-3}"
FS_CLIENTS="${BENCH_FLEET_SCALE_CLIENTS:-17000}"
FS_OUTAGE_S="${BENCH_FLEET_SCALE_OUTAGE_S:-60}"
FS_CHURN="${BENCH_FLEET_SCALE_CHURN:-50}"
FS_STATUS_S="${BENCH_FLEET_SCALE_STATUS_S:-5}"
FS_SETTLE_S="${BENCH_FLEET_SCALE_SETTLE_S:-180}"
for setting in FS_BROKERS FS_CLIENTS FS_OUTAGE_S FS_CHURN FS_STATUS_S FS_SETTLE_S; do
    [[ "${!setting}" =~ ^[1-9][0-9]*$ ]] || die "BENCH_FLEET_SCALE_${setting#FS_} '${!setting}' must be a positive whole number"
done
[ "$FS_BROKERS" -ge 2 ] || die "BENCH_FLEET_SCALE_BROKERS must be at least 2 (one is stopped, one killed)"
[ -x "$SYS_INGESTER" ] || die "sys-ingester not found at $SYS_INGESTER (run make build-ingester)"
# The scratch PostgreSQL: where it lives (bench.sh's choice, one variable) and how it runs. fsync
# on, as in production (pg-scratch.sh's PG_FSYNC; restarted below in case it ran without).
fs_pg_dir="$pg_dir"
export PG_FSYNC="${PG_FSYNC:-on}"

fs="$tmp/fleet-scale"
mkdir -p "$fs"
# ticks_per_s and cpu_ticks: scripts/bench.sh.
log() { echo "bench: fleet-scale: $*" >&2; }
total=$((FS_BROKERS * FS_CLIENTS))
# One source address per 10,000 connections of the whole fleet (every mqtt-load binds round robin
# to 127.0.0.2 .. 127.0.0.(1+A); port 0 binds share each address's ephemeral ports).
fs_sources=$((total / 10000 + 1))
[ "$fs_sources" -le 250 ] || die "$total clients need more than 250 source addresses"
[ -x "$CONN_SQL" ] || die "conn-sql not found at $CONN_SQL (run make build-load)"

need_files=$((FS_CLIENTS + 256))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$need_files" ]; then
    ulimit -n "$need_files" 2>/dev/null \
        || die "$FS_CLIENTS clients per broker need an open-file limit of $need_files; the hard limit is $(ulimit -Hn): lower BENCH_FLEET_SCALE_CLIENTS"
fi

# PostgreSQL again, now with the fleet's options (fsync on).
bash scripts/pg-scratch.sh stop "$fs_pg_dir"
dsn="$(bash scripts/pg-scratch.sh start "$fs_pg_dir")"
[ "$(sql "$server_dsn" "SHOW fsync")" = "$PG_FSYNC" ] || die "PostgreSQL runs with fsync $(sql "$server_dsn" "SHOW fsync"), not $PG_FSYNC"

log "$FS_BROKERS brokers x $FS_CLIENTS held clients, $fs_sources source addresses, plugin status every" \
    "${FS_STATUS_S} s, outage ${FS_OUTAGE_S} s with $FS_CHURN cycles/s per broker; PostgreSQL (fsync" \
    "$(sql "$server_dsn" "SHOW fsync")) at $dsn; load average $(cut -d' ' -f1-3 /proc/loadavg)"

# --- Helpers ---------------------------------------------------------------------------------

bname() { echo "$1-$2"; }                   # bname none|fleet INDEX: the directory under $tmp
bid() { echo "bench-$1-$2"; }               # the broker id: plugin's conn_broker_id = ingester's name
prefix_of() { echo "${1:0:1}$2"; }          # client ids <prefix>-<n>: n0.. (baseline), f0.. (fleet)
in_prefix() { echo "client_id >= '$1-' AND client_id < '$1.'"; }
declare -A bpid bport hold_pid
fleet_db=fleet_scale
fdsn() { db_dsn "$fleet_db"; }
fsql() { sql "$(fdsn)" "$1"; }
deadline_passed() { [ "${EPOCHREALTIME%.*}" -ge "$1" ]; }

# fs_start KIND INDEX: broker INDEX of the baseline (none) or the fleet (plugin, async); the same
# port on a restart. The broker's $SYS and log lines go to the topic for the ingester.
fs_start() {
    local kind="$1" index="$2" mode=none database="" boot=""
    if [ "$kind" = fleet ]; then mode=async; database="$fleet_db"; fi
    if [ "$mode" != none ]; then
        # (Before the first plugin's start the table does not exist yet.)
        boot="$(fsql "SELECT coalesce((SELECT boot_id FROM broker_status WHERE broker_id = '$(bid "$kind" "$index")'), '')" \
            2>/dev/null || true)"
    fi
    broker_fixed_port="${bport[$kind$index]:-}"
    # No max_connections line: before the listener it would open a default listener on 1883 (which
    # the second broker cannot get); unlimited is mosquitto's default anyway.
    # Persistence, as docs/sys-ingester.md advises for a watched broker: the ingester's session (and
    # the log lines queued for it) survives the broker's restart, so the clients that reconnect
    # before the ingester does are not missing from its sessions. autosave every 2 s, so that even a
    # kill -9 finds the ingester's session saved.
    mkdir -p "$tmp/$(bname "$kind" "$index")"
    broker_extra_lines="$(printf '%s\n' "sys_interval 1" "log_dest topic" "log_type notice" "log_type subscribe" \
        "log_type unsubscribe" "persistence true" "persistence_location $tmp/$(bname "$kind" "$index")/" \
        "autosave_interval 2" "max_queued_messages 1000000")"
    local saved_opts="$BENCH_PLUGIN_OPTS"
    BENCH_PLUGIN_OPTS="conn_status_interval=$FS_STATUS_S $BENCH_PLUGIN_OPTS"
    start_broker "$(bname "$kind" "$index")" "$mode" "$database"
    BENCH_PLUGIN_OPTS="$saved_opts"
    broker_fixed_port="" broker_extra_lines=""
    bpid[$kind$index]="$broker_pid"
    bport[$kind$index]="$broker_port"
    extra_pids+=("$broker_pid")
    broker_pid=""
    if [ "$mode" != none ]; then  # this broker's own writer is up: a new boot_id, not stopped
        local limit=$((${EPOCHREALTIME%.*} + 60))
        until [ "$(fsql "SELECT count(*) FROM broker_status WHERE broker_id = '$(bid "$kind" "$index")'
                AND boot_id IS DISTINCT FROM '$boot' AND stopped_at IS NULL")" = 1 ]; do
            deadline_passed "$limit" && die "broker $(bid "$kind" "$index")'s plugin wrote no heartbeat within 60 s"
            sleep 0.1
        done
    fi
}

# fs_term KIND INDEX: SIGTERM; sets term_s to the seconds until the process exited (bounded: -9
# after 120 s). Runs in this shell, not $(...): a subshell would see the exited broker as a zombie.
fs_term() {
    local pid="${bpid[$1$2]}" start="$EPOCHREALTIME"
    kill -TERM "$pid"
    local limit=$((${start%.*} + 120))
    while kill -0 "$pid" 2>/dev/null; do
        deadline_passed "$limit" && { kill -9 "$pid"; break; }
        sleep 0.01
    done
    wait "$pid" 2>/dev/null || true
    term_s="$(elapsed "$start" "$EPOCHREALTIME")"
}

# fs_hold KIND INDEX ROUNDS: the held clients of one broker, in the background.
fs_hold() {
    local file="$fs/hold-$1-$2.jsonl"
    "$MQTT_LOAD" --port "${bport[$1$2]}" --hold "$FS_CLIENTS" --rounds "$3" --threads 4 --keepalive 0 \
        --hold-limit-s 7200 --prefix "$(prefix_of "$1" "$2")" --source-addresses "$fs_sources" \
        >"$file" 2>"$file.err" &
    hold_pid[$1$2]=$!
    extra_pids+=($!)
}

# hold_line KIND INDEX EVENT ROUND LIMIT_S: that mqtt-load's line for the step, or die.
hold_line() {
    local file="$fs/hold-$1-$2.jsonl" limit=$((${EPOCHREALTIME%.*} + $5)) line
    while true; do
        line="$(jq -c --arg e "$3" --argjson r "$4" 'select(.event == $e and .round == $r)' "$file" 2>/dev/null | head -n1)"
        if [ -n "$line" ]; then echo "$line"; return 0; fi
        kill -0 "${hold_pid[$1$2]}" 2>/dev/null || { cat "$file" "$file.err" >&2; die "mqtt-load for $1 $2 exited early"; }
        deadline_passed "$limit" && { cat "$file.err" >&2; die "no $3 line (round $4) from mqtt-load for $1 $2 within $5 s"; }
        sleep 0.05
    done
}

# wait_sql QUERY WANT LIMIT_S: polls until the query prints WANT; prints the time (epoch seconds)
# of the query that first saw it, or "".
wait_sql() {
    local limit=$((${EPOCHREALTIME%.*} + $3)) asked
    while true; do
        asked="$EPOCHREALTIME"
        [ "$(fsql "$1" 2>/dev/null)" = "$2" ] && { echo "$asked"; return 0; }
        deadline_passed "$limit" && { echo ""; return 0; }
        sleep 0.1
    done
}

# presence_of INDEX: {online, offline, unknown, session_kept} of broker INDEX's held clients.
presence_of() {
    fsql "SELECT json_build_object('online', count(*) FILTER (WHERE state = 'online'),
        'offline', count(*) FILTER (WHERE state = 'offline'), 'unknown', count(*) FILTER (WHERE state = 'unknown'),
        'session_kept', count(*) FILTER (WHERE state = 'session_kept'))
        FROM client_presence WHERE broker_id = '$(bid fleet "$1")' AND $(in_prefix "$(prefix_of fleet "$1")")"
}
# rows_of INDEX TYPE: connect or disconnect rows of broker INDEX's held clients.
rows_of() {
    fsql "SELECT count(*) FROM client_conn_events WHERE event_type = '$2' AND $(in_prefix "$(prefix_of fleet "$1")")"
}

# checkpoint NAME: waits (bounded) until, for every broker, client_presence's online count, $SYS
# clients/connected and the ingester's open sessions (+ its own connection) agree (presence_drift);
# appends {name, drift, settle_s, brokers} to checkpoints.jsonl. Drift = the largest spread of the
# three at the last look.
checkpoint() {
    local start="$EPOCHREALTIME" limit=$((${EPOCHREALTIME%.*} + FS_SETTLE_S)) rows drift settled=""
    local ids
    ids="$(for index in $(seq 0 $((FS_BROKERS - 1))); do printf "'%s'," "$(bid fleet "$index")"; done)"
    while true; do
        rows="$(fsql "SELECT coalesce(json_agg(json_build_object('broker', broker_id, 'plugin_online', plugin_online,
                'ingester_connected', ingester_connected, 'sys_connected', sys_connected) ORDER BY broker_id), '[]')
            FROM presence_drift WHERE broker_id IN (${ids%,})")"
        drift="$(jq '[.[] | [.plugin_online, .ingester_connected, .sys_connected]
            | if any(. == null) then 1000000000 else (max - min) end] | max // 1000000000' <<<"$rows")"
        if [ "$drift" = 0 ] && [ "$(jq length <<<"$rows")" = "$FS_BROKERS" ]; then
            settled="$(elapsed "$start" "$EPOCHREALTIME")"; break
        fi
        deadline_passed "$limit" && break
        sleep 0.5
    done
    jq -nc --arg name "$1" --argjson drift "$drift" --arg settled "$settled" --argjson brokers "$rows" \
        '{name: $name, drift: $drift, settle_s: (if $settled == "" then null else ($settled | tonumber) end),
          brokers: $brokers}' | tee -a "$fs/checkpoints.jsonl" >&2
}

# fs_ingester KIND DATABASE: one sys-ingester for the brokers of KIND; waits for its subscriptions.
fs_ingester() {
    local config="$fs/ingester-$1.yaml" database="$2"
    {
        echo "dsn_env: PG_DSN"
        echo "log_level: info"
        echo "brokers:"
        for index in $(seq 0 $((FS_BROKERS - 1))); do
            echo "  - {name: $(bid "$1" "$index"), host: 127.0.0.1, port: ${bport[$1$index]}}"
        done
    } >"$config"
    PG_DSN="$(db_dsn "$database")" "$SYS_INGESTER" --config "$config" >"$fs/ingester-$1.out" 2>&1 </dev/null &
    ingester_pid=$!
    extra_pids+=("$ingester_pid")
    local limit=$((${EPOCHREALTIME%.*} + 60)) subscribed=0
    while [ "$subscribed" != "$FS_BROKERS" ]; do
        kill -0 "$ingester_pid" 2>/dev/null || { tail -20 "$fs/ingester-$1.out" >&2; die "sys-ingester exited"; }
        deadline_passed "$limit" && die "sys-ingester recorded $subscribed of $FS_BROKERS subscriptions within 60 s"
        sleep 0.2
        subscribed="$(sql "$(db_dsn "$database")" "SELECT count(DISTINCT broker) FROM events WHERE topic = '\$SYS/broker/#'" \
            2>/dev/null || echo 0)"
    done
}
stop_ingester() {
    kill -TERM "$ingester_pid" 2>/dev/null || true
    wait "$ingester_pid" 2>/dev/null || true
}
sum_cpu() { local s=0 index; for index in $(seq 0 $((FS_BROKERS - 1))); do s=$((s + $(cpu_ticks "${bpid[$1$index]}"))); done; echo "$s"; }
sum_rss() { local s=0 index; for index in $(seq 0 $((FS_BROKERS - 1))); do s=$((s + $(rss_kb "${bpid[$1$index]}"))); done; echo "$s"; }
# storm_json KIND ROUND START: the connect lines of one round of every broker: all CONNACKed after
# (last finished_at - START); p99 = the largest per-broker p99 (each mqtt-load has its own).
storm_json() {
    local index lines=""
    for index in $(seq 0 $((FS_BROKERS - 1))); do lines+="$(hold_line "$1" "$index" connected "$2" 900)"$'\n'; done
    jq -sc --argjson start "$3" '{connected: (map(.connected) | add), errors: (map(.errors) | add),
        all_connacked_s: ((map(.finished_at) | max) - $start), p99_us: (map(.p99_us) | max),
        p50_us: (map(.p50_us) | max), per_broker_p99_us: map(.p99_us)}' <<<"$lines"
}

# cpu_who KIND INDEX: CPU clock ticks used so far by broker INDEX's main thread and by its other
# threads (the plugin's writer), by this PostgreSQL's processes, the ingester and the mqtt-load
# processes: who had the CPUs during a storm (utime + stime, /proc/<pid>[/task/<tid>]/stat).
cpu_who() {
    local pid="${bpid[$1$2]}" main wait pg=0 load=0 p postmaster
    main="$(awk '{ print $14 + $15 }' "/proc/$pid/task/$pid/stat" 2>/dev/null || echo 0)"
    # Nanoseconds the main thread was runnable but waited for a CPU (schedstat's second field).
    wait="$(awk '{ print $2 }' "/proc/$pid/task/$pid/schedstat" 2>/dev/null || echo 0)"
    postmaster="$(head -n1 "$fs_pg_dir/data/postmaster.pid" 2>/dev/null || echo 1)"
    for p in $postmaster $(pgrep -P "$postmaster" || true); do pg=$((pg + $(cpu_ticks "$p"))); done
    for p in "${hold_pid[@]}"; do load=$((load + $(cpu_ticks "$p"))); done
    echo "{\"broker_main\": $main, \"broker_main_runqueue_ns\": $wait,
        \"broker_other\": $(($(cpu_ticks "$pid") - main)), \"postgres\": $pg,
        \"ingester\": $(cpu_ticks "$ingester_pid"), \"load\": $load}"
}
# storm_cpu BEFORE AFTER: seconds of CPU during a reconnect storm (the restarted broker's since it
# started; the others' since BEFORE).
storm_cpu() {
    jq -nc --argjson a "$1" --argjson b "$2" --argjson ticks "$ticks_per_s" \
        '{broker_main: ($b.broker_main / $ticks), broker_main_runqueue: ($b.broker_main_runqueue_ns / 1e9 * 100 | round / 100),
          broker_other: ($b.broker_other / $ticks),
          postgres: (($b.postgres - $a.postgres) / $ticks), ingester: (($b.ingester - $a.ingester) / $ticks),
          load: (($b.load - $a.load) / $ticks)}'
}

# --- 0. Baseline: the same fleet without the plugin ------------------------------------------

fresh_database fleet_scale_none
for index in $(seq 0 $((FS_BROKERS - 1))); do fs_start none "$index"; done
fs_ingester none fleet_scale_none
rss0="$(sum_rss none)"
cpu0="$(sum_cpu none)"
log "baseline: $total clients connecting to $FS_BROKERS brokers without the plugin"
storm_start="$EPOCHREALTIME"
for index in $(seq 0 $((FS_BROKERS - 1))); do fs_hold none "$index" "$([ "$index" = 0 ] && echo 2 || echo 1)"; done
base_storm="$(storm_json none 1 "$storm_start")"
base_cpu=$(($(sum_cpu none) - cpu0))
sleep 2
base_rss=$(($(sum_rss none) - rss0))
log "baseline: storm $base_storm; SIGTERM to broker 0"
fs_term none 0
base_stop_s="$term_s"
hold_line none 0 closed 1 120 >/dev/null
who0="$(cpu_who none 0)"
restart_at="$EPOCHREALTIME"
fs_start none 0
base_restorm="$(hold_line none 0 connected 2 900)"
base_restorm_cpu="$(storm_cpu "$who0" "$(cpu_who none 0)")"
base_restorm="$(jq -c --argjson start "$restart_at" --argjson cpu "$base_restorm_cpu" \
    '{connected, errors, p99_us, p50_us, all_connacked_s: (.finished_at - $start), cpu_s: $cpu}' <<<"$base_restorm")"
log "baseline: broker 0 exited after $base_stop_s s; reconnect storm $base_restorm"
for index in $(seq 0 $((FS_BROKERS - 1))); do fs_term none "$index"; done
for index in $(seq 0 $((FS_BROKERS - 1))); do wait "${hold_pid[none$index]}" 2>/dev/null || true; done
stop_ingester

# --- 1. Connect storm with the plugin --------------------------------------------------------

fresh_database "$fleet_db"
for index in $(seq 0 $((FS_BROKERS - 1))); do fs_start fleet "$index"; done
fs_ingester fleet "$fleet_db"
db_bytes0="$(fsql "SELECT pg_database_size(current_database())")"
rss0="$(sum_rss fleet)"
cpu0="$(sum_cpu fleet)"
icpu0="$(cpu_ticks "$ingester_pid")"
log "1. connect storm: $total clients connecting to $FS_BROKERS brokers with the plugin (async)"
storm_start="$EPOCHREALTIME"
# Broker 0 is stopped and restarted (rounds 2), broker 1 killed and restarted (rounds 2).
for index in $(seq 0 $((FS_BROKERS - 1))); do fs_hold fleet "$index" "$([ "$index" -le 1 ] && echo 2 || echo 1)"; done
storm="$(storm_json fleet 1 "$storm_start")"
online_q="SELECT count(*) FROM client_presence WHERE state = 'online' AND client_id ~ '^f[0-9]+-'"
online_s="$(wait_sql "$online_q" "$total" "$FS_SETTLE_S")"
if [ -n "$online_s" ]; then online_s="$(elapsed "$storm_start" "$online_s")"; fi
storm_cpu=$(($(sum_cpu fleet) - cpu0))
storm_icpu=$(($(cpu_ticks "$ingester_pid") - icpu0))
storm="$(jq -c --arg online "$online_s" --argjson online_now "$(fsql "$online_q")" \
    '. + {all_online_s: (if $online == "" then null else ($online | tonumber) end), online: $online_now}' <<<"$storm")"
log "1. $storm"

# --- 2. Steady state -------------------------------------------------------------------------

checkpoint steady >/dev/null 2>&1
steady_cp="$(tail -n1 "$fs/checkpoints.jsonl")"
# The ingester's own writes of the storm (log lines of every connect) may still run: its CPU counted
# until the counts agreed.
storm_icpu=$(($(cpu_ticks "$ingester_pid") - icpu0))
sleep 1
fleet_rss=$(($(sum_rss fleet) - rss0))
steady="$(jq -nc --argjson cp "$steady_cp" --argjson rss_plugin "$fleet_rss" --argjson rss_none "$base_rss" \
    --argjson n "$total" --argjson cpu "$storm_cpu" --argjson cpu_none "$base_cpu" --argjson icpu "$storm_icpu" \
    --argjson ticks "$ticks_per_s" \
    '{drift: $cp.drift, settle_s: $cp.settle_s, counts: $cp.brokers,
      broker_rss_growth_kb: {plugin: $rss_plugin, none: $rss_none},
      plugin_bytes_per_client: ((($rss_plugin - $rss_none) * 1024 / $n) | round),
      broker_cpu_s: {plugin: ($cpu / $ticks), none: ($cpu_none / $ticks)},
      plugin_cpu_us_per_event: ((($cpu - $cpu_none) * 1000000 / $ticks / $n) * 10 | round / 10),
      ingester_cpu_us_per_event: (($icpu * 1000000 / $ticks / $n) * 10 | round / 10)}')"
log "2. $steady"

# --- 3. Broker 0 stopped for good (SIGTERM) --------------------------------------------------

log "3. SIGTERM to broker 0 with its $FS_CLIENTS clients connected"
fs_term fleet 0
stop_s="$term_s"
presence_at_stop="$(presence_of 0)"
stored_at_stop="$(rows_of 0 disconnect)"
spool_at_stop="$(du -sb "$tmp/$(bname fleet 0)/spool" | cut -f1)"
stopped_at_set="$(fsql "SELECT stopped_at IS NOT NULL FROM broker_status WHERE broker_id = '$(bid fleet 0)'")"
status_at_stop="$(fsql "SELECT json_build_object('stopped_at', stopped_at, 'last_seen', last_seen,
    'ingester_last_seen', ingester_last_seen, 'reporter', reporter, 'now', now())
    FROM broker_status WHERE broker_id = '$(bid fleet 0)'")"
# Still offline (not unknown) once the broker's last heartbeat is older than 3 status intervals.
hold_line fleet 0 closed 1 120 >/dev/null
sleep $((3 * FS_STATUS_S + 1))
presence_later="$(presence_of 0)"
stop="$(jq -nc --argjson exit_s "$stop_s" --argjson base "$base_stop_s" --argjson p "$presence_at_stop" \
    --argjson later "$presence_later" --argjson stored "$stored_at_stop" --argjson spool "$spool_at_stop" \
    --arg stopped "$stopped_at_set" --argjson n "$FS_CLIENTS" --argjson status "$status_at_stop" \
    '{exit_s: $exit_s, exit_s_none: $base, stop_ratio: (($exit_s / $base) * 100 | round / 100),
      presence_at_exit: $p, presence_after_3_intervals: $later, stopped_at_recorded: ($stopped == "t"),
      broker_status_at_exit: $status,
      disconnects_stored_at_exit: $stored, disconnects_in_spool_at_exit: ($n - $stored), spool_bytes_at_exit: $spool,
      offline_at_exit: ($p.offline == $n and $p.online == 0), offline_later: ($later.offline == $n)}')"
log "3. $stop"

# --- 5. Its restart: the reconnect storm -----------------------------------------------------

log "5. broker 0 restarts; $FS_CLIENTS clients reconnect"
who0="$(cpu_who fleet 0)"
restart_at="$EPOCHREALTIME"
fs_start fleet 0
restorm="$(hold_line fleet 0 connected 2 900)"
restorm_cpu="$(storm_cpu "$who0" "$(cpu_who fleet 0)")"
storm_end="$(jq -r .finished_at <<<"$restorm")"
rows_q="SELECT count(*) FILTER (WHERE event_type = 'connect') || ' ' || count(*) FILTER (WHERE event_type = 'disconnect')
    FROM client_conn_events WHERE $(in_prefix "$(prefix_of fleet 0)")"
stored_at="$(wait_sql "$rows_q" "$((2 * FS_CLIENTS)) $FS_CLIENTS" "$FS_SETTLE_S")"
stored_after_end=""
if [ -n "$stored_at" ]; then stored_after_end="$(elapsed "$storm_end" "$stored_at")"; fi
restorm_rows="$(fsql "SELECT json_build_object('connects', count(*) FILTER (WHERE event_type = 'connect'),
    'disconnects', count(*) FILTER (WHERE event_type = 'disconnect'),
    'shutdown_disconnects', count(*) FILTER (WHERE extra->>'cause' = 'broker_shutdown'),
    'distinct_keys', count(DISTINCT extra->>'event_key'), 'rows', count(*))
    FROM client_conn_events WHERE $(in_prefix "$(prefix_of fleet 0)")")"
checkpoint after-restart >/dev/null 2>&1
restorm="$(jq -nc --argjson l "$restorm" --argjson base "$base_restorm" --argjson start "$restart_at" \
    --argjson cpu "$restorm_cpu" \
    --arg after "$stored_after_end" --argjson rows "$restorm_rows" \
    '{connected: $l.connected, errors: $l.errors, p99_us: $l.p99_us, p99_us_none: $base.p99_us,
      storm_p99_ratio: (($l.p99_us / $base.p99_us) * 100 | round / 100),
      cpu_s: $cpu, cpu_s_none: $base.cpu_s,
      all_connacked_s: ($l.finished_at - $start), all_connacked_s_none: $base.all_connacked_s,
      rows_stored_after_storm_s: (if $after == "" then null else ($after | tonumber) end), rows: $rows}')"
log "5. $restorm"

# --- 4. Broker 1 killed with -9 --------------------------------------------------------------

log "4. kill -9 broker 1 with its $FS_CLIENTS clients connected"
kill -9 "${bpid[fleet1]}"
killed_at="$EPOCHREALTIME"
wait "${bpid[fleet1]}" 2>/dev/null || true
# The broker's last sign of life (its heartbeat, or the ingester's last $SYS message from it): the
# view says unknown once that is older than 3 status intervals.
last_seen="$(fsql "SELECT extract(epoch FROM last_seen) FROM broker_status WHERE broker_id = '$(bid fleet 1)'")"
unknown_s="$(wait_sql "SELECT count(*) FROM client_presence WHERE broker_id = '$(bid fleet 1)'
    AND state = 'unknown' AND $(in_prefix "$(prefix_of fleet 1)")" "$FS_CLIENTS" $((6 * FS_STATUS_S)))"
unknown_since_seen=""
if [ -n "$unknown_s" ]; then
    unknown_since_seen="$(elapsed "$last_seen" "$unknown_s")"
    unknown_s="$(elapsed "$killed_at" "$unknown_s")"
fi
presence_killed="$(presence_of 1)"
hold_line fleet 1 closed 1 120 >/dev/null
restart_at="$EPOCHREALTIME"
fs_start fleet 1
hold_line fleet 1 connected 2 900 >/dev/null
# The ghosts: the stale-session cleanup writes one disconnect per client the killed run left connected.
ghost_q="SELECT count(*) FILTER (WHERE event_type = 'connect') || ' ' || count(*) FILTER (WHERE event_type = 'disconnect')
    FROM client_conn_events WHERE $(in_prefix "$(prefix_of fleet 1)")"
ghosts_s="$(wait_sql "$ghost_q" "$((2 * FS_CLIENTS)) $FS_CLIENTS" "$FS_SETTLE_S")"
if [ -n "$ghosts_s" ]; then ghosts_s="$(elapsed "$restart_at" "$ghosts_s")"; fi
checkpoint after-kill >/dev/null 2>&1
kill_cp="$(tail -n1 "$fs/checkpoints.jsonl")"
kill="$(jq -nc --arg unknown "$unknown_s" --arg since_seen "$unknown_since_seen" --argjson interval "$FS_STATUS_S" \
    --argjson p "$presence_killed" \
    --argjson after "$(presence_of 1)" --arg ghosts "$ghosts_s" --argjson cp "$kill_cp" \
    --argjson stale "$(fsql "SELECT count(*) FROM client_conn_events WHERE extra->>'cause' = 'stale_after_restart'
        AND $(in_prefix "$(prefix_of fleet 1)")")" \
    --argjson connected "$(fsql "SELECT count(*) FROM client_broker_presence WHERE broker_id = '$(bid fleet 1)' AND state = 'connected'")" \
    '{unknown_after_s: (if $unknown == "" then null else ($unknown | tonumber) end), status_interval_s: $interval,
      unknown_after_last_seen_s: (if $since_seen == "" then null else ($since_seen | tonumber) end),
      within_3_intervals: ($since_seen != "" and ($since_seen | tonumber) <= 3 * $interval + 1),
      presence_after_kill: $p,
      ghosts_ended_s: (if $ghosts == "" then null else ($ghosts | tonumber) end), stale_disconnects: $stale,
      presence_after_restart: $after, connected_rows_after_restart: $connected, drift_after_restart: $cp.drift}')"
log "4. $kill"

# --- 6. PostgreSQL away for the outage, under churn on every broker --------------------------

rows_before="$(fsql "SELECT count(*) FROM client_conn_events")"
log "6. PostgreSQL stops for ${FS_OUTAGE_S} s; $FS_CHURN cycles/s of churn on each broker"
touch "$fs/churn.run"
churn_pids=()
for index in $(seq 0 $((FS_BROKERS - 1))); do
    paced_load "$fs/churn.run" "${bport[fleet$index]}" "$FS_CHURN" "c$index" "$fs/churn-$index.jsonl" "$fs/churn-$index.err" &
    churn_pids+=($!)
    extra_pids+=($!)
done
rows_at_stop="$(fsql "SELECT count(*) FROM client_conn_events")"
bash scripts/pg-scratch.sh stop "$fs_pg_dir"
outage_start="$EPOCHREALTIME"
sleep "$FS_OUTAGE_S"
rm -f "$fs/churn.run"
for pid in "${churn_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
pg_started="$EPOCHREALTIME"
bash scripts/pg-scratch.sh start "$fs_pg_dir" >/dev/null
outage_s="$(elapsed "$outage_start" "$pg_started")"
churn_cycles="$(cat "$fs"/churn-*.jsonl | jq -s 'map(.cycles) | add // 0')"
churn_errors="$(cat "$fs"/churn-*.jsonl | jq -s 'map(.errors) | add // 0')"
expected_churn=$((2 * churn_cycles))
first_row="" caught_up=""
limit=$((${EPOCHREALTIME%.*} + 600))
while true; do
    found="$(fsql "SELECT count(*) FROM client_conn_events" 2>/dev/null || echo "$rows_before")"
    if [ -z "$first_row" ] && [ "$found" -gt "$rows_before" ]; then first_row="$EPOCHREALTIME"; fi
    if [ "$found" -ge $((rows_before + expected_churn)) ]; then caught_up="$EPOCHREALTIME"; break; fi
    deadline_passed "$limit" && break
    sleep 0.1
done
outage_checks="$(fsql "SELECT json_build_object(
    'rows', (SELECT count(*) FROM client_conn_events WHERE client_id ~ '^c[0-9]+-'),
    'distinct_keys', (SELECT count(DISTINCT extra->>'event_key') FROM client_conn_events WHERE client_id ~ '^c[0-9]+-'),
    'clients_in_order', (SELECT count(*) FROM (SELECT client_id FROM client_conn_events WHERE client_id ~ '^c[0-9]+-'
        GROUP BY client_id HAVING count(*) = 2 AND min(id) FILTER (WHERE event_type = 'connect')
            < min(id) FILTER (WHERE event_type = 'disconnect')) c),
    'sequence_inversions', (SELECT count(*) FROM (SELECT (extra->>'seq')::bigint AS seq,
        lag((extra->>'seq')::bigint) OVER (PARTITION BY extra->>'broker_id', split_part(extra->>'event_key', ':', 1)
            ORDER BY id) AS previous FROM client_conn_events WHERE client_id ~ '^c[0-9]+-') s WHERE seq < previous))")"
checkpoint after-outage >/dev/null 2>&1

log "6. pgbench: ${BENCH_PG_SECONDS} s of the plugin's write in batches of $BENCH_REPLAY_BATCH (the replay's limit)"
fresh_database fleet_scale_pgbench
psql -X -q -v ON_ERROR_STOP=1 "$(db_dsn fleet_scale_pgbench)" -f schema/001_conn_plugin.sql \
    -f schema/002_conn_plugin_keys.sql -f schema/003_presence.sql
"$CONN_SQL" pgbench-script --write events --events "$BENCH_REPLAY_BATCH" >"$fs/pgbench-batch.sql"
"$PGBENCH" -n -M prepared -c1 -j1 -T "$BENCH_PG_SECONDS" -f "$fs/pgbench-batch.sql" "$(db_dsn fleet_scale_pgbench)" \
    >"$fs/pgbench-batch.out" 2>&1 || { cat "$fs/pgbench-batch.out" >&2; die "pgbench (batch) failed"; }
batch_tps="$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$fs/pgbench-batch.out")"
[ -n "$batch_tps" ] || { cat "$fs/pgbench-batch.out" >&2; die "pgbench (batch) printed no tps"; }
outage="$(jq -nc --argjson outage_s "$outage_s" --argjson cycles "$churn_cycles" --argjson errors "$churn_errors" \
    --argjson expected "$expected_churn" --argjson checks "$outage_checks" --arg first "$first_row" \
    --arg done "$caught_up" --arg pg "$pg_started" --argjson tps "$batch_tps" --argjson batch "$BENCH_REPLAY_BATCH" \
    --argjson replayed $((rows_before + expected_churn - rows_at_stop)) \
    '{outage_s: $outage_s, churn_cycles: $cycles, churn_errors: $errors, events: $expected, checks: $checks,
      first_row_after_s: (if $first == "" then null else (($first | tonumber) - ($pg | tonumber)) end),
      caught_up_after_s: (if $done == "" then null else (($done | tonumber) - ($pg | tonumber)) end),
      batch: $batch, batch_limit_events_per_s: ($tps * $batch), limit_method: "pgbench, the plugin write in replay-sized batches (bin/conn-sql), one connection"}
     | .replayed_events = $replayed
     | .catch_up_events_per_s = (if $done == "" or $first == "" or (($done | tonumber) - ($first | tonumber)) < 0.5 then null
         else ($replayed / (($done | tonumber) - ($first | tonumber))) | round end)
     | .catch_up_vs_limit = (if .catch_up_events_per_s then ((.catch_up_events_per_s / .batch_limit_events_per_s) * 1000 | round / 1000) else null end)')"
log "6. $outage"

# --- Loss over every phase, then the fleet's final stop --------------------------------------

# What must be stored now: per broker, connects of every round; disconnects of broker 0's stop and
# broker 1's ghosts; two rows per churn cycle. Exactly: missing rows are lost, more are extra.
expected="$(jq -nc --argjson n "$FS_CLIENTS" --argjson brokers "$FS_BROKERS" --argjson churn "$expected_churn" \
    '{connects: ($n * ($brokers + 2)), disconnects: (2 * $n), churn_rows: $churn}')"
found="$(fsql "SELECT json_build_object(
    'connects', count(*) FILTER (WHERE event_type = 'connect' AND client_id ~ '^f[0-9]+-'),
    'disconnects', count(*) FILTER (WHERE event_type = 'disconnect' AND client_id ~ '^f[0-9]+-'),
    'churn_rows', count(*) FILTER (WHERE client_id ~ '^c[0-9]+-'),
    'rows', count(*), 'distinct_keys', count(DISTINCT extra->>'event_key'))
    FROM client_conn_events")"
db_bytes="$(fsql "SELECT pg_database_size(current_database())")"
db_tables="$(fsql "SELECT json_object_agg(relname, pg_total_relation_size(oid) ORDER BY relname) FROM pg_class
    WHERE relkind IN ('r', 'p') AND relnamespace = 'public'::regnamespace")"
db_rows="$(fsql "SELECT json_build_object('conn_events', (SELECT count(*) FROM client_conn_events),
    'ingester_events', (SELECT count(*) FROM events), 'broker_metrics', (SELECT count(*) FROM broker_metrics))")"
log "final stop of the fleet"
final_exit="[]"
for index in $(seq 0 $((FS_BROKERS - 1))); do fs_term fleet "$index"; final_exit="$(jq -c ". + [$term_s]" <<<"$final_exit")"; done
for index in $(seq 0 $((FS_BROKERS - 1))); do wait "${hold_pid[fleet$index]}" 2>/dev/null || true; done
final_stored="$(fsql "SELECT count(*) FROM client_conn_events WHERE event_type = 'disconnect' AND client_id ~ '^f[0-9]+-'")"
stop_ingester
dropped="$({ grep -ho 'events\.dropped=[0-9]*' "$tmp"/fleet-[0-9]*/mosquitto.log || true; } | cut -d= -f2 | awk '{ s += $1 } END { print s + 0 }')"

cpu="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
jq -nc --argjson brokers "$FS_BROKERS" --argjson per "$FS_CLIENTS" --argjson base "$base_storm" \
    --argjson storm "$storm" --argjson steady "$steady" --argjson stop "$stop" --argjson restorm "$restorm" \
    --argjson kill "$kill" --argjson outage "$outage" --argjson expected "$expected" --argjson found "$found" \
    --slurpfile checkpoints "$fs/checkpoints.jsonl" --argjson db_bytes "$db_bytes" --argjson db_bytes0 "$db_bytes0" \
    --argjson db_rows "$db_rows" --argjson db_tables "$db_tables" --argjson final_exit "$final_exit" --argjson final_stored "$final_stored" \
    --argjson dropped "$dropped" --argjson nproc "$(nproc)" --arg cpu "$cpu" --arg load "$(cut -d' ' -f1-3 /proc/loadavg)" \
    --arg fsync "$(sql "$server_dsn" "SHOW fsync")" --argjson outage_cfg "$FS_OUTAGE_S" --argjson churn_rate "$FS_CHURN" \
    '($expected | to_entries | map(.key as $k | {($k): ([.value - $found[$k], 0] | max)}) | add) as $missing
     | ($expected | to_entries | map(.key as $k | {($k): ([$found[$k] - .value, 0] | max)}) | add) as $more
     | {bench: "fleet-scale", brokers: $brokers, clients_per_broker: $per, clients: ($brokers * $per),
        lost: ($missing | add), extra: (($more | add) + ($found.rows - $found.distinct_keys)),
        max_drift: ($checkpoints | map(.drift) | max),
        stop_ratio: $stop.stop_ratio, storm_p99_ratio: $restorm.storm_p99_ratio,
        connect_storm: ($storm + {p99_us_none: $base.p99_us, all_connacked_s_none: $base.all_connacked_s,
            p99_ratio: (($storm.p99_us / $base.p99_us) * 100 | round / 100)}),
        steady: $steady, stop: $stop, reconnect_storm: $restorm, kill: $kill, outage: $outage,
        checkpoints: ($checkpoints | map({name, drift, settle_s})),
        rows: {expected: $expected, found: $found, missing: $missing, extra: $more},
        db: {bytes: $db_bytes, growth_bytes: ($db_bytes - $db_bytes0), rows: $db_rows, table_bytes: $db_tables,
             bytes_per_million_events: ((($db_bytes - $db_bytes0) / ($db_rows.conn_events + $db_rows.ingester_events)
                 * 1000000) | round),
             plugin_bytes_per_million_conn_events: (($db_tables | to_entries | map(select(.key | startswith("client_")) | .value)
                 | add // 0) / $db_rows.conn_events * 1000000 | round)},
        final_stop: {exit_s: $final_exit, disconnects_stored_at_end: $final_stored,
            disconnects_expected: ($expected.disconnects + $brokers * $per)},
        plugin_events_dropped: $dropped, outage_s: $outage_cfg, churn_per_broker: $churn_rate,
        machine: {nproc: $nproc, cpu: $cpu, loadavg_at_end: $load, pg_fsync: $fsync}}' >"$fs/results.json"
cp "$fs/results.json" "$tmp/results.json"
jq -r '"fleet-scale: \(.brokers) brokers x \(.clients_per_broker) clients; lost \(.lost), extra \(.extra), max drift \(.max_drift)",
    "  connect storm: all CONNACKed \(.connect_storm.all_connacked_s) s (none \(.connect_storm.all_connacked_s_none) s), all online \(.connect_storm.all_online_s) s, p99 \(.connect_storm.p99_us) us (none \(.connect_storm.p99_us_none) us)",
    "  steady: drift \(.steady.drift), plugin \(.steady.plugin_bytes_per_client) B/client, plugin \(.steady.plugin_cpu_us_per_event) us/event, ingester \(.steady.ingester_cpu_us_per_event) us/event, db \(.db.bytes_per_million_events) B per million events (plugin tables \(.db.plugin_bytes_per_million_conn_events) B per million connect/disconnect rows)",
    "  stop: exit \(.stop.exit_s) s (none \(.stop.exit_s_none) s, ratio \(.stop_ratio)); presence at exit \(.stop.presence_at_exit); \(.stop.disconnects_in_spool_at_exit) disconnects waited in the spool",
    "  reconnect storm: p99 \(.reconnect_storm.p99_us) us (none \(.reconnect_storm.p99_us_none) us, ratio \(.storm_p99_ratio)); rows stored \(.reconnect_storm.rows_stored_after_storm_s) s after the storm",
    "  kill -9: unknown after \(.kill.unknown_after_s) s (interval \(.kill.status_interval_s) s); ghosts ended \(.kill.ghosts_ended_s) s after restart",
    "  outage: \(.outage.events) events, caught up \(.outage.caught_up_after_s) s after PostgreSQL returned, \(.outage.catch_up_events_per_s) events/s vs limit \(.outage.batch_limit_events_per_s) (\(.outage.catch_up_vs_limit)); checks \(.outage.checks)"' \
    "$fs/results.json" >&2
cat "$fs/results.json"
