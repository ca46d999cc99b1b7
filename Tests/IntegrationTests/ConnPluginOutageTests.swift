import ConnRecorder
import Foundation
import MQTTWire
import SchemaSQL
import Storage
import Testing

/// Outages: the broker never stalls, no event is lost or stored twice, no ghost stays online.
@Suite(.enabled(if: TestEnvironment.shouldRun), .offCooperativePool)
struct ConnPluginOutageTests {
    /// Reads the plugin's retained status metrics from `$SYS/broker/conn-plugin/#`.
    static func status(port: Int) throws -> [String: Int64] {
        let client = try MQTTWireClient(port: port)
        _ = try client.connect(clientID: "status-reader-\(UInt32.random(in: 0...UInt32.max))", protocol: .v311)
        defer { client.disconnect() }
        _ = try client.subscribe(topic: "$SYS/broker/conn-plugin/#")
        var values: [String: Int64] = [:]
        // One round: the retained values, up to the first topic seen again (the plugin publishes
        // every status_interval, so the broker is never quiet for long on this subscription).
        while let message = try client.readPublish(timeoutMilliseconds: 1500) {
            let key = String(message.topic.dropFirst("$SYS/broker/conn-plugin/".count))
            if values[key] != nil { break }
            values[key] = Int64(String(decoding: message.payload, as: UTF8.self))
        }
        return values
    }

    /// Connects and cleanly disconnects `count` clients named `prefix-n`, one after another.
    /// - Returns: the longest CONNECT→CONNACK time a client saw, in seconds: what a database
    ///   outage must never stretch past the plugin's timeout_ms.
    @discardableResult
    static func churn(_ port: Int, prefix: String, count: Int, version: MQTTProtocolVersion = .v311) throws -> Double {
        var slowest = 0.0
        for index in 0..<count {
            let client = try MQTTWireClient(port: port)
            let started = Date()
            let ack = try client.connect(clientID: "\(prefix)-\(index)", protocol: version)
            slowest = max(slowest, Date().timeIntervalSince(started))
            guard ack.isAccepted else { throw FixtureError("refused \(prefix)-\(index)") }
            client.disconnect(waitForClose: true)
        }
        return slowest
    }

    /// Polls until `client_conn_events` holds `count` rows (of the clients `filter` selects).
    static func waitForRows(
        _ database: ScratchDatabase, _ count: Int, where filter: String = "TRUE", timeout: Double, _ what: String
    ) throws {
        try waitUntil(timeout: timeout, what) {
            try database.intScalar("SELECT count(*) FROM client_conn_events WHERE \(filter)") == count
        }
    }

    /// Among the clients `filter` selects: how many, how many are unbalanced (not exactly one
    /// connect and one disconnect, or the connect after the disconnect), and rows that are
    /// duplicates by event key. Unbalanced clients' rows are printed.
    static func balance(_ database: ScratchDatabase, where filter: String = "TRUE", printing: Bool = true) throws
        -> (clients: Int, unbalanced: Int, duplicates: Int)
    {
        let unbalancedClients = """
            SELECT client_id FROM client_conn_events WHERE \(filter) GROUP BY client_id
            HAVING count(*) FILTER (WHERE event_type = 'connect') <> 1
                OR count(*) FILTER (WHERE event_type = 'disconnect') <> 1
                OR max(ts) FILTER (WHERE event_type = 'connect') > max(ts) FILTER (WHERE event_type = 'disconnect')
            """
        let clients = try database.intScalar("SELECT count(DISTINCT client_id) FROM client_conn_events WHERE \(filter)") ?? -1
        let unbalanced = try database.intScalar("SELECT count(*) FROM (\(unbalancedClients)) x") ?? -1
        let duplicates = try database.intScalar(
            "SELECT count(*) - count(DISTINCT extra->>'event_key') FROM client_conn_events WHERE \(filter)") ?? -1
        if unbalanced != 0 && printing {
            let rows = try database.query(
                """
                SELECT client_id, event_type, to_char(ts, 'HH24:MI:SS.US'), extra->>'event_key', extra ? 'replayed'
                FROM client_conn_events WHERE client_id IN (\(unbalancedClients)) ORDER BY client_id, ts, id
                """)
            print("unbalanced clients' rows (client, type, ts, key, replayed): \(rows)")
        }
        return (clients, unbalanced, duplicates)
    }

