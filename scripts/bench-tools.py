#!/usr/bin/env python3
"""Helpers of scripts/bench.sh (`make bench`).

  bench-tools.py report RESULTS_JSON         print the results table and the one-line JSON summary
  bench-tools.py fleet-report RESULTS_JSON   the same for BENCH_MODE=fleet (scripts/bench-fleet.sh)
  bench-tools.py history-query NAME PLAN_JSON PGBENCH_LOG...
                                             one query's latencies (pgbench -l logs) and plan indexes
  bench-tools.py history-report RESULTS_JSON the table and JSON line of BENCH_MODE=history
  bench-tools.py latencies PGBENCH_LOG...    p50/p99/max ms and count of the transactions in the logs
  bench-tools.py retention-phase NAME START END PGBENCH_LOG...
                                             one prune's time and the writer's latency meanwhile
  bench-tools.py retention-report RESULTS_JSON the table and JSON line of BENCH_MODE=retention
  bench-tools.py scale-report RESULTS_JSON   the same for BENCH_MODE=scale (scripts/bench-scale.sh)

The pgbench scripts of the baselines are made by the product's own `bin/conn-sql pgbench-script`
(Sources/Tools/ConnSQL) from the statements and the parameter encoding the plugin runs: no copy here.
"""
import json
import os
import re
import sys


def fmt(value, digits=0):
    if value is None:
        return "-"
    return f"{value:,.{digits}f}"


def drain(phase):
    """Seconds from the end of the load until every expected row was in the table."""
    return fmt(phase["drain_s"], 2) if phase.get("drain_s") is not None else f">{phase.get('drain_limit_s', 10)}"


