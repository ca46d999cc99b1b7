import Foundation
import Testing

/// `make bench` in miniature: the real `mqtt-load` against a real mosquitto 2.1 with the conn-plugin,
/// in both write modes. Asserts what the benchmark relies on (every cycle lands as exactly one connect
/// row and one disconnect row), never how fast anything is.
@Suite(.enabled(if: TestEnvironment.shouldRun), .offCooperativePool)
struct BenchSmokeTests {
    /// Cycles per run: enough for several threads to interleave, well below the plugin's memory queue.
    private static let cycles = 300
    private static let threads = 4

    @Test(arguments: ["async", "sync"])
    func everyLoadCycleLandsAsOneConnectAndOneDisconnect(mode: String) throws {
        let load = try TestEnvironment.require(.mqttLoad)
        let plugin = try TestEnvironment.require(.connPlugin)
        let database = try ScratchDatabase.create(label: "bench_smoke_\(mode)")
        let spool = try TestEnvironment.makeScratchDirectory(label: "bench-smoke-spool-\(mode)")
        defer { try? FileManager.default.removeItem(atPath: spool) }
        let broker = try BrokerProcess.start(
            .v21,
            extraConfig: [
                "plugin \(plugin)",
                "plugin_opt_conn_pg_dsn \(database.dsn)",
                "plugin_opt_conn_mode \(mode)",
                "plugin_opt_conn_spool_dir \(spool)",
                "plugin_opt_conn_broker_id bench-smoke-\(mode)",
            ])
        // The writer creates the schema once it is connected; wait for that, so sync mode really
        // waits for commits from the first cycle on.
        try waitUntil(timeout: 15, "the plugin's tables in \(database.name)") {
            try database.scalar("SELECT to_regclass('client_conn_events_event_key_idx') IS NOT NULL") == "t"
        }

        let prefix = "smoke-\(mode)"
        let run = try ProcessRunner.run(
            load,
            [
                "--port", String(broker.port), "--threads", String(Self.threads), "--cycles", String(Self.cycles),
                "--prefix", prefix,
            ],
            timeout: 120)
        #expect(run.succeeded, "mqtt-load exited with \(run.exitCode): \(run.output)")
        let result = try Self.resultLine(run.output)
        #expect(result["cycles"] as? Int == Self.cycles, "\(result)")
        #expect(result["errors"] as? Int == 0, "\(result)")
        #expect(result["p50_us"] as? Int ?? 0 > 0, "\(result)")

        let expected = 2 * Self.cycles
        try waitUntil(timeout: 15, "\(expected) rows in client_conn_events") {
            try database.intScalar("SELECT count(*) FROM client_conn_events") ?? 0 >= expected
        }
        // Exactly, not at least: nothing duplicated, and only this run's clients.
        #expect(try database.intScalar("SELECT count(*) FROM client_conn_events") == expected)
        let perClient = try database.intScalar(
            """
            SELECT count(*) FROM (
                SELECT client_id FROM client_conn_events GROUP BY client_id
                HAVING count(*) FILTER (WHERE event_type = 'connect') = 1
                   AND count(*) FILTER (WHERE event_type = 'disconnect') = 1
            ) AS complete
            """)
        #expect(perClient == Self.cycles)
        let ids = try database.intScalar(
            "SELECT count(DISTINCT client_id) FROM client_conn_events WHERE client_id LIKE $1", [prefix + "-%"])
        #expect(ids == Self.cycles)
        // Every client ended offline, after its connect.
        let offline = try database.intScalar(
            """
            SELECT count(*) FROM client_sessions
            WHERE last_event_type = 'disconnect' AND last_disconnect_ts >= last_connect_ts
            """)
        #expect(offline == Self.cycles)
        #expect(!broker.log().contains("events were dropped"), Comment(rawValue: broker.log()))
    }

    @Test func refusesABadCommandLine() throws {
        let load = try TestEnvironment.require(.mqttLoad)
        let missingPort = try ProcessRunner.run(load, ["--cycles", "1"])
        #expect(missingPort.exitCode == 2)
        #expect(missingPort.output.contains("--port"))
        let badThreads = try ProcessRunner.run(load, ["--port", "1883", "--threads", "zero"])
        #expect(badThreads.exitCode == 2)
        #expect(badThreads.output.contains("--threads"))
    }

    @Test func countsFailedCyclesAsErrors() throws {
        let load = try TestEnvironment.require(.mqttLoad)
        // A port nobody listens on: every cycle fails at the TCP connect.
        let port = try LocalPorts.free()
        let run = try ProcessRunner.run(load, ["--port", String(port), "--cycles", "5", "--threads", "2"])
        #expect(run.exitCode == 1)
        let result = try Self.resultLine(run.output)
        #expect(result["cycles"] as? Int == 0)
        #expect(result["errors"] as? Int == 5)
        #expect((result["first_error"] as? String)?.contains("connect") == true, "\(result)")
    }

    /// The JSON object on the line of `output` that starts with `{` (stderr lines are interleaved).
    private static func resultLine(_ output: String) throws -> [String: Any] {
        let line = try #require(
            output.split(separator: "\n").first { $0.hasPrefix("{") }, "no JSON line in mqtt-load output: \(output)")
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
        return try #require(object as? [String: Any], "not a JSON object: \(line)")
    }
}