    @Test func databaseStoppedDuringChurnLosesAndDuplicatesNothing() throws {
        let postgres = try OwnPostgres(label: "outage")
        let database = try ScratchDatabase.create(label: "outage", onServer: postgres.dsn)
        let fixture = try ConnPluginFixture(
            label: "outage", options: ["plugin_opt_conn_timeout_ms 500"], database: database)
        try Self.churn(fixture.broker.port, prefix: "before", count: 40)
        try Self.waitForRows(database, 80, timeout: 20, "rows before the outage")
        database.closeConnection()
        postgres.stop()
        // Clients are served while PostgreSQL is down: no CONNACK waits past timeout_ms (plus a busy
        // machine's scheduling margin).
        let slowestConnack = try Self.churn(fixture.broker.port, prefix: "during", count: 40, version: .v5)
        #expect(slowestConnack < 0.5 + 1.5)
        try postgres.start()
        try Self.churn(fixture.broker.port, prefix: "after", count: 40)
        try Self.waitForRows(database, 240, timeout: 30, "all 240 rows after the outage")
        let (clients, unbalanced, duplicates) = try Self.balance(database)
        let replayed = try database.intScalar("SELECT count(*) FROM client_conn_events WHERE extra ? 'replayed'") ?? 0
        print("outage test: clients=\(clients) rows=240 unbalanced=\(unbalanced) duplicates=\(duplicates) replayed=\(replayed)")
        #expect(clients == 120)
        #expect(unbalanced == 0)
        #expect(duplicates == 0)
        #expect(replayed >= 80, "the 'during' events went through the spool")
        #expect(try database.intScalar("SELECT count(*) FROM client_sessions WHERE last_event_type = 'connect'") == 0)
        // Order survives the replay: every 'during' client's rows come before every 'after' client's.
        let misordered = try database.intScalar(
            """
            SELECT count(*) FROM client_conn_events d, client_conn_events a
            WHERE d.client_id LIKE 'during-%' AND a.client_id LIKE 'after-%' AND d.ts > a.ts
            """)
        #expect(misordered == 0)
    }

    @Test func silentDatabaseNeverHoldsTheBrokersThread() throws {
        let silent = try SilentTCPServer()
        defer { silent.stop() }
        let fixture = try ConnPluginFixture(
            label: "silent", options: ["plugin_opt_conn_timeout_ms 1000"],
            dsn: "host=127.0.0.1 port=\(silent.port) dbname=mqtt user=nobody")
        let started = Date()
        let slowestConnack = try Self.churn(fixture.broker.port, prefix: "served", count: 50)
        #expect(slowestConnack < 1.0 + 1.5, "a CONNACK waited past timeout_ms for the silent database")
        let elapsed = Date().timeIntervalSince(started)
        let status = try waitForValue(timeout: 15, "status publication") {
            let values = try Self.status(port: fixture.broker.port)
            // The reader's own connection is an event too.
            return (values["events/seen"] ?? 0) >= 100 ? values : nil
        }
        print("silent database: 50 connect+disconnect cycles in \(elapsed) s; status \(status)")
        // The broker's thread waited for the database at most once (the first timed-out wait stops
        // further waits), never longer than timeout_ms. The silent server never answers, so an
        // unbounded wait would show as the whole test; the margin is for a busy machine's scheduler.
        #expect((status["broker-wait/timeouts"] ?? .max) <= 1)
        #expect((status["broker-wait/max-us"] ?? .max) <= 1_000_000 + 1_000_000)
        #expect((status["broker-wait/total-us"] ?? .max) <= 1_000_000 + 1_000_000)
        #expect(status["database/connected"] == 0)
        #expect(status["events/dropped"] == 0)
        #expect(fixture.broker.log().contains("cannot write to PostgreSQL"))
    }

