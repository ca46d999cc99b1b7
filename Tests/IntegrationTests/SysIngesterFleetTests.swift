import Foundation
import Testing

/// One sys-ingester watching several brokers from a `--config` file: each broker has its own
/// connection and state, a broker that is down or restarting never holds the others, one
/// PostgreSQL writer serves them all; and a bad file is refused before anything connects.
@Suite("SysIngesterFleet", .enabled(if: TestEnvironment.shouldRun), .offCooperativePool)
struct SysIngesterFleetTests {
    /// One broker entry of a test config.
    private func entry(_ name: String, port: Int, extra: [String] = []) -> String {
        (["  - name: \(name)", "    host: 127.0.0.1", "    port: \(port)"] + extra.map { "    \($0)" })
            .joined(separator: "\n")
    }

    private func config(_ entries: [String], shared: [String] = []) -> String {
        (["log_level: debug", "burst_window_ms: 50"] + shared + ["brokers:"] + entries).joined(separator: "\n") + "\n"
    }

    /// A client that connects with `id` and disconnects at once (one connect and one disconnect line).
    private func touch(_ broker: BrokerProcess, _ id: String) throws {
        let result = try ProcessRunner.run(
            "mosquitto_pub", ["-h", "127.0.0.1", "-p", "\(broker.port)", "-i", id, "-t", "t", "-m", "x"], timeout: 20)
        #expect(result.succeeded, "\(result.output)")
    }

    private func rows(_ database: ScratchDatabase, _ sql: String, _ parameters: [String?] = []) throws -> Int {
        try database.intScalar(sql, parameters) ?? -1
    }

    /// Rows of `client`'s connect line from `broker`.
    private func connects(_ database: ScratchDatabase, broker: String, client: String) throws -> Int {
        try rows(
            database, "SELECT count(*) FROM events WHERE broker = $1 AND client = $2 AND action = 'connected'",
            [broker, client])
    }

