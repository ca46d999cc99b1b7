import Foundation
import MQTTWire
import Storage
import Testing

/// `--ui-dsn` on a real hot standby: a scratch primary (scripts/pg-scratch.sh), a standby made from
/// it with `pg_basebackup -R` and started on another port, the plugin writing to the primary, and
/// the dashboard alone reading the standby. A connect shows on the dashboard within the replica's
/// lag, and the dashboard's sessions are on the standby, not on the primary.
@Suite("DashboardStandby", .enabled(if: TestEnvironment.shouldRun), .offCooperativePool)
struct DashboardStandbyTests {
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../..").standardized.path

    /// Runs `script` with bash; data directories live under /tmp (the postgres user cannot enter a
    /// private home directory).
    private func shell(_ script: String) throws -> String {
        let result = try ProcessRunner.run("/bin/bash", ["-c", "set -euo pipefail; " + script], timeout: 120)
        guard result.succeeded else { throw FixtureError("\(script.prefix(200)): \(result.output)") }
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("the dashboard on --ui-dsn reads a streaming replica: a connect shows within the replica's lag")
    func standby() throws {
        let script = "bash '\(Self.root)/scripts/pg-scratch.sh'"
        let primary = try shell("\(script) new ui-primary")
        defer { _ = try? shell("\(script) remove '\(primary)'") }
        let primaryDSN = try shell("\(script) start '\(primary)'")
        let primaryPort = try #require(try ConnectionString.parse(primaryDSN)["port"])
        // pg-scratch.sh replica: pg_basebackup -R, so the copy starts as a hot standby streaming
        // from the primary.
        let standbyDirectory = try shell("\(script) new ui-standby")
        defer { _ = try? shell("\(script) remove '\(standbyDirectory)'") }
        _ = try shell("\(script) replica '\(standbyDirectory)' \(primaryPort)")
        let standbyServerDSN = try shell("\(script) start '\(standbyDirectory)'")
        let standbyPort = try #require(try ConnectionString.parse(standbyServerDSN)["port"])
        let database = try ScratchDatabase.create(label: "ui_standby", onServer: primaryDSN)
        let standbyDSN = "host=127.0.0.1 port=\(standbyPort) dbname=\(database.name) user=postgres sslmode=disable"
        let fixture = try ConnPluginFixture(
            label: "ui_standby", options: ["plugin_opt_conn_broker_id standby-broker"], database: database)
        // The database and the plugin's schema reach the standby.
        try waitUntil(timeout: 60, "the standby has the plugin's tables") {
            let standby = try PostgresConnection(conninfo: standbyDSN, timeout: .seconds(5))
            defer { standby.close() }
            return try standby.execute("SELECT to_regclass('client_presence') IS NOT NULL", timeout: .seconds(5)).scalar == "t"
        }
        let port = try LocalPorts.free()
        let outputPath = try TestEnvironment.makeScratchDirectory(label: "ui-standby") + "/sys-ingester.out"
        let process = try ChildProcess(
            executable: try TestEnvironment.require(.sysIngester),
            arguments: ["--dsn", database.dsn, "--ui-listen", "127.0.0.1:\(port)", "--ui-dsn", standbyDSN],
            outputPath: outputPath)
        defer { _ = process.terminate() }
        let base = "http://127.0.0.1:\(port)"
        try waitUntil(timeout: 30, "the dashboard answers") { (try? HTTP.get(base + "/healthz").status) == 200 }

        let connectedAt = Date()
        let client = try fixture.client("standby-device")
        defer { client.disconnect() }
        try waitUntil(timeout: 30, "the standby's dashboard shows the client online") {
            let rows = try HTTP.get(base + "/api/v1/clients?prefix=standby-").json?["clients"] as? [[String: Any]] ?? []
            return rows.contains { $0["client_id"] as? String == "standby-device" && $0["state"] as? String == "online" }
        }
        print("dashboard on a hot standby: the connect showed \(String(format: "%.2f", Date().timeIntervalSince(connectedAt))) s after CONNACK")

        // The reads went to the standby (a server in recovery), and none to the primary.
        let standby = try PostgresConnection(conninfo: standbyDSN, timeout: .seconds(5))
        defer { standby.close() }
        #expect(try standby.execute("SELECT pg_is_in_recovery()", timeout: .seconds(5)).scalar == "t")
        #expect(
            try standby.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'sys-ingester-dashboard'", timeout: .seconds(5)
            ).scalar != "0")
        #expect(
            try database.intScalar(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'sys-ingester-dashboard'") == 0)
        #expect(process.terminate() == 0)
    }
}