    @Test func killNineWithNonEmptySpoolThenRestartReplaysAndClosesGhosts() throws {
        let postgres = try OwnPostgres(label: "kill9")
        let database = try ScratchDatabase.create(label: "kill9", onServer: postgres.dsn)
        let fixture = try ConnPluginFixture(
            label: "kill9", options: ["plugin_opt_conn_broker_id kill9-broker"], database: database)
        // Online through the first run, then the database goes away.
        let ghost = try fixture.client("ghost-before-outage")
        try waitUntil(timeout: 15, "ghost online") {
            try database.intScalar("SELECT count(*) FROM client_sessions WHERE last_event_type = 'connect'") == 1
        }
        database.closeConnection()
        postgres.stop()
        var stayers: [MQTTWireClient] = []
        for index in 0..<5 { stayers.append(try fixture.client("stays-\(index)")) }
        try Self.churn(fixture.broker.port, prefix: "gone", count: 5)
        // 15 events must be on disk before the crash.
        try waitUntil(timeout: 15, "15 events spooled") {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: fixture.spoolDirectory)) ?? []
            let lines = files.filter { $0.hasSuffix(".spool") }.reduce(0) { total, name in
                let text = (try? String(contentsOfFile: fixture.spoolDirectory + "/" + name, encoding: .utf8)) ?? ""
                return total + text.split(separator: "\n").count
            }
            return lines == 15
        }
        fixture.broker.kill9()
        _ = (ghost, stayers)
        try postgres.start()
        try fixture.broker.restart()
        try waitUntil(timeout: 30, "spool replayed and ghosts closed") {
            try database.intScalar("SELECT count(*) FROM client_sessions WHERE last_event_type = 'connect'") == 0
                && database.intScalar("SELECT count(*) FROM client_conn_events") == 22
        }
        let (clients, unbalanced, duplicates) = try Self.balance(database)
        #expect(clients == 11)
        #expect(unbalanced == 0)
        #expect(duplicates == 0)
        let ghosts = try database.query(
            "SELECT client_id, reason_code FROM client_conn_events WHERE extra->>'cause' = 'stale_after_restart' ORDER BY client_id")
        #expect(ghosts.map { $0[0] ?? "" } == ["ghost-before-outage"] + (0..<5).map { "stays-\($0)" })
        #expect(ghosts.allSatisfy { $0[1] == "136" })
        try fixture.broker.waitForLog(containing: "closed 6 sessions left open by an earlier run")
    }

    @Test func frozenDatabaseNeverHangsTheBrokerAndLosesNothing() throws {
        let postgres = try OwnPostgres(label: "frozen")
        let database = try ScratchDatabase.create(label: "frozen", onServer: postgres.dsn)
        let fixture = try ConnPluginFixture(
            label: "frozen", options: ["plugin_opt_conn_timeout_ms 500"], database: database)
        try Self.churn(fixture.broker.port, prefix: "before", count: 10)
        try Self.waitForRows(database, 20, timeout: 20, "rows before the freeze")
        database.closeConnection()
        try postgres.freeze()
        var thawed = false
        defer { if !thawed { try? postgres.thaw() } }
        // Every client is still served while the database hangs: no CONNACK waits past timeout_ms
        // (plus a busy machine's scheduling margin; an unbounded wait would last until the thaw).
        let slowestConnack = try Self.churn(fixture.broker.port, prefix: "frozen", count: 30)
        try fixture.broker.waitForLog(containing: "did not answer in time")
        // Status is published on the broker's tick, which mosquitto may run a second or two late.
        // Each read is a client too ("status-reader-..."): its rows are checked below, once stored.
        let status = try waitForValue(timeout: 15, "status covering the frozen churn") {
            let values = try Self.status(port: fixture.broker.port)
            return (values["events/seen"] ?? 0) >= 80 ? values : nil
        }
        try postgres.thaw()
        thawed = true
        let churned = "(client_id LIKE 'before-%' OR client_id LIKE 'frozen-%')"
        try Self.waitForRows(database, 80, where: churned, timeout: 40, "all rows after the thaw")
        let (clients, unbalanced, duplicates) = try Self.balance(database, where: churned)
        print("frozen database: status while frozen \(status); slowest CONNACK \(slowestConnack) s")
        #expect(clients == 40)
        #expect(unbalanced == 0)
        #expect(duplicates == 0)
        #expect(slowestConnack < 0.5 + 1.5)
        // The status readers connected and disconnected during and after the freeze; the last
        // ones' rows may still be on their way, but each one's pair arrives, once and in order.
        try waitUntil(timeout: 20, "every status reader's connect and disconnect stored") {
            try Self.balance(database, where: "client_id LIKE 'status-reader-%'", printing: false).unbalanced == 0
        }
        #expect(try Self.balance(database).duplicates == 0)
        // The broker's thread waited for the hung database at most once, never past timeout_ms
        // (plus a busy machine's scheduling margin; an unbounded wait would last until the thaw).
        #expect((status["broker-wait/timeouts"] ?? .max) <= 1)
        #expect((status["broker-wait/max-us"] ?? .max) <= 500_000 + 1_000_000)
    }

    /// A stop while the writer waits on a hung database (a statement limit far beyond the flush
    /// time): the wait is cut short when the flush time is up and the memory queue goes to the
    /// spool, so the broker exits in seconds, not after the statement limit, and nothing is lost.
    /// (Before, the broker waited out the 20 s limit; killed meanwhile, as `stop(grace: 10)` does,
    /// it lost what was queued.)
    @Test func stopWhileDatabaseHangsSpoolsTheQueueAndLosesNothing() throws {
        let postgres = try OwnPostgres(label: "hung-stop")
        let database = try ScratchDatabase.create(label: "hung_stop", onServer: postgres.dsn)
        let fixture = try ConnPluginFixture(
            label: "hung_stop", options: ["plugin_opt_conn_mode async", "plugin_opt_conn_timeout_ms 20000"],
            database: database)
        try Self.churn(fixture.broker.port, prefix: "before", count: 5)
        try Self.waitForRows(database, 10, timeout: 20, "rows before the freeze")
        database.closeConnection()
        try postgres.freeze()
        var thawed = false
        defer { if !thawed { try? postgres.thaw() } }
        try Self.churn(fixture.broker.port, prefix: "hung", count: 20)
        let stopping = Date()
        fixture.broker.stop(grace: 10)
        let stopSeconds = Date().timeIntervalSince(stopping)
        #expect(stopSeconds < 10, "the broker was killed after its 10 s grace: \(stopSeconds) s")
        let summary = try Self.shutdownSummary(fixture.broker.log())
        #expect(summary.dropped == 0)
        try postgres.thaw()
        thawed = true
        try fixture.broker.restart()
        let churned = "(client_id LIKE 'before-%' OR client_id LIKE 'hung-%')"
        try Self.waitForRows(database, 50, where: churned, timeout: 40, "every row after the restart")
        let (clients, unbalanced, duplicates) = try Self.balance(database, where: churned)
        #expect(clients == 25 && unbalanced == 0 && duplicates == 0)
    }

    @Test func slowDatabaseTimesOutRetriesAndStoresEachEventOnce() throws {
        let database = try ScratchDatabase.create(label: "slow")
        let fixture = try ConnPluginFixture(
            label: "slow", options: ["plugin_opt_conn_timeout_ms 300"], database: database)
        try fixture.client("warm").disconnect(waitForClose: true)
        try fixture.waitForHistory("warm", count: 2)
        // Another session holds a lock the plugin's statement needs: its writes hang until
        // timeout_ms, are cancelled, and retried on a new connection.
        let blocker = try PostgresConnection(conninfo: database.dsn, timeout: .seconds(10))
        try blocker.execute("BEGIN; LOCK TABLE client_sessions IN ACCESS EXCLUSIVE MODE", timeout: .seconds(10))
        try Self.churn(fixture.broker.port, prefix: "slow", count: 30)
        // The plugin's own deadline and the server's statement_timeout (set to the same
        // timeout_ms) race: either one ends the wait, and either is logged.
        try waitUntil(timeout: 15, "the write timing out") {
            let log = fixture.broker.log()
            return log.contains("did not answer in time") || log.contains("canceling statement due to statement timeout")
        }
        // Long enough that a wait not bounded by timeout_ms would exceed the bound checked below.
        Thread.sleep(forTimeInterval: 2)
        try blocker.execute("COMMIT", timeout: .seconds(10))
        try Self.waitForRows(database, 60, where: "client_id LIKE 'slow-%'", timeout: 30, "rows after the lock is released")
        let (_, unbalanced, duplicates) = try Self.balance(database)
        #expect(try database.intScalar("SELECT count(DISTINCT client_id) FROM client_conn_events WHERE client_id LIKE 'slow-%'") == 30)
        #expect(unbalanced == 0)
        #expect(duplicates == 0)
        let status = try waitForValue(timeout: 15, "status covering the churn") {
            let values = try Self.status(port: fixture.broker.port)
            return (values["events/seen"] ?? 0) >= 62 ? values : nil
        }
        // The broker's thread waited at most once for the hung database (then it stopped waiting),
        // never past timeout_ms (plus a busy machine's scheduling margin).
        #expect((status["broker-wait/timeouts"] ?? .max) <= 1)
        #expect((status["broker-wait/max-us"] ?? .max) <= 300_000 + 1_000_000)
    }

    @Test func secondBrokerWithSameIDLeavesLiveSessionsAloneButClosesDeadOnes() throws {
        let database = try ScratchDatabase.create(label: "sameid")
        let first = try ConnPluginFixture(
            label: "sameid-a", options: ["plugin_opt_conn_broker_id shared-id"], database: database)
        let live = try first.client("live-on-a")
        try waitUntil(timeout: 15, "live-on-a online") {
            try database.intScalar("SELECT count(*) FROM client_sessions WHERE last_event_type = 'connect'") == 1
        }
        // A second broker with the same id starts while the first one runs.
        let second = try ConnPluginFixture(
            label: "sameid-b", options: ["plugin_opt_conn_broker_id shared-id"], database: database)
        try second.broker.waitForLog(containing: "is still running elsewhere")
        #expect(try first.history("live-on-a").map(\.type) == ["connect"])
        // Once the first broker is dead, a later start closes what it left.
        first.broker.kill9()
        _ = live
        second.broker.stop()
        try second.broker.restart()
        try second.broker.waitForLog(containing: "closed 1 sessions left open by an earlier run")
        let rows = try first.history("live-on-a")
        #expect(rows.map(\.type) == ["connect", "disconnect"])
        #expect(rows.last?.cause == "stale_after_restart")
    }

    @Test func asyncChurnThenCleanShutdownLosesNothing() throws {
        let fixture = try ConnPluginFixture(label: "async", options: ["plugin_opt_conn_mode async"])
        try Self.churn(fixture.broker.port, prefix: "async", count: 300)
        let online = try fixture.client("online-at-shutdown")
        fixture.broker.stop()
        _ = online
        // No waiting: the clean shutdown flushed everything before the broker exited.
        #expect(try fixture.database.intScalar("SELECT count(*) FROM client_conn_events") == 602)
        let (clients, unbalanced, duplicates) = try Self.balance(fixture.database)
        #expect(clients == 301)
        #expect(unbalanced == 0)
        #expect(duplicates == 0)
        #expect(try fixture.database.intScalar("SELECT count(*) FROM client_sessions WHERE last_event_type = 'connect'") == 0)
    }

    @Test func fullSpoolDropsAreCountedLoggedAndReported() throws {
        let postgres = try OwnPostgres(label: "spoolfull")
        let database = try ScratchDatabase.create(label: "spoolfull", onServer: postgres.dsn)
        database.closeConnection()
        postgres.stop()
        let fixture = try ConnPluginFixture(
            label: "spoolfull", options: ["plugin_opt_conn_spool_max_mb 1", "plugin_opt_conn_queue_size 1000"],
            database: database)
        // Long client ids fill one megabyte of spool within a few hundred events.
        let long = String(repeating: "f", count: 8000)
        for index in 0..<200 {
            let client = try MQTTWireClient(port: fixture.broker.port)
            _ = try client.connect(clientID: "\(long)-\(index)", protocol: .v311)
            client.disconnect(waitForClose: true)
        }
        try fixture.broker.waitForLog(containing: "connection events were dropped", timeout: 20)
        try postgres.start()
        try waitUntil(timeout: 30, "spool replayed") {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: fixture.spoolDirectory)) ?? []
            return !files.contains { $0.hasSuffix(".spool") }
        }
        fixture.broker.stop()
        let summary = try Self.shutdownSummary(fixture.broker.log())
        let rows = try database.intScalar("SELECT count(*) FROM client_conn_events") ?? -1
        print("spool full: \(summary), rows=\(rows)")
        #expect(summary.seen >= 400)
        #expect(summary.dropped > 0)
        #expect(summary.dropped < summary.seen)
        #expect(rows == summary.written, "every event not dropped reached the database")
        #expect(summary.seen == summary.written + summary.dropped, "nothing silently lost")
    }

    /// The counts of the plugin's last log line ("conn-plugin: stopped. events.seen=...").
    static func shutdownSummary(_ log: String) throws -> (seen: Int, written: Int, dropped: Int, deadLettered: Int) {
        guard let line = log.split(separator: "\n").last(where: { $0.contains("conn-plugin: stopped.") }) else {
            throw FixtureError("no shutdown summary in the broker log")
        }
        func number(_ key: String) -> Int {
            let field = line.split(separator: " ").first { $0.hasPrefix(key + "=") }
            return field.flatMap { Int($0.dropFirst(key.count + 1)) } ?? -1
        }
        return (number("events.seen"), number("events.written"), number("events.dropped"), number("events.dead_lettered"))
    }

    @Test func rejectedEventGoesToDeadLettersWithoutHoldingOthers() throws {
        let database = try ScratchDatabase.create(label: "poison")
        let fixture = try ConnPluginFixture(label: "poison", database: database)
        try fixture.client("warmup").disconnect(waitForClose: true)
        try fixture.waitForHistory("warmup", count: 2)
        try database.execute(script: "ALTER TABLE client_conn_events ADD CONSTRAINT no_poison CHECK (client_id <> 'poison')")
        try fixture.client("poison").disconnect(waitForClose: true)
        try fixture.client("healthy").disconnect(waitForClose: true)
        let healthy = try fixture.waitForHistory("healthy", count: 2)
        #expect(healthy.map(\.type) == ["connect", "disconnect"])
        #expect(try fixture.history("poison").isEmpty)
        let deadLetters = try String(contentsOfFile: fixture.spoolDirectory + "/dead-letters.log", encoding: .utf8)
        #expect(deadLetters.split(separator: "\n").count == 2)
        #expect(deadLetters.contains("no_poison"))
        _ = try waitForValue(timeout: 15, "dead letters reported in SYS") {
            let values = try ConnPluginOutageTests.status(port: fixture.broker.port)
            return values["events/dead-lettered"] == 2 ? values : nil
        }
        fixture.broker.stop()
        let summary = try Self.shutdownSummary(fixture.broker.log())
        #expect(summary.deadLettered == 2)
        #expect(summary.seen == summary.written + summary.deadLettered)
    }
}