    @Test("three brokers: one down at start, one restarted mid-test; the others keep flowing, each resumes")
    func threeBrokers() throws {
        let database = try ScratchDatabase.create(label: "sys_fleet")
        let first = try BrokerProcess.start(.v21, extraConfig: SysIngesterProcess.brokerConfig)
        let restarted = try BrokerProcess.start(.v20, extraConfig: SysIngesterProcess.brokerConfig)
        let latePort = try LocalPorts.free()  // nobody listens there yet
        let launchedAt = Date()
        let ingester = try SysIngesterProcess.launch(
            config: config(
                [
                    entry("fleet-a", port: first.port), entry("fleet-b", port: restarted.port),
                    entry("fleet-c", port: latePort),
                ], shared: ["dsn_env: FLEET_DSN"]),
            environment: ["FLEET_DSN": database.dsn])

        // The two running brokers are recorded at once, while the third is unreachable.
        try ingester.waitUntil("fleet-a and fleet-b record their subscriptions and metrics", timeout: 15) {
            try rows(
                database,
                "SELECT count(DISTINCT broker) FROM events WHERE topic = '$SYS/broker/#' AND broker IN ('fleet-a', 'fleet-b')"
            ) == 2
                && rows(
                    database,
                    "SELECT count(DISTINCT broker) FROM broker_metrics WHERE metric = 'uptime' AND broker IN ('fleet-a', 'fleet-b')"
                ) == 2
        }
        try touch(first, "dev-a1")
        try touch(restarted, "dev-b1")
        try ingester.waitUntil("clients of fleet-a and fleet-b recorded while fleet-c is down") {
            try connects(database, broker: "fleet-a", client: "dev-a1") == 1
                && connects(database, broker: "fleet-b", client: "dev-b1") == 1
        }
        #expect(try rows(database, "SELECT count(*) FROM broker_metrics WHERE broker = 'fleet-c'") == 0)
        for name in ["fleet-a", "fleet-b"] {
            for event in ["session_connecting", "session_connected", "session_ready"] {
                #expect(
                    ingester.lines(containing: "event=\(event)", "sys.broker=\(name)").count == 1,
                    "\(name) \(event): \(ingester.output.suffix(3000))")
            }
        }
        // libmosquitto retries after 1 s, then 4 s more: let two retries fail before looking.
        Thread.sleep(forTimeInterval: max(0, 5.5 - Date().timeIntervalSince(launchedAt)))
        #expect(ingester.lines(containing: "event=session_connecting", "sys.broker=fleet-c").count == 1)
        #expect(
            ingester.lines(containing: "event=session_reconnecting", "sys.broker=fleet-c").count == 1,
            "one line for the unreachable broker, not one per retry: \(ingester.output.suffix(3000))")

        // The broker that was down comes up on its port: the ingester's retries reach it.
        let late = try BrokerProcess.start(.v21, extraConfig: SysIngesterProcess.brokerConfig, port: latePort)
        try ingester.waitUntil("fleet-c is recorded once it runs", timeout: 40) {
            try rows(database, "SELECT count(*) FROM events WHERE broker = 'fleet-c' AND topic = '$SYS/broker/#'") == 1
        }
        try touch(late, "dev-c1")

        // fleet-b stops; fleet-a and fleet-c keep flowing meanwhile.
        restarted.stop()
        try ingester.waitUntil("fleet-b's drop is logged") {
            !ingester.lines(containing: "event=session_disconnected", "sys.broker=fleet-b").isEmpty
        }
        try touch(first, "dev-a2")
        try touch(late, "dev-c2")
        try ingester.waitUntil("fleet-a and fleet-c flow while fleet-b is down") {
            try connects(database, broker: "fleet-a", client: "dev-a2") == 1
                && connects(database, broker: "fleet-c", client: "dev-c1") == 1
                && connects(database, broker: "fleet-c", client: "dev-c2") == 1
        }

        // fleet-b comes back on the same port: its rows resume.
        let restartedAt = Date().timeIntervalSince1970
        try restarted.restart()
        try ingester.waitUntil("fleet-b reconnects", timeout: 40) {
            ingester.lines(containing: "event=session_ready", "sys.broker=fleet-b").count == 2
        }
        try touch(restarted, "dev-b2")
        try ingester.waitUntil("fleet-b's rows resume: its client and its new uptime", timeout: 20) {
            try connects(database, broker: "fleet-b", client: "dev-b2") == 1
                && rows(
                    database,
                    "SELECT count(*) FROM broker_metrics WHERE broker = 'fleet-b' AND metric = 'uptime' AND extract(epoch FROM ts) > $1",
                    ["\(restartedAt)"]) > 0
        }
        // Every state change of fleet-b was one line: down once, one retry line, up again.
        #expect(ingester.lines(containing: "event=session_disconnected", "sys.broker=fleet-b").count == 1)
        #expect(ingester.lines(containing: "event=session_reconnecting", "sys.broker=fleet-b").count == 1)
        #expect(ingester.lines(containing: "event=session_connected", "sys.broker=fleet-b").count == 2)
        #expect(ingester.lines(containing: "event=session_disconnected", "sys.broker=fleet-a").isEmpty)
        // The graceful stop closed fleet-b's sessions only; every client of this test is gone.
        #expect(
            try rows(database, "SELECT count(*) FROM sessions WHERE client LIKE 'dev-%' AND end_ts IS NULL") == 0)
        #expect(
            try rows(database, "SELECT count(DISTINCT broker) FROM events WHERE client LIKE 'dev-%'") == 3)
        #expect(ingester.stop() == 0, "\(ingester.output.suffix(3000))")
        #expect(ingester.lines(containing: " error sys-ingester").isEmpty, "\(ingester.output.suffix(3000))")
    }

    @Test("a password from password_file is used and never printed, even at trace")
    func passwordFile() throws {
        let password = "Fl33t-pa55-from-a-file"
        let directory = try TestEnvironment.makeScratchDirectory(label: "sys-fleet-auth")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let passwords = (directory as NSString).appendingPathComponent("passwords")
        let made = try ProcessRunner.run("mosquitto_passwd", ["-c", "-b", passwords, "watcher", password], timeout: 20)
        #expect(made.succeeded, "\(made.output)")
        let secured = try BrokerProcess.start(
            .v21,
            extraConfig: SysIngesterProcess.brokerConfig + ["password_file \(passwords)", "allow_anonymous false"])
        let open = try BrokerProcess.start(.v20, extraConfig: SysIngesterProcess.brokerConfig)
        let secretFile = (directory as NSString).appendingPathComponent("watcher.password")
        try (password + "\n").write(toFile: secretFile, atomically: true, encoding: .utf8)
        let database = try ScratchDatabase.create(label: "sys_fleet_auth")
        let ingester = try SysIngesterProcess.launch(
            config: config(
                [
                    entry("secured", port: secured.port, extra: ["username: watcher", "password_file: \(secretFile)"]),
                    entry("open", port: open.port),
                ]),
            arguments: ["--log-level", "trace"], environment: ["PG_DSN": database.dsn])
        try ingester.waitUntil("both brokers recorded") {
            try rows(database, "SELECT count(DISTINCT broker) FROM events WHERE topic = '$SYS/broker/#'") == 2
        }
        #expect(ingester.lines(containing: "event=session_ready", "sys.broker=secured").count == 1)
        #expect(ingester.stop() == 0)
        #expect(ingester.output.contains("libmosquitto: "), "trace output is on")
        #expect(!ingester.output.contains(password))
    }

    @Test(
        "a bad config file is refused with status 64 before anything connects, naming the entry and the field",
        arguments: [
            ("  - name: a\n    host: 127.0.0.1\n    port: PORT\n    prot: mqttv5", "brokers[0] (name 'a'): unknown field 'prot'"),
            ("  - name: a\n    host: 127.0.0.1\n    port: PORT\n  - name: b\n    port: PORT", "brokers[1] (name 'b'): host is missing"),
            ("  - name: a\n    host: 127.0.0.1\n    port: 70000", "brokers[0] (name 'a'): port must be between 1 and 65535"),
            (
                "  - {name: a, host: 127.0.0.1, port: PORT}\n  - {name: a, host: localhost, port: PORT}",
                "brokers[1] (name 'a'): name 'a' is also brokers[0]'s"
            ),
            (
                "  - {name: a, host: 127.0.0.1, port: PORT, username: u, password_file: /nonexistent/pw}",
                "brokers[0] (name 'a'): password_file /nonexistent/pw: no readable file there"
            ),
            ("  - {name: a, host: 127.0.0.1, port: PORT\n  - name: b", "not valid YAML"),
        ])
    func badConfig(entries: String, message: String) throws {
        let fakeBroker = try SilentTCPServer()
        let yaml = "brokers:\n" + entries.replacingOccurrences(of: "PORT", with: "\(fakeBroker.port)") + "\n"
        let ingester = try SysIngesterProcess.launch(config: yaml, environment: ["PG_DSN": "host=127.0.0.1 dbname=x"])
        let started = Date()
        let status = ingester.waitForExit(timeout: 10)
        #expect(status == 64, "\(ingester.output)")
        #expect(Date().timeIntervalSince(started) < 5, "refused at once")
        #expect(ingester.output.contains(message), "\(ingester.output)")
        #expect(!ingester.output.contains("Connecting"), "\(ingester.output)")
        Thread.sleep(forTimeInterval: 0.2)
        #expect(fakeBroker.acceptedCount == 0, "nothing connected to the broker")
    }

    @Test("--config with a broker option is refused with status 64")
    func configWithOptions() throws {
        let ingester = try SysIngesterProcess.launch(
            config: "brokers: [{name: a, host: 127.0.0.1}]\n", arguments: ["--port", "1883"],
            environment: ["PG_DSN": "host=127.0.0.1 dbname=x"])
        #expect(ingester.waitForExit(timeout: 10) == 64, "\(ingester.output)")
        #expect(ingester.output.contains("--config cannot be combined with --port"), "\(ingester.output)")
    }
}
