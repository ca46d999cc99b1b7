import Foundation
import MQTTWire
import Testing

/// The plugin inside a real mosquitto 2.1, writing to a real PostgreSQL, driven by real clients.
@Suite(.enabled(if: TestEnvironment.shouldRun), .offCooperativePool)
struct ConnPluginTests {
    @Test(arguments: [(MQTTProtocolVersion.v31, "MQTT/3.1"), (.v311, "MQTT/3.1.1"), (.v5, "MQTT/5.0")])
    func cleanConnectAndDisconnectWriteBothRowsAndPresence(_ version: MQTTProtocolVersion, _ name: String) throws {
        let fixture = try ConnPluginFixture(label: "proto")
        let before = Date()
        let client = try fixture.client("dev-\(name)", version, username: "alice")
        let online = try waitForValue(timeout: 15, "online row") {
            try fixture.database.query(
                "SELECT last_event_type, last_connect_ts IS NOT NULL, last_disconnect_ts IS NULL FROM client_sessions WHERE client_id = $1",
                ["dev-\(name)"]
            ).first
        }
        #expect(online == ["connect", "t", "t"])
        client.disconnect(waitForClose: true)
        _ = try fixture.waitForHistory("dev-\(name)", count: 2)

        let rows = try fixture.database.query(
            """
            SELECT event_type, username, peer, protocol, reason_code, extract(epoch FROM ts)::float8
            FROM client_conn_events WHERE client_id = $1 ORDER BY id
            """, ["dev-\(name)"])
        #expect(rows.count == 2)
        #expect(rows.map { $0[0] } == ["connect", "disconnect"])
        #expect(rows.allSatisfy { $0[1] == "alice" && $0[2] == "127.0.0.1" && $0[3] == name })
        #expect(rows[0][4] == nil, "reason_code is set only on disconnect")
        #expect(rows[1][4] == "0", "a clean DISCONNECT is MOSQ_ERR_SUCCESS")
        // ts is the broker's time of the event, not the insert's: between the test's own clock readings.
        let connectTime = try #require(rows[0][5].flatMap(Double.init))
        #expect(connectTime >= before.timeIntervalSince1970 - 1 && connectTime <= Date().timeIntervalSince1970 + 1)

        let session = try fixture.database.query(
            """
            SELECT last_event_type, last_connect_ts = (SELECT ts FROM client_conn_events WHERE client_id = $1 AND event_type = 'connect'),
                   last_disconnect_ts = last_event_ts, last_reason_code, last_protocol, username
            FROM client_sessions WHERE client_id = $1
            """, ["dev-\(name)"])
        #expect(session == [["disconnect", "t", "t", "0", name, "alice"]])
    }

