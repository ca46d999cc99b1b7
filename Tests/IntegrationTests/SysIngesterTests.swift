import Foundation
import Storage
import Testing

/// sys-ingester end to end: a real broker (2.1 and Debian's 2.0.11) publishing its log on
/// `$SYS/broker/log/#`, the built `bin/sys-ingester`, a scratch database and real MQTT clients.
@Suite("SysIngester", .enabled(if: TestEnvironment.shouldRun), .serialized, .offCooperativePool)
struct SysIngesterTests {
    private func run(_ arguments: [String], port: Int) throws -> ProcessRunner.Result {
        let result = try ProcessRunner.run(
            "mosquitto_sub", ["-h", "127.0.0.1", "-p", "\(port)"] + arguments, timeout: 20)
        return result
    }

    private func publish(_ arguments: [String], port: Int) throws {
        let result = try ProcessRunner.run(
            "mosquitto_pub", ["-h", "127.0.0.1", "-p", "\(port)", "-t", "t/x", "-m", "hello"] + arguments, timeout: 20)
        #expect(result.succeeded, "\(result.output)")
    }

    /// A client that stays connected until killed.
    private func holder(_ id: String, port: Int, directory: String, extra: [String] = []) throws -> ChildProcess {
        try ChildProcess(
            executable: ProcessRunner.resolve("mosquitto_sub"),
            arguments: ["-h", "127.0.0.1", "-p", "\(port)", "-i", id, "-t", "hold/\(id)"] + extra,
            outputPath: (directory as NSString).appendingPathComponent("\(id).out"))
    }

    private func count(_ database: ScratchDatabase, _ sql: String, _ parameters: [String?] = []) throws -> Int {
        try database.intScalar(sql, parameters) ?? -1
    }

    @Test(
        "clients that connect, subscribe, unsubscribe and disconnect fill every table",
        arguments: [BrokerProcess.Version.v21, .v20])
    func lifecycle(version: BrokerProcess.Version) throws {
        let database = try ScratchDatabase.create(label: "sys_lifecycle")
        let broker = try BrokerProcess.start(version, extraConfig: SysIngesterProcess.brokerConfig)
        let ingester = try SysIngesterProcess.start(broker: broker, database: database, brokerName: "lifecycle")
        let port = broker.port
        let scratch = try TestEnvironment.makeScratchDirectory(label: "sys-clients")
        defer { try? FileManager.default.removeItem(atPath: scratch) }

        // MQTT 3.1 with a username, MQTT 3.1.1 subscriber, MQTT 5 subscribe + unsubscribe.
        try publish(["-V", "mqttv31", "-i", "dev31", "-u", "alice"], port: port)
        #expect(try run(["-V", "mqttv311", "-i", "dev311", "-q", "1", "-t", "sensors/#", "-E"], port: port).succeeded)
        #expect(
            try run(["-V", "mqttv5", "-i", "dev5", "-q", "2", "-t", "a/b", "-t", "c", "-U", "a/b", "-E"], port: port)
                .succeeded)
        // Hostile ids: spaces, parentheses, quotes, the broker's own wording.
        let evil = "x (p2, c1, k60, u'admin')"
        try publish(["-i", evil, "-u", "ev'il) u"], port: port)
        let spaced = "sp ace 1 b"
        #expect(try run(["-i", spaced, "-t", "to pic 2 x", "-E"], port: port).succeeded)
        // A client that stays connected.
        let held = try holder("holder", port: port, directory: scratch)

        try ingester.waitUntil("every line of the clients recorded") {
            try count(database, "SELECT count(*) FROM sessions WHERE client = 'holder' AND end_ts IS NULL") == 1
                && count(
                    database, "SELECT count(*) FROM events WHERE action = 'disconnected' AND client = $1", [spaced])
                    == 1
        }