/// The presence rules of the write statement, checked directly against PostgreSQL.
@Suite(.enabled(if: TestEnvironment.shouldRun), .offCooperativePool)
struct PresenceRuleTests {
    private func event(_ kind: ConnEvent.Kind, _ client: String, at micros: Int64, broker: String = "a", sequence: Int64)
        -> ConnEvent
    {
        ConnEvent(
            kind: kind, timestampMicros: micros, clientID: client, username: nil, peer: "10.0.0.1", protocol: "MQTT/5.0",
            reasonCode: kind == .disconnect ? 7 : nil, cause: kind == .disconnect ? .disconnect : nil,
            connection: ConnectionDetails(connectionSequence: sequence, listenerPort: nil, keepAliveSeconds: nil, cleanStart: nil),
            origin: EventOrigin(brokerID: broker, bootID: "boot-\(broker)", sequence: sequence))
    }

    /// Creates the plugin's tables and key index in `database`; returns a connection to it.
    private func pluginTables(in database: ScratchDatabase) throws -> PostgresConnection {
        try database.execute(script: SchemaFiles.connPluginTables + SchemaFiles.connPluginKeys)
        return try PostgresConnection(conninfo: database.dsn, timeout: .seconds(10))
    }

    private func write(_ events: [ConnEvent], _ connection: PostgresConnection) throws {
        try connection.execute(ConnStatements.writeBatch(idempotent: true), ConnStatements.batchParameters(events), timeout: .seconds(10))
    }