    @Test func everyWayAConnectionEndsIsExactlyOneDisconnect() throws {
        let fixture = try ConnPluginFixture(label: "causes")
        // Dropped socket (no DISCONNECT packet).
        try fixture.client("drop").dropConnection()
        // Keepalive timeout: keepalive 1 s and no PINGREQ; the broker gives up after 1.5 s.
        let silent = try fixture.client("keepalive", keepAlive: 1)
        // Takeover: a second connection with the same client id.
        let first = try fixture.client("takeover", .v5)
        let second = try fixture.client("takeover", .v5)
        #expect(first.waitForClose(timeoutMilliseconds: 5000))
        defer { withExtendedLifetime(second) {} }
        // Protocol error: a second CONNECT on the same connection.
        let violator = try fixture.client("violator")
        try violator.sendRaw([0x10, 0x0C, 0x00, 0x04, 0x4D, 0x51, 0x54, 0x54, 0x04, 0x02, 0x00, 0x3C, 0x00, 0x00])
        // Sessions that outlive the connection: MQTT 3.1.1 clean session off, MQTT 5 expiry > 0.
        try fixture.client("persistent-311", .v311, cleanSession: false).disconnect(waitForClose: true)
        try fixture.client("persistent-5", .v5, cleanSession: false, sessionExpiry: 3600).disconnect(waitForClose: true)

        let drop = try fixture.waitForHistory("drop", count: 2)
        let keepalive = try fixture.waitForHistory("keepalive", count: 2, timeout: 20)
        let violation = try fixture.waitForHistory("violator", count: 2)
        let persistent311 = try fixture.waitForHistory("persistent-311", count: 2)
        let persistent5 = try fixture.waitForHistory("persistent-5", count: 2)
        let takeover = try fixture.waitForHistory("takeover", count: 3)
        _ = silent

        #expect(drop.map(\.type) == ["connect", "disconnect"])
        #expect(drop.last?.reason == 7, "MOSQ_ERR_CONN_LOST")
        #expect(keepalive.last?.reason == 19, "MOSQ_ERR_KEEPALIVE")
        #expect(violation.last?.reason == 2, "MOSQ_ERR_PROTOCOL")
        #expect(persistent311.last?.cause == "client_offline")
        #expect(persistent5.last?.cause == "client_offline")
        #expect(takeover.map(\.type) == ["connect", "disconnect", "connect"])
        #expect(takeover[1].reason == 142, "MOSQ_ERR_SESSION_TAKEN_OVER")

        // Broker shutdown with "takeover" (second connection) still connected.
        fixture.broker.stop()
        let afterShutdown = try fixture.history("takeover")
        #expect(afterShutdown.map(\.type) == ["connect", "disconnect", "connect", "disconnect"])
        #expect(afterShutdown.last?.reason == 139, "MOSQ_ERR_SERVER_SHUTTING_DOWN")
        #expect(afterShutdown.last?.cause == "broker_shutdown")

        // Never two disconnects for one connection, never a disconnect without a connect.
        let unbalanced = try fixture.database.query(
            """
            SELECT client_id FROM client_conn_events GROUP BY client_id
            HAVING count(*) FILTER (WHERE event_type = 'connect') <> count(*) FILTER (WHERE event_type = 'disconnect')
            """)
        #expect(unbalanced.isEmpty, "\(unbalanced)")
        let online = try fixture.database.intScalar("SELECT count(*) FROM client_sessions WHERE last_event_type = 'connect'")
        #expect(online == 0)
    }

    @Test func failedAuthenticationWritesNothing() throws {
        let directory = try TestEnvironment.makeScratchDirectory(label: "auth-passwords")
        let passwords = directory + "/passwords"
        let made = try ProcessRunner.run("mosquitto_passwd", ["-c", "-b", passwords, "device", "right-secret"], timeout: 20)
        try #require(made.succeeded, "\(made.output)")
        let fixture = try ConnPluginFixture(
            label: "auth", extraConfig: ["allow_anonymous false", "password_file \(passwords)"])
        let refused = try MQTTWireClient(port: fixture.broker.port)
        #expect(try !refused.connect(clientID: "intruder", protocol: .v311, username: "device", password: "wrong").isAccepted)
        let anonymous = try MQTTWireClient(port: fixture.broker.port)
        #expect(try !anonymous.connect(clientID: "anonymous", protocol: .v5).isAccepted)
        // An authorised client after the refused ones: once its row is stored, the writer has
        // handled everything before it (one FIFO), so a dead writer cannot pass this test.
        let authorised = try MQTTWireClient(port: fixture.broker.port)
        #expect(try authorised.connect(clientID: "authorised", protocol: .v311, username: "device", password: "right-secret").isAccepted)
        #expect(try fixture.waitForHistory("authorised", count: 1).map(\.type) == ["connect"])
        #expect(try fixture.database.query("SELECT DISTINCT client_id FROM client_conn_events") == [["authorised"]])
        #expect(try fixture.database.query("SELECT client_id FROM client_sessions") == [["authorised"]])
        _ = (refused, anonymous)
    }

    static let hostileIDs = [
        "it's \"quoted\"", "'; DROP TABLE client_sessions; --", "back\\slash\\\\n", "设备/温度传感器-七号",
        "📡🚀 sensor", "x (p2, c1, k60, u'admin')", String(repeating: "long-", count: 1000),
    ]