        // events: one row per line, with the fields of each shape.
        #expect(
            try count(
                database,
                "SELECT count(*) FROM events WHERE action = 'connected' AND client = 'dev31' AND username = 'alice'")
                == 1)
        #expect(
            try count(database, "SELECT count(*) FROM events WHERE action = 'disconnected' AND client = 'dev31'") == 1)
        #expect(
            try count(
                database,
                "SELECT count(*) FROM events WHERE action = 'subscribe' AND client = 'dev311' AND topic = 'sensors/#' AND qos = 1"
            ) == 1)
        #expect(
            try count(
                database,
                "SELECT count(*) FROM events WHERE action = 'unsubscribe' AND client = 'dev5' AND topic = 'a/b' AND qos = 0"
            ) == 1)
        #expect(
            try count(
                database, "SELECT count(*) FROM events WHERE action = 'connected' AND client = $1 AND username = $2",
                [evil, "ev'il) u"]) == 1)
        #expect(
            try count(database, "SELECT count(*) FROM events WHERE action = 'disconnected' AND client = $1", [evil])
                == 1)
        #expect(
            try count(
                database,
                "SELECT count(*) FROM events WHERE action = 'subscribe' AND client = $1 AND topic = 'to pic 2 x'",
                [spaced]) == 1)
        #expect(try count(database, "SELECT count(*) FROM events WHERE action = 'conn_info'") >= 5)
        #expect(try count(database, "SELECT count(*) FROM events WHERE raw IS NULL OR broker <> 'lifecycle'") == 0)
        // Timestamps come from the lines' epoch prefix: within a minute of now (UTC).
        #expect(
            try count(
                database,
                "SELECT count(*) FROM events WHERE abs(extract(epoch FROM (now() AT TIME ZONE 'UTC') - ts)) > 60") == 0)

        // clients: one row per id, username from the connect line.
        #expect(try database.scalar("SELECT username FROM clients WHERE client = 'dev31'") == "alice")
        #expect(
            try count(
                database,
                "SELECT count(*) FROM clients WHERE client IN ('dev31', 'dev311', 'dev5', 'holder', $1, $2) AND first_seen <= last_seen",
                [evil, spaced]) == 6)

        // sessions: closed ones have end_ts >= start_ts, the holder's is open, all linked to clients.
        #expect(
            try count(
                database,
                "SELECT count(*) FROM sessions WHERE client IN ('dev31', 'dev311', 'dev5') AND end_ts >= start_ts AND client_id IS NOT NULL"
            ) == 3)
        #expect(
            try count(database, "SELECT count(*) FROM connected_now WHERE client = 'holder' AND broker = 'lifecycle'")
                == 1)

        // subscriptions: upsert per (client, topic), the open session at the time, active flag.
        let sensors = try database.query(
            "SELECT qos, active, session_id IS NOT NULL FROM subscriptions WHERE client = 'dev311' AND topic = 'sensors/#'"
        )
        #expect(sensors == [["1", "t", "t"]])
        #expect(
            try database.query("SELECT topic, active FROM subscriptions WHERE client = 'dev5' ORDER BY topic") == [
                ["a/b", "f"], ["c", "t"],
            ])
        #expect(try count(database, "SELECT count(*) FROM live_subscriptions WHERE client = 'dev311'") == 1)

        // broker_metrics: numeric values, aliases folded, no version string.
        try ingester.waitUntil("metrics written") {
            try count(
                database,
                "SELECT count(*) FROM latest_metrics WHERE metric IN ('uptime', 'clients/connected', 'load/messages/received/1min')"
            ) == 3
        }
        #expect(
            try count(
                database,
                "SELECT count(*) FROM broker_metrics WHERE metric IN ('version', 'clients/active', 'clients/inactive', 'messages/stored')"
            ) == 0)
        #expect(
            try count(database, "SELECT coalesce(sum(connects), 0) FROM connects_per_minute WHERE broker = 'lifecycle'")
                >= 5)

        // The holder goes away: its session closes.
        held.kill9()
        try ingester.waitUntil("the holder's session closes") {
            try count(database, "SELECT count(*) FROM connected_now WHERE client = 'holder'") == 0
        }

        // SIGTERM stops it cleanly.
        #expect(ingester.stop() == 0, "\(ingester.output.suffix(2000))")
        #expect(!ingester.output.contains("Error"), "\(ingester.output.suffix(2000))")
    }

    @Test("a broker restart closes the sessions that were open at the old broker process")
    func brokerRestart() throws {
        let database = try ScratchDatabase.create(label: "sys_restart")
        let broker = try BrokerProcess.start(.v21, extraConfig: SysIngesterProcess.brokerConfig)
        let ingester = try SysIngesterProcess.start(broker: broker, database: database, brokerName: "restart")
        let scratch = try TestEnvironment.makeScratchDirectory(label: "sys-restart")
        defer { try? FileManager.default.removeItem(atPath: scratch) }

        let old = try holder("old-device", port: broker.port, directory: scratch)
        try ingester.waitUntil("old-device connected and uptime at least 3 s") {
            try count(database, "SELECT count(*) FROM connected_now WHERE client = 'old-device'") == 1
                && count(database, "SELECT count(*) FROM broker_metrics WHERE metric = 'uptime' AND value >= 3") > 0
        }
        // A crash: no terminating line, no disconnect line. The client is gone before the broker is back.
        let killedAt = Date().timeIntervalSince1970
        broker.kill9()
        old.kill9()
        try broker.restart()
        let restartedAt = Date().timeIntervalSince1970
        try ingester.waitUntil("the old session is closed by the restart rule", timeout: 60) {
            try count(
                database,
                "SELECT count(*) FROM sessions WHERE client = 'old-device' AND end_ts IS NOT NULL AND end_ts >= start_ts"
            ) == 1
        }
        // No disconnect line was ever logged for it: the restart rule closed it.
        #expect(
            try count(database, "SELECT count(*) FROM events WHERE action = 'disconnected' AND client = 'old-device'")
                == 0)
        // The end is the new broker's start time (ingest time minus uptime), not when the ingester noticed.
        let end = try #require(
            try database.scalar("SELECT extract(epoch FROM end_ts) FROM sessions WHERE client = 'old-device'").flatMap(
                Double.init))
        #expect(
            end >= killedAt - 2 && end <= restartedAt + 2, "end_ts \(end), killed \(killedAt), restarted \(restartedAt)"
        )

        // A client of the new broker process stays connected.
        let fresh = try holder("new-device", port: broker.port, directory: scratch)
        defer { fresh.kill9() }
        try ingester.waitUntil("new-device connected") {
            try count(database, "SELECT count(*) FROM connected_now WHERE client = 'new-device'") == 1
        }
        #expect(try count(database, "SELECT count(*) FROM connected_now") == 1)
        #expect(ingester.stop() == 0)
    }

    /// The `... terminating` line is published at QoS 2 after the broker's loop has ended, so its
    /// handshake never completes and it never arrives (docs/sys-ingester.md): the ingester sees
    /// the broker refuse connections instead.
    @Test("a graceful broker stop closes its sessions when the connection to it ends")
    func brokerShutdown() throws {
        let database = try ScratchDatabase.create(label: "sys_shutdown")
        let broker = try BrokerProcess.start(.v20, extraConfig: SysIngesterProcess.brokerConfig)
        let ingester = try SysIngesterProcess.start(broker: broker, database: database, brokerName: "shutdown")
        let scratch = try TestEnvironment.makeScratchDirectory(label: "sys-shutdown")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let device = try holder("device", port: broker.port, directory: scratch)
        defer { device.kill9() }
        try ingester.waitUntil("device connected") {
            try count(database, "SELECT count(*) FROM connected_now WHERE client = 'device'") == 1
        }
        let stoppedAt = Date().timeIntervalSince1970
        broker.stop()
        try ingester.waitUntil("the session closes with the broker") {
            try count(database, "SELECT count(*) FROM connected_now") == 0
        }
        let end = try database.scalar("SELECT extract(epoch FROM end_ts) FROM sessions WHERE client = 'device'")
            .flatMap(Double.init) ?? 0
        #expect(end >= stoppedAt - 2 && end <= Date().timeIntervalSince1970, "end_ts \(end), stopped \(stoppedAt)")
        #expect(ingester.lines(containing: "refuses connections").count == 1)
        #expect(ingester.isRunning, "the ingester keeps running and reconnecting")
        #expect(ingester.stop() == 0)
    }

    @Test("PostgreSQL going away and coming back loses nothing the queue holds, and is logged once")
    func postgresOutage() throws {
        let postgres = try OwnPostgres(label: "sys-pg-outage")
        defer { postgres.stop() }  // keeps it alive to the end; released, it removes its directory
        let broker = try BrokerProcess.start(.v21, extraConfig: SysIngesterProcess.brokerConfig)
        let binary = try TestEnvironment.require(.sysIngester)
        let scratch = try TestEnvironment.makeScratchDirectory(label: "sys-outage")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let output = (scratch as NSString).appendingPathComponent("sys-ingester.out")
        let ingester = try ChildProcess(
            executable: binary,
            arguments: [
                "--port", "\(broker.port)", "--broker-name", "outage", "--burst-window-ms", "50", "--dsn", postgres.dsn,
            ],
            outputPath: output)
        defer { ingester.kill9() }
        func rows(_ sql: String) throws -> Int {
            let connection = try PostgresConnection(conninfo: postgres.dsn, timeout: .seconds(5))
            defer { connection.close() }
            return Int(try connection.execute(sql, timeout: .seconds(10)).scalar ?? "") ?? -1
        }
        func log() -> String { (try? String(contentsOfFile: output, encoding: .utf8)) ?? "" }
        try waitUntil(timeout: 20, "the ingester writes") {
            try rows("SELECT count(*) FROM events WHERE topic = '$SYS/broker/#'") > 0
        }

        postgres.stop()
        for index in 1...5 {
            #expect(try run(["-i", "during-\(index)", "-t", "o/\(index)", "-E"], port: broker.port).succeeded)
        }
        try waitUntil(timeout: 20, "the ingester notices the outage") { log().contains("PostgreSQL is unavailable") }
        Thread.sleep(forTimeInterval: 3)  // several retries while down; still one log line
        try postgres.start()
        try waitUntil(timeout: 60, "the queued lines are written after the outage") {
            try rows("SELECT count(*) FROM sessions WHERE client LIKE 'during-%' AND end_ts IS NOT NULL") == 5
                && rows("SELECT count(*) FROM subscriptions WHERE client LIKE 'during-%' AND active") == 5
        }
        #expect(log().components(separatedBy: "PostgreSQL is unavailable").count - 1 == 1, "\(log().suffix(3000))")
        #expect(try rows("SELECT count(*) FROM events WHERE client LIKE 'during-%'") == 15)
        ingester.signal(SIGTERM)
        #expect(ingester.waitForExit(timeout: 15) == 0)
    }

    @Test("the views answer seed 001's reads and the plugin's")
    func views() throws {
        let database = try ScratchDatabase.create(label: "sys_views")
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        for file in [
            "schema/001_conn_plugin.sql", "schema/003_presence.sql", "schema/010_sys_ingester.sql", "schema/020_views.sql",
        ] {
            try database.execute(script: String(contentsOf: root.appendingPathComponent(file), encoding: .utf8))
        }
        try database.execute(
            script: """
                INSERT INTO client_conn_events (ts, event_type, client_id) VALUES
                  (now() - interval '5 min', 'connect', 'flappy'), (now() - interval '4 min', 'disconnect', 'flappy'),
                  (now() - interval '3 min', 'connect', 'flappy'), (now() - interval '2 min', 'disconnect', 'flappy'),
                  (now() - interval '1 min', 'connect', 'steady'), (now() - interval '1 min', 'disconnect', 'steady');
                UPDATE client_conn_events SET reason_code = 0 WHERE client_id = 'steady';
                INSERT INTO client_sessions (client_id, last_event_ts, last_event_type, last_connect_ts) VALUES
                  ('online', now(), 'connect', now()), ('gone', now(), 'disconnect', now() - interval '1 h');
                INSERT INTO broker_metrics (broker, metric, value, ts) VALUES
                  ('b', 'clients/total', 1, '2024-01-01 00:00:00'), ('b', 'clients/total', 2, '2024-01-01 00:00:10');
                INSERT INTO events (ts, action, client, broker) VALUES
                  (now() AT TIME ZONE 'UTC', 'connected', 'a', 'b'), (now() AT TIME ZONE 'UTC', 'disconnected', 'a', 'b'),
                  (now() AT TIME ZONE 'UTC', 'connected', 'c', 'b'), ('2000-01-01', 'checkpoint', NULL, 'b');
                INSERT INTO sessions (client, start_ts, broker) VALUES ('c', now() AT TIME ZONE 'UTC', 'b');
                INSERT INTO subscriptions (client, topic, qos, active) VALUES ('c', 't/#', 1, TRUE), ('a', 'u', 0, FALSE);
                """)
        #expect(try database.query("SELECT client_id FROM conn_online_now") == [["online"]])
        #expect(
            try database.query("SELECT client_id, disconnects, abnormal FROM conn_frequent_droppers")
                == [["flappy", "2", "2"], ["steady", "1", "0"]])
        #expect(try database.query("SELECT client FROM connected_now") == [["c"]])
        #expect(
            try database.query("SELECT client, topic, client_connected FROM live_subscriptions") == [["c", "t/#", "t"]])
        #expect(try database.query("SELECT metric, value FROM latest_metrics") == [["clients/total", "2"]])
        #expect(try database.query("SELECT sum(connects), sum(disconnects) FROM connects_per_minute") == [["2", "1"]])
        #expect(try database.intScalar("SELECT count(*) FROM recent_activity") == 3)
    }

    @Test(
        "bad command lines fail before connecting, naming the option",
        arguments: [
            (["--port", "0"], "--port"), (["--protocol", "mqttv4"], "--protocol"),
            (["--cert", "/nonexistent"], "--cert"),
            (["--dsn", "host='unterminated"], "--dsn"), (["--password", "p"], "--username"),
            (["--log-level", "loud"], "--log-level"), (["--no-such-option"], "no-such-option"),
        ])
    func badArguments(arguments: [String], named: String) throws {
        let binary = try TestEnvironment.require(.sysIngester)
        let result = try ProcessRunner.run(
            binary, arguments, environment: ["PG_DSN": "host=127.0.0.1 dbname=x"], timeout: 20)
        #expect(result.exitCode == 64, "\(result.output)")
        #expect(result.output.contains(named), "\(result.output)")
        #expect(!result.output.contains("Connecting"))
    }

    @Test("no database configured is an error")
    func missingDSN() throws {
        let binary = try TestEnvironment.require(.sysIngester)
        let result = try ProcessRunner.run("/usr/bin/env", ["-u", "PG_DSN", binary], timeout: 20)
        #expect(result.exitCode == 64 && result.output.contains("PG_DSN"), "\(result.output)")
    }
}