    @Test func presenceMovesForwardOnlyAndReplaysAreStoredOnce() throws {
        let database = try ScratchDatabase.create(label: "presence")
        defer { database.drop() }
        let connection = try pluginTables(in: database)
        let t0: Int64 = 1_700_000_000_000_000
        // Newer connect first, then an older disconnect arrives late (a replay).
        try write([event(.connect, "dev", at: t0 + 2_000_000, sequence: 2)], connection)
        try write([event(.disconnect, "dev", at: t0 + 1_000_000, sequence: 1)], connection)
        #expect(try database.query("SELECT last_event_type, last_disconnect_ts FROM client_sessions") == [["connect", nil]])
        #expect(try database.intScalar("SELECT count(*) FROM client_conn_events") == 2)
        // The same event again (an uncertain commit retried): stored once.
        try write([event(.connect, "dev", at: t0 + 2_000_000, sequence: 2)], connection)
        #expect(try database.intScalar("SELECT count(*) FROM client_conn_events") == 2)
        // Microseconds survive.
        #expect(try database.scalar("SELECT to_char(max(ts) AT TIME ZONE 'UTC', 'US') FROM client_conn_events") == "000000")
        try write([event(.connect, "us", at: t0 + 123_457, sequence: 9)], connection)
        #expect(try database.scalar("SELECT to_char(ts AT TIME ZONE 'UTC', 'US') FROM client_conn_events WHERE client_id = 'us'") == "123457")
    }