def report(results_file):
    r = json.load(open(results_file, encoding="utf-8"))
    base, sync, async_, replay = r["none"], r["sync"], r["async"], r["replay"]
    pg = r["pgbench"]
    seed_events = pg["seed"]["events_per_s"]
    plugin_events = pg["events"]["events_per_s"]
    batch_events = pg["batch"]["events_per_s"]
    sync_ratio = 2 * sync["cycles_per_s"] / seed_events if seed_events else None
    async_ratio = async_["cycles_per_s"] / base["cycles_per_s"] if base["cycles_per_s"] else None
    # Presence's A/B runs right after the second seed run: compare the two neighbours.
    seed_next_to_events = (pg["seed"].get("runs_events_per_s") or [seed_events])[-1]
    presence_ratio = plugin_events / seed_next_to_events if seed_next_to_events else None
    replay_ratio = replay["events_per_s"] / batch_events if batch_events and replay.get("events_per_s") else None

    print()
    print(f"make bench: {r['machine']['nproc']} CPUs ({r['machine']['cpu']}), {r['machine']['mem_mb']} MB; "
          f"PostgreSQL fsync {r['fsync']}; {r['threads']} load threads, {r['seconds']} s per phase"
          + (f"; plugin options: {r['plugin_opts']}" if r.get("plugin_opts") else "; default plugin options"))
    print()
    header = f"{'phase':<10} {'cycles/s':>10} {'events/s':>10} {'p50 us':>8} {'p99 us':>8} {'errors':>6} " \
             f"{'rows exp':>9} {'rows found':>10} {'lost':>7} {'dropped':>7} {'drain s':>7} {'RSS before':>10} " \
             f"{'RSS after':>10} {'RSS settled':>11}"
    print(header)
    print("-" * len(header))
    for name, p in (("no plugin", base), ("sync", sync), ("async", async_)):
        plugin = name != "no plugin"
        print(f"{name:<10} {fmt(p['cycles_per_s']):>10} {fmt(2 * p['cycles_per_s']) if plugin else '-':>10} "
              f"{p['p50_us']:>8} {p['p99_us']:>8} {p['errors']:>6} "
              f"{fmt(p.get('rows_expected')) if plugin else '-':>9} {fmt(p.get('rows_found')) if plugin else '-':>10} "
              f"{fmt(p.get('lost')) if plugin else '-':>7} {fmt(p.get('events_dropped')) if plugin else '-':>7} "
              f"{drain(p) if plugin else '-':>7} "
              f"{str(p.get('rss_before_kb', '-')) + ' kB' if plugin else '-':>10} "
              f"{str(p.get('rss_after_kb', '-')) + ' kB' if plugin else '-':>10} "
              f"{str(p.get('rss_settled_kb', '-')) + ' kB' if plugin else '-':>11}")
    if base.get("runs_cycles_per_s"):
        before, after = base["runs_cycles_per_s"]
        print(f"(no plugin: the mean of {fmt(before)} cycles/s before the plugin's phases and {fmt(after)} after async; "
              f"its latencies and CPU are the first run's)")
    print()
    print("CPU per connect+disconnect cycle, µs (load + drain; the broker's process includes the plugin's writer):")
    for name, p in (("no plugin", base), ("sync", sync), ("async", async_)):
        c = p.get("cpu_us_per_cycle") or {}
        total = sum(c.get(k, 0) for k in ("broker", "postgres", "load"))
        print(f"  {name:<10} broker {fmt(c.get('broker'), 1):>7}  postgres {fmt(c.get('postgres'), 1):>7}  "
              f"load {fmt(c.get('load'), 1):>7}  total {fmt(total, 1):>7}")
    print()
    print(f"pgbench (-c1 -j1, {pg['events']['seconds']} s each, the plugin's statements and encoding via bin/conn-sql):")
    print(f"  seed 000's write (write_batch.sql), 1 event per statement:      {fmt(seed_events):>9} events/s"
          + (f"   (mean of {' and '.join(fmt(x) for x in pg['seed']['runs_events_per_s'])}: before and after sync)"
             if pg["seed"].get("runs_events_per_s") else ""))
    print(f"  the plugin's write (+ per-broker presence), 1 event/statement:  {fmt(plugin_events):>9} events/s"
          f"   (presence on the path: {fmt(presence_ratio, 2)} of seed's run after sync)")
    print(f"  the plugin's write, {pg['batch']['events_per_write']} events per statement (replay's limit): "
          f"{fmt(batch_events):>9} events/s")
    seed_batch = pg.get("seed_batch")
    if seed_batch:
        print(f"  seed 000's write, {seed_batch['events_per_write']} events per statement:"
              f"{'':>17}{fmt(seed_batch['events_per_s']):>9} events/s")
    print("  PostgreSQL CPU per event (the whole server), us: "
          + ", ".join(f"{name} {fmt(pg[name].get('postgres_us_per_event'), 1)}"
                      for name in ("seed", "events", "batch", "seed_batch") if pg.get(name)))
    print()
    print(f"replay: {fmt(replay['events'])} events spooled during an outage, replayed at {fmt(replay.get('events_per_s'))} "
          f"events/s with {replay['live_threads']} live load thread(s) going on; lost {replay['lost']}, "
          f"extra {replay['extra']}, order inversions {replay['order_inversions']}")
    rcpu = replay.get("cpu")
    if rcpu:
        share = rcpu["cpu_s_per_s"]
        print(f"  during the catch-up the machine's {rcpu['cpus_busy_of']} CPUs were busy {fmt(rcpu['cpus_busy'], 2)} CPU-s/s: "
              f"broker thread {fmt(share['broker_thread'], 2)}, plugin writer {fmt(share['writer'], 2)}, "
              f"PostgreSQL {fmt(share['postgres'], 2)}, live load {fmt(share['live_load'], 2)}")
        print(f"  rows written {fmt(rcpu['rows']['replayed'])} replayed + {fmt(rcpu['rows']['live'])} live; CPU per row: "
              f"writer {fmt(rcpu['us_per_row_written']['writer'], 1)} us, PostgreSQL {fmt(rcpu['us_per_row_written']['postgres'], 1)} us")
    print()
    print(f"sync events/s / pgbench seed events/s      = {fmt(sync_ratio, 2)}   (target >= 0.80)")
    print(f"async cycles/s / no-plugin cycles/s        = {fmt(async_ratio, 2)}   (target >= 0.95)")
    print(f"replay events/s / pgbench batch events/s   = {fmt(replay_ratio, 2)}   (target >= 0.80)")
    lost = sync["lost"] + async_["lost"] + replay["lost"]
    print(f"rows lost = {lost} (target 0; the plugin counted {sync['events_dropped']} + {async_['events_dropped']} "
          f"events dropped); async drained in {drain(async_)} s (target <= 2 s)")

    summary = {
        "bench": "conn-plugin",
        "threads": r["threads"], "seconds_per_phase": r["seconds"], "plugin_opts": r.get("plugin_opts", ""),
        "nproc": r["machine"]["nproc"], "fsync": r["fsync"], "commit": r.get("commit", ""),
        "none_cycles_per_s": base["cycles_per_s"], "none_runs_cycles_per_s": base.get("runs_cycles_per_s"),
        "none_p50_us": base["p50_us"], "none_p99_us": base["p99_us"],
        "sync_cycles_per_s": sync["cycles_per_s"], "sync_p50_us": sync["p50_us"], "sync_p99_us": sync["p99_us"],
        "async_cycles_per_s": async_["cycles_per_s"], "async_p50_us": async_["p50_us"],
        "async_p99_us": async_["p99_us"],
        "pgbench_seed_events_per_s": seed_events, "pgbench_seed_runs_events_per_s": pg["seed"].get("runs_events_per_s"),
        "pgbench_plugin_events_per_s": plugin_events,
        "pgbench_batch_events_per_s": batch_events, "pgbench_batch_events": pg["batch"]["events_per_write"],
        "pgbench_seed_batch_events_per_s": pg["seed_batch"]["events_per_s"] if pg.get("seed_batch") else None,
        "pgbench_postgres_us_per_event": {name: pg[name].get("postgres_us_per_event")
                                          for name in ("seed", "events", "batch", "seed_batch") if pg.get(name)},
        "presence_vs_seed": round(presence_ratio, 3) if presence_ratio is not None else None,
        "sync_vs_pgbench": round(sync_ratio, 3) if sync_ratio is not None else None,
        "async_vs_none": round(async_ratio, 3) if async_ratio is not None else None,
        "replay_events": replay["events"], "replay_events_per_s": replay.get("events_per_s"),
        "replay_vs_limit": round(replay_ratio, 3) if replay_ratio is not None else None,
        "replay_lost": replay["lost"], "replay_extra": replay["extra"],
        "replay_order_inversions": replay["order_inversions"], "replay_cpu": replay.get("cpu"),
        "sync_rows_expected": sync["rows_expected"], "sync_rows_found": sync["rows_found"],
        "async_rows_expected": async_["rows_expected"], "async_rows_found": async_["rows_found"],
        "lost": lost, "sync_drain_s": sync["drain_s"], "async_drain_s": async_["drain_s"],
        "sync_dropped": sync["events_dropped"], "async_dropped": async_["events_dropped"],
        "errors": base["errors"] + sync["errors"] + async_["errors"],
        # before the load, right after the drain, and RSS_SETTLE_S later (the writer idle)
        "sync_rss_kb": [sync["rss_before_kb"], sync["rss_after_kb"], sync.get("rss_settled_kb")],
        "async_rss_kb": [async_["rss_before_kb"], async_["rss_after_kb"], async_.get("rss_settled_kb")],
        "cpu_us_per_cycle": {"none": base.get("cpu_us_per_cycle"), "sync": sync.get("cpu_us_per_cycle"),
                             "async": async_.get("cpu_us_per_cycle")},
    }
    print()
    print(json.dumps(summary, separators=(",", ":")))


