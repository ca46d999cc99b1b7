import Foundation
import Testing

/// `BENCH_MODE=history make bench` in miniature (a few thousand generated rows, a few runs per
/// query): the real scripts and a PostgreSQL of their own. Asserts that every query ran, the
/// dashboard's statements as `conn-sql dashboard-statement` serves them included, and that the
/// report's last line is its JSON; never how fast.
@Suite(.enabled(if: TestEnvironment.shouldRun))
struct BenchHistorySmokeTests {
    /// The dashboard's timings, each a statement of Sources/Ingester/DashboardStatements/sql/.
    private static let dashboardQueries = [
        "dash_fleet", "dash_fleet_per_minute", "dash_clients_first_page", "dash_clients_online_after",
        "dash_clients_prefix", "dash_client_events", "dash_client_daily", "dash_droppers_today", "dash_droppers_week",
    ]

    @Test func historyModeTimesEveryQueryTheDashboardsIncluded() throws {
        // bin/conn-sql, which serves the statements, is built beside mqtt-load (make build-load).
        _ = try TestEnvironment.require(.mqttLoad)
        let scratch = try TestEnvironment.makeScratchDirectory(label: "bench-history")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        let run = try ProcessRunner.run(
            "/bin/bash", [root + "/scripts/bench.sh"],
            environment: [
                "BENCH_MODE": "history", "BENCH_TMP": scratch + "/bench", "BENCH_HISTORY_ROWS": "4000",
                "BENCH_HISTORY_CLIENTS": "200", "BENCH_HISTORY_DAYS": "3", "BENCH_HISTORY_RUNS": "3",
                "BENCH_HISTORY_BASELINE_RUNS": "2",
            ],
            timeout: 300)
        #expect(run.succeeded, "bench exited with \(run.exitCode): \(run.output)")
        let lines = run.output.split(separator: "\n")
        let report = try #require(lines.last { $0.hasPrefix("{") }, "\(run.output)")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(report.utf8)) as? [String: Any])
        #expect(result["bench"] as? String == "history", "\(report)")
        for query in Self.dashboardQueries {
            let prefix = "bench: history: \(query): "
            let line = try #require(lines.first { $0.hasPrefix(prefix) }, "no timing of \(query): \(run.output)")
            let timing = try #require(
                try JSONSerialization.jsonObject(with: Data(line.dropFirst(prefix.count).utf8)) as? [String: Any])
            #expect(timing["p50_ms"] is NSNumber && timing["count"] as? Int == 3, "\(line)")
        }
    }
}