    @Test func disconnectFromBrokerADoesNotHideConnectionThroughBrokerB() throws {
        let database = try ScratchDatabase.create(label: "brokers")
        defer { database.drop() }
        let connection = try pluginTables(in: database)
        let t0: Int64 = 1_700_000_000_000_000
        try write([event(.connect, "roamer", at: t0, broker: "a", sequence: 1)], connection)
        try write([event(.connect, "roamer", at: t0 + 10, broker: "b", sequence: 1)], connection)
        try write([event(.disconnect, "roamer", at: t0 + 20, broker: "a", sequence: 2)], connection)
        #expect(try database.query("SELECT last_event_type, extra->>'broker_id' FROM client_sessions") == [["connect", "b"]])
        try write([event(.disconnect, "roamer", at: t0 + 30, broker: "b", sequence: 2)], connection)
        #expect(try database.query("SELECT last_event_type, extra->>'broker_id' FROM client_sessions") == [["disconnect", "b"]])
    }

    @Test func batchWithConnectAndDisconnectOfOneClientKeepsBothTimes() throws {
        let database = try ScratchDatabase.create(label: "batch")
        defer { database.drop() }
        let connection = try pluginTables(in: database)
        let t0: Int64 = 1_700_000_000_000_000
        try write([
            event(.connect, "c", at: t0, sequence: 1), event(.disconnect, "c", at: t0 + 5, sequence: 2),
            event(.connect, "c", at: t0 + 5, sequence: 3),
        ], connection)
        #expect(try database.query(
            "SELECT last_event_type, last_connect_ts = to_timestamp(1700000000) + interval '5 microseconds', last_disconnect_ts FROM client_sessions"
        ) == [["connect", "t", nil]])
        try write([event(.disconnect, "c", at: t0 + 9, sequence: 4)], connection)
        #expect(try database.query(
            "SELECT last_event_type, last_connect_ts = to_timestamp(1700000000) + interval '5 microseconds', last_disconnect_ts IS NOT NULL FROM client_sessions"
        ) == [["disconnect", "t", "t"]])
    }
}