def fleet_report(results_file):
    r = json.load(open(results_file, encoding="utf-8"))
    elapsed = r["elapsed_s"]
    rows_per_s = r["rows_stored"] / elapsed if elapsed else None
    cpu_share = r["cpu_s"] / elapsed if elapsed else None
    lines = sum(b["log_lines"] for b in r["per_broker"])
    events = sum(b["events"] for b in r["per_broker"])
    short = [b for b in r["per_broker"] if b["events"] < b["log_lines"]]
    lost = sum(b["log_lines"] - b["events"] for b in short)
    churn_lost = max(r["cycles"] - r["churn_connects_stored"], 0) + max(r["cycles"] - r["churn_disconnects_stored"], 0)
    m = r["machine"]
    print()
    print(f"make bench (fleet): {m['nproc']} CPUs ({m['cpu']}), {m['mem_mb']} MB; one sys-ingester, "
          f"{r['brokers']} brokers with sys_interval 1, churn on {len(r['churned'])} "
          f"({', '.join(r['churned'])}) at {r['rate_per_broker']} connections/s each for {r['seconds']} s")
    print()
    rows = [
        ("run (load + drain)", f"{fmt(elapsed, 1)} s"),
        ("rows stored (broker_metrics + events)", f"{fmt(r['rows_stored'])}  =  {fmt(rows_per_s)} rows/s"),
        ("  broker_metrics / events in total", f"{fmt(r['metrics_rows'])} / {fmt(r['events_rows'])}"),
        ("churn cycles (connect + disconnect)", f"{fmt(r['cycles'])}  ({r['load_errors']} errors)"),
        ("writer caught up after the load", f"{drain({'drain_s': r['drain_s'], 'drain_limit_s': 20})} s"),
        ("ingester CPU", f"{fmt(r['cpu_s'], 2)} s  =  {fmt(100 * cpu_share if cpu_share is not None else None, 1)} % of one CPU"),
        ("ingester RSS before / after / peak", f"{r['rss_before_kb']} / {r['rss_after_kb']} / {r['rss_peak_kb']} kB"),
        ("log lines published / events stored", f"{fmt(lines)} / {fmt(events)}"),
        ("lost (log lines without a row)", f"{lost}" + (f" (brokers {', '.join(b['broker'] for b in short)})" if short else "")),
        ("lost (churn connects/disconnects)", f"{churn_lost}"),
        ("ingester dropped / lost at stop / exit", f"{r['ingester_dropped']} / {r['ingester_lost_at_stop']} / {r['ingester_exit']}"),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    summary = {
        "bench": "sys-ingester-fleet", "brokers": r["brokers"], "churned": len(r["churned"]),
        "rate_per_broker": r["rate_per_broker"], "seconds": r["seconds"], "nproc": m["nproc"],
        "elapsed_s": round(elapsed, 2), "rows_stored": r["rows_stored"],
        "rows_per_s": round(rows_per_s, 1) if rows_per_s is not None else None,
        "cycles": r["cycles"], "load_errors": r["load_errors"], "drain_s": r["drain_s"],
        "cpu_s": round(r["cpu_s"], 2), "cpu_share": round(cpu_share, 3) if cpu_share is not None else None,
        "rss_kb": [r["rss_before_kb"], r["rss_after_kb"]], "rss_peak_kb": r["rss_peak_kb"],
        "log_lines": lines, "events": events, "lost": lost, "churn_lost": churn_lost,
        "dropped": r["ingester_dropped"], "lost_at_stop": r["ingester_lost_at_stop"], "exit": r["ingester_exit"],
    }
    print()
    print(json.dumps(summary, separators=(",", ":")))


def percentile(sorted_values, fraction):
    """The value below which `fraction` of the sorted values lie (nearest rank)."""
    if not sorted_values:
        return None
    rank = max(1, int(-(-fraction * len(sorted_values) // 1)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def pgbench_latencies_ms(log_files):
    """Latencies in ms of every transaction in pgbench -l logs (third field: microseconds)."""
    values = []
    for log_file in log_files:
        for line in open(log_file, encoding="utf-8"):
            fields = line.split()
            if len(fields) >= 3 and fields[2].isdigit():
                values.append(int(fields[2]) / 1000.0)
    return sorted(values)


def latency_summary(log_files):
    values = pgbench_latencies_ms(log_files)
    return {"count": len(values), "p50_ms": percentile(values, 0.5), "p99_ms": percentile(values, 0.99),
            "max_ms": values[-1] if values else None}


def plan_scans(plan_file):
    """(indexes used, tables read by a sequential scan) of an EXPLAIN (FORMAT JSON) output."""
    indexes, seq_scans = [], []

    def walk(node):
        kind = node.get("Node Type", "")
        if "Index Name" in node and node["Index Name"] not in indexes:
            indexes.append(node["Index Name"])
        if kind == "Seq Scan" and node.get("Relation Name") not in seq_scans:
            seq_scans.append(node.get("Relation Name"))
        for child in node.get("Plans", []):
            walk(child)

    for plan in json.load(open(plan_file, encoding="utf-8")):
        walk(plan["Plan"])
    return indexes, seq_scans


def history_query(name, plan_file, log_files):
    indexes, seq_scans = plan_scans(plan_file)
    summary = {"query": name, **latency_summary(log_files), "indexes": indexes, "seq_scans": seq_scans}
    print(json.dumps(summary, separators=(",", ":")))


def history_report(results_file):
    r = json.load(open(results_file, encoding="utf-8"))
    m = r["machine"]
    print()
    print(f"make bench (history): {m['nproc']} CPUs ({m['cpu']}), {m['mem_mb']} MB; client_conn_events "
          f"{r['rows']:,} rows ({r['clients']:,} clients, {r['days']} days, {r['table_bytes'] / 2**30:.1f} GiB "
          f"with indexes, generated in {r['generate_s']:.0f} s); {r['runs']} runs per query, one connection")
    print()
    header = f"{'query':<22} {'median ms':>10} {'p99 ms':>8} {'max ms':>8}  plan"
    print(header)
    print("-" * (len(header) + 40))
    for q in r["queries"]:
        plan = "indexes: " + (", ".join(q["indexes"]) or "none")
        if q["seq_scans"]:
            plan += "; seq scans: " + ", ".join(q["seq_scans"])
        print(f"{q['query']:<22} {fmt(q['p50_ms'], 2):>10} {fmt(q['p99_ms'], 2):>8} {fmt(q['max_ms'], 2):>8}  {plan}")
    by_name = {q["query"]: q for q in r["queries"]}
    before, after = by_name["droppers_without_004"], by_name["droppers"]
    ratio = before["p50_ms"] / after["p50_ms"] if after["p50_ms"] else None
    print()
    print(f"droppers without / with schema/004 (median) = {fmt(ratio, 1)}x   "
          f"(004 built CONCURRENTLY in {r['index_004_build_s']:.1f} s; {r['droppers_found']} devices found)")
    summary = {"bench": "history", "rows": r["rows"], "clients": r["clients"], "days": r["days"], "runs": r["runs"],
               "nproc": m["nproc"], "table_bytes": r["table_bytes"], "generate_s": r["generate_s"],
               "index_004_build_s": r["index_004_build_s"], "droppers_found": r["droppers_found"],
               "droppers_speedup_004": round(ratio, 2) if ratio is not None else None}
    for q in r["queries"]:
        summary[q["query"]] = {"p50_ms": q["p50_ms"], "p99_ms": q["p99_ms"], "max_ms": q["max_ms"],
                               "indexes": q["indexes"], "seq_scans": q["seq_scans"]}
    print()
    print(json.dumps(summary, separators=(",", ":")))


def pgbench_window_latencies_ms(log_files, start, end):
    """Latencies (ms) of the transactions of pgbench -l logs that completed between start and end
    (epoch seconds; fields 5 and 6 are the completion time)."""
    """(own latencies, latencies with the schedule lag of -R) in ms, each sorted; field 3 is the
    latency from the scheduled start, field 7 the lag behind the schedule."""
    own, with_lag = [], []
    for log_file in log_files:
        for line in open(log_file, encoding="utf-8"):
            fields = line.split()
            if len(fields) >= 6 and fields[2].isdigit():
                done = int(fields[4]) + int(fields[5]) / 1e6
                if start <= done <= end:
                    lag = int(fields[6]) if len(fields) >= 7 else 0
                    own.append((int(fields[2]) - lag) / 1000.0)
                    with_lag.append(int(fields[2]) / 1000.0)
    return sorted(own), sorted(with_lag)


def retention_phase(name, start, end, log_files):
    start, end = float(start), float(end)
    # A drop takes milliseconds: the window runs on 1 s past its end, so what it holds up shows.
    values, with_lag = pgbench_window_latencies_ms(log_files, start, end + 1.0)
    print(json.dumps({"phase": name, "seconds": round(end - start, 3), "writes": len(values),
                      "p50_ms": percentile(values, 0.5), "p99_ms": percentile(values, 0.99),
                      "max_ms": values[-1] if values else None,
                      "p99_with_lag_ms": percentile(with_lag, 0.99)}, separators=(",", ":")))


def retention_report(results_file):
    r = json.load(open(results_file, encoding="utf-8"))
    m = r["machine"]
    phases = {p["phase"]: p for p in r["phases"]}
    sizes = {x["state"]: x for x in r["sizes"]}
    print()
    print(f"make bench (retention): {m['nproc']} CPUs ({m['cpu']}), {m['mem_mb']} MB; client_conn_events "
          f"{r['rows']:,} rows; writer: the plugin's statement at {r['rate']} transactions/s (2 events each)")
    print()
    header = f"{'phase':<26} {'seconds':>9} {'writes':>7} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'p99 +lag':>9}"
    print(header)
    print("-" * len(header))
    for p in r["phases"]:
        print(f"{p['phase']:<26} {fmt(p['seconds'], 3):>9} {p['writes']:>7} {fmt(p['p50_ms'], 2):>8} "
              f"{fmt(p['p99_ms'], 2):>8} {fmt(p['max_ms'], 2):>8} {fmt(p.get('p99_with_lag_ms'), 2):>9}")
    print()
    print(f"{'state':<26} {'rows':>12} {'table MiB':>10} {'index MiB':>10}")
    for x in r["sizes"]:
        print(f"{x['state']:<26} {x['rows']:>12,} {x['table_bytes'] / 2**20:>10,.0f} {x['index_bytes'] / 2**20:>10,.0f}")
    deletes = [p for n, p in phases.items() if n.startswith("delete_day_")]
    drops = [p for n, p in phases.items() if n.startswith("drop_day_")]
    mean = lambda values: sum(values) / len(values) if values else None
    delete_s, drop_s = mean([p["seconds"] for p in deletes]), mean([p["seconds"] for p in drops])
    ratio = delete_s / drop_s if drop_s else None
    base = phases.get("writer_alone_plain", {})
    worst_delete_p99 = max((p["p99_ms"] or 0) for p in deletes) if deletes else None
    worst_drop_p99 = max((p["p99_ms"] or 0) for p in drops) if drops else None
    print()
    print(f"DELETE of a day / partition drop of a day = {fmt(ratio, 0)}x the time "
          f"({fmt(delete_s, 2)} s against {fmt(drop_s, 3)} s); conversion took {r['convert_s']:.0f} s, "
          f"VACUUM after the deletes {r['vacuum_s']:.0f} s")
    if base.get("p99_ms"):
        print(f"writer p99 during DELETE / writer alone = {fmt(worst_delete_p99 / base['p99_ms'], 1)}x; "
              f"during drop / alone = {fmt(worst_drop_p99 / phases['writer_alone_partitioned']['p99_ms'], 1)}x")
    summary = {"bench": "retention", "rows": r["rows"], "batch": r["batch"], "rate": r["rate"], "nproc": m["nproc"],
               "convert_s": r["convert_s"], "vacuum_s": r["vacuum_s"], "writer_rows": r["writer_rows"],
               "delete_vs_drop_time": round(ratio, 1) if ratio is not None else None,
               "phases": {n: {k: v for k, v in p.items() if k != "phase"} for n, p in phases.items()},
               "sizes": {n: {k: v for k, v in x.items() if k != "state"} for n, x in sizes.items()}}
    print()
    print(json.dumps(summary, separators=(",", ":")))


def ratio(a, b):
    return a / b if a is not None and b else None


def rounded(value, digits=3):
    return round(value, digits) if value is not None else None


def scale_report(results_file):
    r = json.load(open(results_file, encoding="utf-8"))
    cpu, replay, m = r["cpu"], r["replay"], r["machine"]
    none, sync, async_ = cpu["none"], cpu["sync"], cpu["async"]
    async_vs_none = ratio(async_["cycles_per_s"], none["cycles_per_s"])
    base_us = none["broker_us_per_event"]
    checks = replay["checks"]
    replay_lost = max(replay["expected_rows"] - checks["rows"], 0)
    replay_extra = max(checks["rows"] - replay["expected_rows"], 0) + (checks["rows"] - checks["distinct_keys"])
    replay_clients = replay["outage_events"] // 2 + replay["live_cycles"]
    order_violations = checks["sequence_inversions"] + (replay_clients - checks["clients_in_order"])
    replay_ratio = ratio(replay["replay_events_per_s"], replay["batch_limit_events_per_s"])

    by_size = {}
    for h in r["holds"]:
        by_size.setdefault(h["clients"], {})[h["mode"]] = h
    growth = []
    hold_lost = 0
    for n in sorted(by_size):
        none_h, async_h = by_size[n].get("none"), by_size[n].get("async")
        if not none_h or not async_h:
            continue
        plugin_kb = (async_h["rss_held_kb"] - async_h["rss_before_kb"]) - (none_h["rss_held_kb"] - none_h["rss_before_kb"])
        c = async_h["counts"]
        lost = max(2 * n - c["connects"], 0) + max(2 * n - c["disconnects"], 0) + (c["connects"] + c["disconnects"] - c["distinct_keys"])
        lost += none_h["connect"]["errors"] + none_h["storm"]["errors"] + async_h["connect"]["errors"] + async_h["storm"]["errors"]
        hold_lost += lost
        growth.append({
            "clients": n,
            "plugin_bytes_per_client": round(plugin_kb * 1024 / n),
            "rss_held_kb_none": none_h["rss_held_kb"], "rss_held_kb_async": async_h["rss_held_kb"],
            "connect_p99_us_none": none_h["connect"]["p99_us"], "connect_p99_us_async": async_h["connect"]["p99_us"],
            "storm_s_none": rounded(none_h["storm_s"]), "storm_s_async": rounded(async_h["storm_s"]),
            "storm_p50_us_none": none_h["storm"]["p50_us"], "storm_p50_us_async": async_h["storm"]["p50_us"],
            "storm_p99_us_none": none_h["storm"]["p99_us"], "storm_p99_us_async": async_h["storm"]["p99_us"],
            "storm_rows_stored_s": rounded(async_h["storm_rows_stored_s"]),
            "stop_s_none": rounded(none_h["exit_s"]), "stop_s_async": rounded(async_h["exit_s"]),
            "shutdown_stored_s": rounded(async_h["shutdown_s"]),
            "shutdown_disconnects": c["shutdown_disconnects"], "lost": lost,
        })
    top = growth[-1] if growth else {}

    print()
    print(f"make bench (scale): {m['nproc']} CPUs ({m['cpu']}), {m['mem_mb']} MB; open-file limit {r['open_files']}"
          + (f"; plugin options: {r['plugin_opts']}" if r.get("plugin_opts") else "; default plugin options"))
    print()
    print(f"1. CPU per event ({r['threads']} load threads, {r['seconds']} s; CPU from /proc/<pid>/stat, start of load to last row stored)")
    header = f"{'mode':<6} {'cycles/s':>10} {'events':>9} {'rows':>9} {'broker us/ev':>12} {'plugin us/ev':>12} {'PG us/ev':>9} {'PG backends':>11}"
    print(header)
    print("-" * len(header))
    for name, p in (("none", none), ("sync", sync), ("async", async_)):
        plugin = name != "none"
        print(f"{name:<6} {fmt(p['cycles_per_s']):>10} {fmt(p['events']):>9} {fmt(p['rows_found']) if plugin else '-':>9} "
              f"{fmt(p['broker_us_per_event'], 2):>12} {fmt(p['broker_us_per_event'] - base_us, 2) if plugin else '-':>12} "
              f"{fmt(p['pg_us_per_event'], 2) if plugin else '-':>9} {p['pg_backends'] if plugin else '-':>11}")
    print(f"async cycles/s / no-plugin cycles/s = {fmt(async_vs_none, 3)}   (target >= 0.95)")
    print()
    print(f"2. Catch-up after an outage: {fmt(replay['outage_events'])} events spooled ({fmt(replay['spool_bytes'])} bytes), "
          f"live load {replay['live_rate']} cycles/s ({fmt(replay['live_cycles'])} cycles)")
    print(f"   replay {fmt(replay['replay_events_per_s'])} events/s over {fmt(replay['replay_s'], 2)} s "
          f"(first row {fmt(replay['first_row_after_s'], 2)} s after PostgreSQL was started); pgbench, same write, "
          f"{replay['batch']} events per write: {fmt(replay['batch_limit_events_per_s'])} events/s")
    print(f"   replay / batch limit = {fmt(replay_ratio, 3)}   (target >= 0.80); rows {fmt(checks['rows'])} of "
          f"{fmt(replay['expected_rows'])} expected, {replay_lost} lost, {replay_extra} extra, {order_violations} out of order")
    print()
    print("3. Connected clients (async plugin vs no plugin; storm = all reconnect after a restart)")
    header = (f"{'clients':>8} {'plugin B/client':>15} {'storm s none/async':>18} {'storm p99 us none/async':>24} "
              f"{'connects stored s':>17} {'stop s none':>11} {'SIGTERM->stored s':>17} {'lost':>5}")
    print(header)
    print("-" * len(header))
    for g in growth:
        print(f"{fmt(g['clients']):>8} {fmt(g['plugin_bytes_per_client']):>15} "
              f"{fmt(g['storm_s_none'], 2) + ' / ' + fmt(g['storm_s_async'], 2):>18} "
              f"{fmt(g['storm_p99_us_none']) + ' / ' + fmt(g['storm_p99_us_async']):>24} "
              f"{fmt(g['storm_rows_stored_s'], 2):>17} {fmt(g['stop_s_none'], 2):>11} {fmt(g['shutdown_stored_s'], 2):>17} "
              f"{g['lost']:>5}")

    summary = {
        "bench": "conn-plugin-scale", "nproc": m["nproc"], "threads": r["threads"], "seconds_per_phase": r["seconds"],
        "plugin_opts": r.get("plugin_opts", ""),
        "none_cycles_per_s": none["cycles_per_s"], "sync_cycles_per_s": sync["cycles_per_s"],
        "async_cycles_per_s": async_["cycles_per_s"], "async_vs_none": rounded(async_vs_none),
        "broker_us_per_event_none": rounded(base_us, 2),
        "plugin_broker_us_per_event_sync": rounded(sync["broker_us_per_event"] - base_us, 2),
        "plugin_broker_us_per_event_async": rounded(async_["broker_us_per_event"] - base_us, 2),
        "pg_us_per_event_sync": rounded(sync["pg_us_per_event"], 2),
        "pg_us_per_event_async": rounded(async_["pg_us_per_event"], 2),
        "cpu_lost": max(sync["events"] - sync["rows_found"], 0) + max(async_["events"] - async_["rows_found"], 0),
        "replay_events": replay["outage_events"], "replay_events_per_s": rounded(replay["replay_events_per_s"], 1),
        "replay_batch": replay["batch"], "replay_batch_limit_events_per_s": rounded(replay["batch_limit_events_per_s"], 1),
        "replay_vs_batch_limit": rounded(replay_ratio), "replay_live_cycles": replay["live_cycles"],
        "replay_lost": replay_lost, "replay_extra": replay_extra, "replay_order_violations": order_violations,
        "clients": top.get("clients"),
        "plugin_bytes_per_client": top.get("plugin_bytes_per_client"),
        "shutdown_50k_s": top.get("shutdown_stored_s"), "broker_stop_s_none": top.get("stop_s_none"),
        "broker_stop_s_async": top.get("stop_s_async"),
        "storm_p99_us_none": top.get("storm_p99_us_none"), "storm_p99_us_async": top.get("storm_p99_us_async"),
        "storm_s_none": top.get("storm_s_none"), "storm_s_async": top.get("storm_s_async"),
        "storm_rows_stored_s": top.get("storm_rows_stored_s"),
        "hold_lost": hold_lost,
        "growth": [{k: g[k] for k in ("clients", "plugin_bytes_per_client", "storm_p99_us_none", "storm_p99_us_async",
                                       "storm_rows_stored_s", "stop_s_none", "shutdown_stored_s")} for g in growth],
    }
    print()
    print(json.dumps(summary, separators=(",", ":")))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "scale-report":
        scale_report(sys.argv[2])
    elif len(sys.argv) == 3 and sys.argv[1] == "report":
        report(sys.argv[2])
    elif len(sys.argv) == 3 and sys.argv[1] == "fleet-report":
        fleet_report(sys.argv[2])
    elif len(sys.argv) >= 4 and sys.argv[1] == "history-query":
        history_query(sys.argv[2], sys.argv[3], sys.argv[4:])
    elif len(sys.argv) == 3 and sys.argv[1] == "history-report":
        history_report(sys.argv[2])
    elif len(sys.argv) >= 6 and sys.argv[1] == "retention-phase":
        retention_phase(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:])
    elif len(sys.argv) == 3 and sys.argv[1] == "retention-report":
        retention_report(sys.argv[2])
    elif len(sys.argv) >= 3 and sys.argv[1] == "latencies":
        print(json.dumps(latency_summary(sys.argv[2:]), separators=(",", ":")))
    else:
        sys.exit(__doc__)