    @Test func hostileClientIDsAndUsernamesAreStoredVerbatim() throws {
        let fixture = try ConnPluginFixture(label: "hostile")
        for (index, id) in Self.hostileIDs.enumerated() {
            let username = "user \(id)"
            let version: MQTTProtocolVersion = index % 2 == 0 ? .v5 : .v311
            try fixture.client(id, version, username: username).disconnect(waitForClose: true)
        }
        for id in Self.hostileIDs {
            let rows = try fixture.waitForHistory(id, count: 2)
            #expect(rows.map(\.type) == ["connect", "disconnect"])
            let stored = try fixture.database.query(
                "SELECT client_id, username FROM client_sessions WHERE client_id = $1", [id])
            #expect(stored == [[id, "user \(id)"]])
        }
        #expect(try fixture.database.intScalar("SELECT count(*) FROM client_sessions") == Self.hostileIDs.count)
    }

    @Test func sameCopyLoadedTwiceRecordsEachEventOnce() throws {
        let plugin = try TestEnvironment.require(.connPlugin)
        let database = try ScratchDatabase.create(label: "twice")
        let spool = try TestEnvironment.makeScratchDirectory(label: "twice") + "/spool"
        let fixture = try ConnPluginFixture(
            label: "twice", extraConfig: [], database: database, spoolDirectory: spool)
        _ = fixture
        // A second broker loading the plugin twice with identical options.
        let options = ["plugin_opt_conn_pg_dsn \(database.dsn)", "plugin_opt_conn_spool_dir \(spool)-2"]
        let broker = try BrokerProcess.start(.v21, extraConfig: ["plugin \(plugin)"] + options + ["plugin \(plugin)"] + options)
        defer { broker.kill9() }
        let client = try MQTTWireClient(port: broker.port)
        _ = try client.connect(clientID: "once", protocol: .v311)
        client.disconnect(waitForClose: true)
        _ = try fixture.waitForHistory("once", count: 2)
        Thread.sleep(forTimeInterval: 1)
        #expect(try fixture.history("once").map(\.type) == ["connect", "disconnect"])
        #expect(broker.log().contains("shares the first copy"))
    }

    @Test func roleThatMayNotCreateStillWritesToExistingTables() throws {
        let database = try ScratchDatabase.create(label: "limited")
        let schemaDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("schema")
        let tables = try String(contentsOf: schemaDirectory.appendingPathComponent("001_conn_plugin.sql"), encoding: .utf8)
        try database.execute(script: tables)
        let role = "limited_\(UInt32.random(in: 0...UInt32.max))"
        try database.execute(script: """
            CREATE ROLE \(role) LOGIN;
            REVOKE CREATE ON SCHEMA public FROM PUBLIC;
            GRANT SELECT, INSERT, UPDATE ON client_conn_events, client_sessions TO \(role);
            GRANT USAGE ON SEQUENCE client_conn_events_id_seq TO \(role);
            """)
        let limitedDSN = database.dsn.replacingOccurrences(of: "user=postgres", with: "user=\(role)")
        let fixture = try ConnPluginFixture(label: "limited", dsn: limitedDSN, database: database)
        try fixture.client("limited-client").disconnect(waitForClose: true)
        #expect(try fixture.waitForHistory("limited-client", count: 2).map(\.type) == ["connect", "disconnect"])
    }
}

/// Configuration errors: the plugin refuses to start and says which option is at fault.
@Suite(.enabled(if: TestEnvironment.shouldRun), .offCooperativePool)
struct ConnPluginOptionTests {
    private func refusal(_ lines: [String], environment: [String: String] = [:], version: BrokerProcess.Version = .v21)
        throws -> (exitCode: Int32, log: String)
    {
        let plugin = try TestEnvironment.require(.connPlugin)
        return try BrokerProcess.startExpectingFailure(
            version, extraConfig: ["plugin \(plugin)"] + lines, environment: environment)
    }

