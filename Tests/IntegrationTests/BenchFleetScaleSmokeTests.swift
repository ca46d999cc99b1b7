import Foundation
import Testing

/// `BENCH_MODE=fleet-scale make bench` in miniature (3 brokers x 20 held clients, a 5 s outage, a 1 s
/// status interval): the real script, brokers, plugin, sys-ingester, mqtt-load and a PostgreSQL of
/// its own. Asserts the JSON line the docs describe and the exact outcomes (nothing lost or doubled,
/// no drift at any checkpoint, a stopped broker's clients offline at once, a killed one's unknown
/// within 3 status intervals); never how fast.
@Suite(.enabled(if: TestEnvironment.shouldRun), .offCooperativePool)
struct BenchFleetScaleSmokeTests {
    private static let brokers = 3
    private static let clients = 20

    @Test func fleetScaleModePrintsItsFiguresAndLosesNothing() throws {
        let mosquitto = try TestEnvironment.require(.mosquitto21)
        _ = try TestEnvironment.require(.connPlugin)
        _ = try TestEnvironment.require(.sysIngester)
        _ = try TestEnvironment.require(.mqttLoad)
        // Under /tmp, readable by all: the scratch PostgreSQL (BENCH_TMP/pg) runs as "postgres", which must
        // be able to enter it.
        let scratch = try Self.makeTmpDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        let run = try ProcessRunner.run(
            "/bin/bash", [root + "/scripts/bench.sh"],
            environment: [
                "BENCH_MODE": "fleet-scale", "BENCH_TMP": scratch + "/bench", "MOSQUITTO_21": mosquitto,
                "BENCH_PG_SECONDS": "1", "BENCH_FLEET_SCALE_BROKERS": String(Self.brokers),
                "BENCH_FLEET_SCALE_CLIENTS": String(Self.clients), "BENCH_FLEET_SCALE_OUTAGE_S": "5",
                "BENCH_FLEET_SCALE_CHURN": "20", "BENCH_FLEET_SCALE_STATUS_S": "1", "BENCH_FLEET_SCALE_SETTLE_S": "60",
            ],
            timeout: 400)
        #expect(run.succeeded, "bench exited with \(run.exitCode): \(run.output)")
        let line = try #require(run.output.split(separator: "\n").last { $0.hasPrefix("{") }, "\(run.output)")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])

        #expect(result["bench"] as? String == "fleet-scale", "\(line)")
        #expect(result["brokers"] as? Int == Self.brokers, "\(line)")
        #expect(result["clients"] as? Int == Self.brokers * Self.clients, "\(line)")
        #expect(result["lost"] as? Int == 0, "lost in \(line)")
        #expect(result["extra"] as? Int == 0, "extra in \(line)")
        #expect(result["max_drift"] as? Int == 0, "max_drift in \(line)")
        #expect(result["plugin_events_dropped"] as? Int == 0, "\(line)")
        for field in ["stop_ratio", "storm_p99_ratio"] {
            #expect(result[field] is NSNumber, "\(field) missing or null in \(line)")
        }

        let storm = try #require(result["connect_storm"] as? [String: Any], "\(line)")
        #expect(storm["connected"] as? Int == Self.brokers * Self.clients, "\(line)")
        #expect(storm["online"] as? Int == Self.brokers * Self.clients, "\(line)")
        for field in ["all_connacked_s", "all_online_s", "p99_us", "p99_us_none"] {
            #expect(storm[field] is NSNumber, "connect_storm.\(field) missing or null in \(line)")
        }
        let steady = try #require(result["steady"] as? [String: Any], "\(line)")
        #expect(steady["drift"] as? Int == 0, "\(line)")
        for field in ["plugin_bytes_per_client", "plugin_cpu_us_per_event", "ingester_cpu_us_per_event"] {
            #expect(steady[field] is NSNumber, "steady.\(field) missing or null in \(line)")
        }
        let stop = try #require(result["stop"] as? [String: Any], "\(line)")
        #expect(stop["offline_at_exit"] as? Bool == true, "a stopped broker's clients offline at once: \(line)")
        #expect(stop["offline_later"] as? Bool == true, "\(line)")
        let restorm = try #require(result["reconnect_storm"] as? [String: Any], "\(line)")
        let rows = try #require(restorm["rows"] as? [String: Any], "\(line)")
        // Every shutdown disconnect exactly once, every connect of both rounds.
        #expect(rows["disconnects"] as? Int == Self.clients, "\(line)")
        #expect(rows["connects"] as? Int == 2 * Self.clients, "\(line)")
        #expect(rows["distinct_keys"] as? Int == rows["rows"] as? Int, "\(line)")
        let kill = try #require(result["kill"] as? [String: Any], "\(line)")
        #expect(kill["within_3_intervals"] as? Bool == true, "\(line)")
        #expect(kill["stale_disconnects"] as? Int == Self.clients, "one per held client: \(line)")
        #expect(kill["drift_after_restart"] as? Int == 0, "\(line)")
        let outage = try #require(result["outage"] as? [String: Any], "\(line)")
        let checks = try #require(outage["checks"] as? [String: Any], "\(line)")
        let events = try #require(outage["events"] as? Int, "\(line)")
        #expect(events > 0, "\(line)")
        #expect(checks["rows"] as? Int == events, "\(line)")
        #expect(checks["distinct_keys"] as? Int == events, "\(line)")
        #expect(checks["clients_in_order"] as? Int == events / 2, "\(line)")
        #expect(checks["sequence_inversions"] as? Int == 0, "\(line)")
        #expect(outage["batch_limit_events_per_s"] is NSNumber, "\(line)")
        let checkpoints = try #require(result["checkpoints"] as? [[String: Any]], "\(line)")
        #expect(
            checkpoints.map { $0["name"] as? String } == ["steady", "after-restart", "after-kill", "after-outage"],
            "\(line)")
        #expect(checkpoints.allSatisfy { $0["drift"] as? Int == 0 }, "\(line)")
    }

    /// A fresh directory under /tmp (mode 0755), for the bench's scratch files and PostgreSQL.
    private static func makeTmpDirectory() throws -> String {
        let path = "/tmp/mqtt-conn-truth-bench-fleet-scale-\(getpid())-\(UUID().uuidString.prefix(8).lowercased())"
        try FileManager.default.createDirectory(
            atPath: path, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o755])
        return path
    }
}
