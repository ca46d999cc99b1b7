import Foundation
import Testing

/// `BENCH_MODE=scale make bench` in miniature (a few hundred events, 40 held clients): the real
/// script, broker, plugin, mqtt-load and a PostgreSQL of its own. Asserts that its last line is the
/// JSON the docs describe and that nothing was lost, duplicated or reordered; never how fast.
@Suite(.enabled(if: TestEnvironment.shouldRun), .offCooperativePool)
struct BenchScaleSmokeTests {
    private static let clients = 40
    private static let replayEvents = 2000

    @Test func scaleModePrintsItsFiguresAndLosesNothing() throws {
        let mosquitto = try TestEnvironment.require(.mosquitto21)
        _ = try TestEnvironment.require(.connPlugin)
        _ = try TestEnvironment.require(.mqttLoad)
        let scratch = try TestEnvironment.makeScratchDirectory(label: "bench-scale")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        let run = try ProcessRunner.run(
            "/bin/bash", [root + "/scripts/bench.sh"],
            environment: [
                "BENCH_MODE": "scale", "BENCH_TMP": scratch + "/bench", "MOSQUITTO_21": mosquitto,
                "BENCH_SECONDS": "1", "BENCH_PG_SECONDS": "1", "BENCH_THREADS": "2",
                "BENCH_REPLAY_EVENTS": String(Self.replayEvents), "BENCH_SCALE_LIVE_RATE": "20",
                "BENCH_SCALE_CLIENTS": String(Self.clients), "BENCH_SCALE_SIZES": "10 \(Self.clients)",
            ],
            timeout: 300)
        #expect(run.succeeded, "bench exited with \(run.exitCode): \(run.output)")
        let line = try #require(run.output.split(separator: "\n").last { $0.hasPrefix("{") }, "\(run.output)")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        for field in [
            "async_vs_none", "replay_events_per_s", "replay_vs_batch_limit", "plugin_bytes_per_client", "shutdown_50k_s",
            "plugin_broker_us_per_event_async", "pg_us_per_event_async", "storm_p99_us_none", "storm_p99_us_async",
            "storm_rows_stored_s", "broker_stop_s_none",
        ] {
            #expect(result[field] is NSNumber, "\(field) missing or null in \(line)")
        }
        #expect(result["clients"] as? Int == Self.clients, "\(line)")
        #expect(result["replay_events"] as? Int == Self.replayEvents, "\(line)")
        for zero in ["cpu_lost", "replay_lost", "replay_extra", "replay_order_violations", "hold_lost"] {
            #expect(result[zero] as? Int == 0, "\(zero) in \(line)")
        }
        let growth = try #require(result["growth"] as? [[String: Any]], "\(line)")
        #expect(growth.map { $0["clients"] as? Int } == [10, Self.clients], "\(line)")
    }
}
