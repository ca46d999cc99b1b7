import Foundation
import Storage
import Testing

/// TLS to PostgreSQL (`sslmode=verify-full`, `sslrootcert`) for both programs, against a server
/// of the test's own with `ssl on` (scripts/pg-scratch.sh with PG_TLS_CERT/PG_TLS_KEY) and a role
/// that must give its password over TLS. Certificates: SysIngesterTLSTests.Certificates (a CA, a
/// server certificate for 127.0.0.1 and localhost that it signed, and another CA).
@Suite("PostgresTLS", .enabled(if: TestEnvironment.shouldRun), .offCooperativePool)
struct PostgresTLSTests {
    static let role = "tls_writer"
    /// Never to appear in any log line.
    static let password = "pw-\(UUID().uuidString.prefix(12))"

    /// A TLS server, a database owned by the password role, and a CA file the DSN names, which the
    /// test may overwrite (the operator's fix).
    struct Setup {
        let certificates: SysIngesterTLSTests.Certificates
        let postgres: OwnPostgres
        let database: ScratchDatabase
        /// The file `sslrootcert` names.
        let rootCertificate: String
        /// verify-full over TLS as `role`, with its password.
        let dsn: String

        init(label: String, trusting ca: KeyPath<SysIngesterTLSTests.Certificates, String>) throws {
            certificates = try SysIngesterTLSTests.Certificates.make()
            postgres = try OwnPostgres(
                label: label,
                tls: (certificates.path("server.crt"), certificates.path("server.key")))
            database = try ScratchDatabase.create(label: label, onServer: postgres.dsn)
            try database.execute(
                script: """
                    CREATE ROLE \(PostgresTLSTests.role) LOGIN PASSWORD '\(PostgresTLSTests.password)';
                    ALTER DATABASE "\(database.name)" OWNER TO \(PostgresTLSTests.role);
                    """)
            rootCertificate = certificates.path("pg-root.crt")
            try FileManager.default.copyItem(atPath: certificates[keyPath: ca], toPath: rootCertificate)
            var options = try ConnectionString.parse(database.dsn)
            options["user"] = PostgresTLSTests.role
            options["password"] = PostgresTLSTests.password
            options["sslmode"] = "verify-full"
            options["sslrootcert"] = rootCertificate
            dsn = ScratchDatabase.keywordValueString(options)
        }

        /// The operator's fix: the file sslrootcert names now holds the CA that signed the server's
        /// certificate.
        func trustTheRightCA() throws {
            // Atomically (a new file renamed over the old), as an editor or a deployment would.
            try Data(contentsOf: URL(fileURLWithPath: certificates.ca))
                .write(to: URL(fileURLWithPath: rootCertificate), options: .atomic)
        }

        /// Connections of `role` the server sees over TLS (the programs keep theirs open).
        func tlsConnections() throws -> Int {
            try database.intScalar(
                "SELECT count(*) FROM pg_stat_ssl JOIN pg_stat_activity USING (pid) WHERE ssl AND usename = $1",
                [PostgresTLSTests.role]) ?? 0
        }

        func cleanUp() {
            database.drop()
            try? FileManager.default.removeItem(atPath: certificates.directory)
        }
    }

    /// The lines of the spool files in `directory`: events written to disk, not yet to PostgreSQL.
    static func spooledLines(_ directory: String) -> Int {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return files.filter { $0.hasSuffix(".spool") }.reduce(0) { total, name in
            let text = (try? String(contentsOfFile: directory + "/" + name, encoding: .utf8)) ?? ""
            return total + text.split(separator: "\n").count
        }
    }