    @Test func missingDSNIsNamed() throws {
        let result = try refusal([])
        #expect(result.exitCode != 0)
        #expect(result.log.contains("plugin_opt_conn_pg_dsn is missing"))
        #expect(result.log.contains("PG_DSN"))
    }

    @Test(arguments: ["abc", "-5"])
    func malformedTimeoutIsNamed(_ value: String) throws {
        let result = try refusal(["plugin_opt_conn_pg_dsn dbname=x", "plugin_opt_conn_timeout_ms \(value)"])
        #expect(result.exitCode != 0)
        #expect(result.log.contains("plugin_opt_conn_timeout_ms value '\(value)'"))
    }

    @Test func malformedDSNIsNamedWithoutItsPassword() throws {
        let result = try refusal(["plugin_opt_conn_pg_dsn postgres://u:TopSecret42@127.0.0.1:1/x?nonsense=TopSecret42"])
        #expect(result.exitCode != 0)
        #expect(result.log.contains("plugin_opt_conn_pg_dsn is not a valid libpq connection string"))
        #expect(!result.log.contains("TopSecret42"))
    }

    @Test func refusesDebian20WithOneClearLine() throws {
        let result = try refusal(["plugin_opt_conn_pg_dsn dbname=x"], version: .v20)
        #expect(result.exitCode != 0)
        let lines = result.log.split(separator: "\n").filter { $0.contains("conn-plugin: Error") }
        #expect(lines.count == 1)
        #expect(lines.first?.contains("requires mosquitto 2.1") == true)
        #expect(lines.first?.contains("sys-ingester") == true)
    }

    @Test func environmentDSNIsUsedAndUnknownOptionWarnedAndPasswordNeverLogged() throws {
        let database = try ScratchDatabase.create(label: "envdsn")
        defer { database.drop() }
        let plugin = try TestEnvironment.require(.connPlugin)
        let spool = try TestEnvironment.makeScratchDirectory(label: "envdsn") + "/spool"
        // The server trusts every local connection, so a password is accepted and ignored.
        let dsn = database.dsn + " password=NeverLogMe99"
        let broker = try BrokerProcess.start(
            .v21,
            extraConfig: [
                "plugin \(plugin)", "plugin_opt_conn_debug true", "plugin_opt_conn_colour blue",
                "plugin_opt_conn_spool_dir \(spool)",
            ], environment: ["PG_DSN": dsn])
        defer { broker.kill9() }
        let client = try MQTTWireClient(port: broker.port)
        _ = try client.connect(clientID: "env-client", protocol: .v5)
        client.disconnect(waitForClose: true)
        try waitUntil(timeout: 15, "rows via PG_DSN") {
            try database.intScalar("SELECT count(*) FROM client_conn_events WHERE client_id = 'env-client'") == 2
        }
        broker.stop()
        let log = broker.log() + broker.output()
        #expect(log.contains("unknown option plugin_opt_conn_colour"))
        #expect(!log.contains("NeverLogMe99"))
    }

    @Test func passwordNeverLoggedWhenTheDatabaseIsUnreachable() throws {
        let plugin = try TestEnvironment.require(.connPlugin)
        let spool = try TestEnvironment.makeScratchDirectory(label: "unreach") + "/spool"
        let broker = try BrokerProcess.start(
            .v21,
            extraConfig: [
                "plugin \(plugin)", "plugin_opt_conn_debug true", "plugin_opt_conn_spool_dir \(spool)",
                "plugin_opt_conn_pg_dsn postgres://mqtt:NeverLogMe77@127.0.0.1:1/mqtt",
            ])
        defer { broker.kill9() }
        let client = try MQTTWireClient(port: broker.port)
        #expect(try client.connect(clientID: "still-served", protocol: .v311).isAccepted)
        try broker.waitForLog(containing: "cannot write to PostgreSQL")
        broker.stop()
        #expect(!(broker.log() + broker.output()).contains("NeverLogMe77"))
    }
}