    @Test("plugin: verify-full with the CA that signed the server's certificate stores rows over TLS")
    func pluginRightCA() throws {
        let setup = try Setup(label: "pgtls_plugin_ok", trusting: \.ca)
        defer { setup.cleanUp() }
        let fixture = try ConnPluginFixture(label: "pgtls-plugin-ok", dsn: setup.dsn, database: setup.database)
        try ConnPluginOutageTests.churn(fixture.broker.port, prefix: "tls-ok", count: 5)
        try ConnPluginOutageTests.waitForRows(
            setup.database, 10, where: "client_id LIKE 'tls-ok-%'", timeout: 30, "the TLS plugin's rows")
        #expect(try setup.tlsConnections() >= 1)
        #expect(try ConnPluginOutageTests.balance(setup.database, where: "client_id LIKE 'tls-ok-%'").unbalanced == 0)
        let log = fixture.broker.log()
        #expect(log.contains("sslmode=verify-full sslrootcert=\(setup.rootCertificate)"), "\(log.suffix(3000))")
        #expect(!log.contains("cannot write to PostgreSQL"), "\(log.suffix(3000))")
        #expect(!(log + fixture.broker.output()).contains(Self.password))
    }

    @Test("plugin: a server certificate another CA signed is a clear warning; clients are served, events spooled, all land once after the fix")
    func pluginWrongCA() throws {
        let setup = try Setup(label: "pgtls_plugin_bad", trusting: \.otherCA)
        defer { setup.cleanUp() }
        let fixture = try ConnPluginFixture(
            label: "pgtls-plugin-bad", options: ["plugin_opt_conn_timeout_ms 500"], dsn: setup.dsn,
            database: setup.database)
        try fixture.broker.waitForLog(containing: "certificate verify failed", timeout: 30)
        let warning = fixture.broker.log().split(separator: "\n").first { $0.contains("certificate verify failed") }
            .map(String.init) ?? ""
        #expect(warning.contains("cannot write to PostgreSQL"), "\(warning)")
        #expect(warning.contains("check that sslrootcert names the CA that signed it"), "\(warning)")
        #expect(warning.contains("sslrootcert=\(setup.rootCertificate)"), "\(warning)")

        // Real MQTT clients connect and disconnect meanwhile (churn throws on a refused CONNACK);
        // their events go to the spool.
        try ConnPluginOutageTests.churn(fixture.broker.port, prefix: "bad-ca-a", count: 10)
        try waitUntil(timeout: 30, "20 events spooled") { Self.spooledLines(fixture.spoolDirectory) >= 20 }
        let status = try waitForValue(timeout: 15, "status covering the churn") {
            let values = try ConnPluginOutageTests.status(port: fixture.broker.port)
            return (values["events/seen"] ?? 0) >= 20 ? values : nil
        }
        #expect(status["database/connected"] == 0)
        #expect(status["events/dropped"] == 0)
        #expect(try setup.database.intScalar(
            "SELECT count(*) FROM pg_tables WHERE tablename = 'client_conn_events'") == 0,
            "nothing reached the database: the plugin could not even create its tables")

        // A broker restart while the CA is still wrong: the spool outlives it, and the warning is
        // given again by the new run.
        try fixture.broker.restart()
        try ConnPluginOutageTests.churn(fixture.broker.port, prefix: "bad-ca-b", count: 5)
        try waitUntil(timeout: 30, "the second run's warning") {
            fixture.broker.log().components(separatedBy: "certificate verify failed").count - 1 >= 2
        }

        // The operator fixes the CA file; no restart: the next retry (at most 5 s later) reads it.
        try setup.trustTheRightCA()
        try ConnPluginOutageTests.churn(fixture.broker.port, prefix: "fixed", count: 5)
        let churned = "(client_id LIKE 'bad-ca-%' OR client_id LIKE 'fixed-%')"
        try ConnPluginOutageTests.waitForRows(setup.database, 40, where: churned, timeout: 60, "every event after the fix")
        let (clients, unbalanced, duplicates) = try ConnPluginOutageTests.balance(setup.database, where: churned)
        let replayed = try setup.database.intScalar(
            "SELECT count(*) FROM client_conn_events WHERE extra ? 'replayed' AND \(churned)") ?? 0
        print("postgres tls, wrong CA then fixed: clients=\(clients) unbalanced=\(unbalanced) duplicates=\(duplicates) replayed=\(replayed)")
        #expect(clients == 20)
        #expect(unbalanced == 0)
        #expect(duplicates == 0)
        #expect(replayed >= 30, "the events of both runs with the wrong CA came through the spool")
        #expect(try setup.tlsConnections() >= 1)
        try waitUntil(timeout: 30, "the spool emptied") { Self.spooledLines(fixture.spoolDirectory) == 0 }
        #expect(!(fixture.broker.log() + fixture.broker.output()).contains(Self.password))
    }

    @Test("sys-ingester: verify-full with the right CA stores rows over TLS")
    func ingesterRightCA() throws {
        let setup = try Setup(label: "pgtls_ingest_ok", trusting: \.ca)
        defer { setup.cleanUp() }
        let broker = try BrokerProcess.start(.v21, extraConfig: SysIngesterProcess.brokerConfig)
        let ingester = try SysIngesterProcess.start(
            broker: broker, database: setup.database, brokerName: "tls-pg", environment: ["PG_DSN": setup.dsn])
        let published = try ProcessRunner.run(
            "mosquitto_pub", ["-h", "127.0.0.1", "-p", "\(broker.port)", "-i", "pg-tls-device", "-t", "t", "-m", "x"],
            timeout: 20)
        #expect(published.succeeded, "\(published.output)")
        try ingester.waitUntil("the client's session and the metrics are stored") {
            try setup.database.intScalar(
                "SELECT count(*) FROM sessions WHERE client = 'pg-tls-device' AND broker = 'tls-pg' AND end_ts IS NOT NULL")
                == 1
                && setup.database.intScalar(
                    "SELECT count(*) FROM latest_metrics WHERE broker = 'tls-pg' AND metric = 'uptime'") == 1
        }
        #expect(try setup.tlsConnections() >= 1)
        #expect(ingester.output.contains("sslmode=verify-full sslrootcert=\(setup.rootCertificate)"))
        #expect(ingester.stop() == 0, "\(ingester.output.suffix(2000))")
        #expect(!ingester.output.contains("PostgreSQL is unavailable"), "\(ingester.output.suffix(3000))")
        #expect(!ingester.output.contains(Self.password))
    }

    @Test("sys-ingester: another CA's server certificate is logged with the reason; it keeps running and stores what it kept once fixed")
    func ingesterWrongCA() throws {
        let setup = try Setup(label: "pgtls_ingest_bad", trusting: \.otherCA)
        defer { setup.cleanUp() }
        let broker = try BrokerProcess.start(.v21, extraConfig: SysIngesterProcess.brokerConfig)
        let ingester = try SysIngesterProcess.launch(
            broker: broker, database: setup.database, brokerName: "tls-pg-bad", environment: ["PG_DSN": setup.dsn])
        try ingester.waitUntil("the certificate problem is logged", timeout: 30) {
            ingester.lines(containing: "PostgreSQL is unavailable", "certificate verify failed").count >= 1
        }
        let line = String(ingester.lines(containing: "PostgreSQL is unavailable", "certificate verify failed")[0])
        #expect(line.contains("check that sslrootcert names the CA that signed it"), "\(line)")
        // The ingester is subscribed meanwhile; a client's session made now is kept in memory.
        try ingester.waitUntil("subscribed to the broker") { ingester.output.contains("event=session_ready") }
        let published = try ProcessRunner.run(
            "mosquitto_pub", ["-h", "127.0.0.1", "-p", "\(broker.port)", "-i", "kept-device", "-t", "t", "-m", "x"],
            timeout: 20)
        #expect(published.succeeded, "\(published.output)")
        try broker.waitForLog(containing: "Client kept-device [")  // "... [ADDR:PORT] disconnected."
        #expect(ingester.isRunning)

        try setup.trustTheRightCA()
        try ingester.waitUntil("what was kept is stored once the CA file is fixed", timeout: 90) {
            try setup.database.intScalar(
                "SELECT count(*) FROM sessions WHERE client = 'kept-device' AND broker = 'tls-pg-bad' AND end_ts IS NOT NULL")
                == 1
        }
        #expect(try setup.database.intScalar("SELECT count(*) FROM events WHERE topic = '$SYS/broker/#'") == 1)
        #expect(try setup.tlsConnections() >= 1)
        #expect(ingester.output.contains("Connected to PostgreSQL"))
        #expect(ingester.stop() == 0, "\(ingester.output.suffix(2000))")
        #expect(!ingester.output.contains(Self.password))
    }
}
