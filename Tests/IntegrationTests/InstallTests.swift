import Foundation
import MQTTWire
import Testing

/// `make install` into a DESTDIR: the layout, the installed plugin and ingester running against a
/// real mosquitto 2.1 and PostgreSQL, the generated systemd unit (`systemd-analyze verify`), and
/// `make uninstall`. It calls `make install-files`, which only copies what `make test` has built
/// (`make install` would run `swift build` for the release artifacts while this test runs).
@Suite("Install", .enabled(if: TestEnvironment.shouldRun), .serialized, .offCooperativePool)
struct InstallTests {
    private static let prefix = "/usr/local"
    private static let unitPath = "\(prefix)/lib/systemd/system/sys-ingester@.service"
    private static let pluginPath = "\(prefix)/lib/mosquitto/conn-plugin.so"
    private static let ingesterPath = "\(prefix)/bin/sys-ingester"
    private static let exampleConfig = "/etc/sys-ingester/example.yaml"

    /// Every file `make install-files` puts under DESTDIR, with its mode.
    private static let layout: [(path: String, mode: Int)] = [
        (ingesterPath, 0o755),
        (pluginPath, 0o755),
        ("\(prefix)/include/conn-plugin.h", 0o644),
        ("\(prefix)/share/mqtt-conn-truth/schema/001_conn_plugin.sql", 0o644),
        ("\(prefix)/share/mqtt-conn-truth/schema/002_conn_plugin_keys.sql", 0o644),
        ("\(prefix)/share/mqtt-conn-truth/schema/003_presence.sql", 0o644),
        ("\(prefix)/share/mqtt-conn-truth/schema/004_history_indexes.sql", 0o644),
        ("\(prefix)/share/mqtt-conn-truth/schema/010_sys_ingester.sql", 0o644),
        ("\(prefix)/share/mqtt-conn-truth/schema/015_ingest_gaps.sql", 0o644),
        ("\(prefix)/share/mqtt-conn-truth/schema/020_views.sql", 0o644),
        ("\(prefix)/share/mqtt-conn-truth/scripts/partition-conn-events.sh", 0o755),
        ("\(prefix)/share/mqtt-conn-truth/scripts/partition-conn-events.sql", 0o644),
        ("\(prefix)/share/mqtt-conn-truth/schema/030_retention_rollups.sql", 0o644),
        ("\(prefix)/share/mqtt-conn-truth/schema/031_daily_stats_folds.sql", 0o644),
        ("\(prefix)/share/mqtt-conn-truth/schema/040_dashboard.sql", 0o644),
        ("\(prefix)/share/doc/mqtt-conn-truth/README.md", 0o644),
        ("\(prefix)/share/doc/mqtt-conn-truth/architecture.md", 0o644),
        ("\(prefix)/share/doc/mqtt-conn-truth/events.md", 0o644),
        ("\(prefix)/share/doc/mqtt-conn-truth/sys-ingester.md", 0o644),
        ("\(prefix)/share/doc/mqtt-conn-truth/dashboard.md", 0o644),
        ("\(prefix)/share/doc/mqtt-conn-truth/metrics.md", 0o644),
        ("\(prefix)/share/doc/mqtt-conn-truth/performance.md", 0o644),
        ("\(prefix)/share/doc/mqtt-conn-truth/mosquitto.conf.example", 0o644),
        (unitPath, 0o644),
        ("/etc/mosquitto/conf.d/conn-plugin.conf.example", 0o644),
        (exampleConfig, 0o644),
    ]

    /// The repository root (this file is Tests/IntegrationTests/InstallTests.swift).
    private static let rootDirectory: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    // MARK: - Helpers

    /// Runs `make TARGET DESTDIR=... PREFIX=/usr/local` in the repository.
    private func make(_ target: String, destination: String) throws -> ProcessRunner.Result {
        try ProcessRunner.run(
            "make",
            [
                "-C", Self.rootDirectory, "--no-print-directory", target, "DESTDIR=\(destination)",
                "PREFIX=\(Self.prefix)",
            ],
            // Not the outer `make test`'s flags (its jobserver is not ours).
            environment: ["MAKEFLAGS": "", "MAKELEVEL": ""], timeout: 120)
    }

    /// A fresh DESTDIR with everything installed.
    private func installedTree(label: String) throws -> String {
        // The artifacts install-files copies; under make test they are built.
        _ = try TestEnvironment.require(.connPlugin)
        _ = try TestEnvironment.require(.sysIngester)
        let destination = try TestEnvironment.makeScratchDirectory(label: label)
        let install = try make("install-files", destination: destination)
        try #require(
            install.succeeded, "make install-files exited \(install.exitCode):\n\(install.output)")
        return destination
    }

    /// Regular files under `directory`, as paths relative to it ("/usr/local/bin/...").
    private func files(under directory: String) -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: directory)
        var found: [String] = []
        while let relative = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(
                atPath: directory + "/" + relative, isDirectory: &isDirectory),
                !isDirectory.boolValue
            {
                found.append("/" + relative)
            }
        }
        return found.sorted()
    }

    private func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.posixPermissions] as? Int ?? -1) & 0o7777
    }

    // MARK: - Tests

    @Test(
        "installs the documented layout, with the PREFIX substituted into the unit and the conf.d snippet"
    )
    func layoutAndGeneratedFiles() throws {
        let destination = try installedTree(label: "install-layout")
        defer { try? FileManager.default.removeItem(atPath: destination) }

        #expect(files(under: destination) == Self.layout.map(\.path).sorted())
        for entry in Self.layout {
            #expect(try mode(destination + entry.path) == entry.mode, "mode of \(entry.path)")
        }

        let unit = try String(contentsOfFile: destination + Self.unitPath, encoding: .utf8)
        let lines = Set(unit.split(separator: "\n").map(String.init))
        for expected in [
            "ExecStart=/usr/local/bin/sys-ingester --config /etc/sys-ingester/%i.yaml",
            "EnvironmentFile=-/etc/sys-ingester/%i.env",
            "DynamicUser=yes", "Restart=on-failure", "RestartPreventExitStatus=64",
            "MemoryDenyWriteExecute=yes",
        ] {
            #expect(lines.contains(expected), "unit lacks \(expected)")
        }
        let snippet = try String(
            contentsOfFile: destination + "/etc/mosquitto/conf.d/conn-plugin.conf.example",
            encoding: .utf8)
        #expect(snippet.split(separator: "\n").contains("plugin \(Self.pluginPath)"))
        for (name, text) in [("unit", unit), ("conf.d snippet", snippet)] {
            #expect(
                text.range(of: "@[A-Z]+@", options: .regularExpression) == nil,
                "placeholder left in the \(name)")
        }
        // The installed programs are the built ones.
        let built = try TestEnvironment.require(.sysIngester)
        #expect(
            FileManager.default.contentsEqual(atPath: built, andPath: destination + Self.ingesterPath))
    }

    @Test("the installed plugin and ingester record a client and the broker's metrics")
    func installedProgramsRun() throws {
        let destination = try installedTree(label: "install-run")
        defer { try? FileManager.default.removeItem(atPath: destination) }
        let database = try ScratchDatabase.create(label: "install_run")
        let spool = try TestEnvironment.makeScratchDirectory(label: "install-spool")
        defer { try? FileManager.default.removeItem(atPath: spool) }
        let broker = try BrokerProcess.start(
            .v21,
            extraConfig: SysIngesterProcess.brokerConfig + [
                "plugin \(destination + Self.pluginPath)",
                "plugin_opt_conn_pg_dsn \(database.dsn)",
                "plugin_opt_conn_spool_dir \(spool)",
                "plugin_opt_conn_broker_id installed",
            ])
        try broker.waitForLog(containing: "conn-plugin: connected to PostgreSQL.")
        // Until --config exists, the single-broker command line (what the unit will run with --config).
        let ingester = try SysIngesterProcess.start(
            broker: broker, database: database, brokerName: "installed",
            binary: destination + Self.ingesterPath)

        let client = try MQTTWireClient(port: broker.port)
        let ack = try client.connect(clientID: "installed-client", protocol: .v311)
        #expect(ack.isAccepted)
        client.disconnect(waitForClose: true)
        try waitUntil(timeout: 15, "the plugin's connect and disconnect rows") {
            try database.intScalar(
                "SELECT count(*) FROM client_conn_events WHERE client_id = 'installed-client'") == 2
        }
        #expect(
            try database.query(
                "SELECT event_type, extra->>'broker_id' FROM client_conn_events WHERE client_id = 'installed-client' ORDER BY id"
            ) == [["connect", "installed"], ["disconnect", "installed"]])
        try ingester.waitUntil("the ingester's broker_metrics rows") {
            let rows = try database.intScalar(
                "SELECT count(*) FROM broker_metrics WHERE broker = 'installed' AND metric = 'uptime'")
            return rows ?? 0 > 0
        }
        try ingester.waitUntil("the ingester's connected event for the client") {
            try database.intScalar(
                "SELECT count(*) FROM events WHERE broker = 'installed' AND action = 'connected' AND client = 'installed-client'"
            ) == 1
        }
        #expect(
            ingester.stop() == 0,
            "sys-ingester exits 0 on SIGTERM (the unit's Restart=on-failure relies on it)")
        broker.stop()
        #expect(broker.log().contains("conn-plugin: stopped."), Comment(rawValue: broker.log()))
    }

    @Test("systemd-analyze verifies the installed unit without a warning, and rates its exposure low")
    func unitVerifies() throws {
        let destination = try installedTree(label: "install-unit")
        defer { try? FileManager.default.removeItem(atPath: destination) }
        let analyze = try ProcessRunner.resolve("systemd-analyze")
        // --root: units and ExecStart= are looked up inside DESTDIR, so the installed binary is the one
        // checked. The targets the unit orders itself after come from the host (sysinit.target, ...).
        try FileManager.default.createDirectory(
            atPath: destination + "/usr/lib/systemd", withIntermediateDirectories: true)
        let copy = try ProcessRunner.run(
            "cp", ["-r", "/usr/lib/systemd/system", destination + "/usr/lib/systemd/"])
        try #require(copy.succeeded, "\(copy.output)")

        let verify = try ProcessRunner.run(
            analyze, ["verify", "--root=\(destination)", "--man=no", "sys-ingester@example.service"])
        #expect(verify.exitCode == 0, "\(verify.output)")
        #expect(
            verify.output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "\(verify.output)")

        // --threshold=20: fails above an exposure of 2.0 ("OK" in systemd's scale, 0 safest to 10).
        let security = try ProcessRunner.run(
            analyze,
            [
                "security", "--offline=yes", "--root=\(destination)", "--threshold=20", "--no-pager",
                "sys-ingester@example.service",
            ])
        #expect(security.exitCode == 0, "\(security.output)")
        #expect(security.output.contains("Overall exposure level"), "\(security.output)")

        // The check has teeth: without the binary, verify complains about ExecStart=.
        try FileManager.default.removeItem(atPath: destination + Self.ingesterPath)
        let broken = try ProcessRunner.run(
            analyze, ["verify", "--root=\(destination)", "--man=no", "sys-ingester@example.service"])
        #expect(broken.exitCode != 0 && broken.output.contains("sys-ingester"), "\(broken.output)")
    }

    @Test("a second install keeps an edited example.yaml; uninstall removes everything else")
    func reinstallAndUninstall() throws {
        let destination = try installedTree(label: "install-uninstall")
        defer { try? FileManager.default.removeItem(atPath: destination) }
        let edited = "# mine\nbrokers: []\n"
        try edited.write(toFile: destination + Self.exampleConfig, atomically: true, encoding: .utf8)

        let again = try make("install-files", destination: destination)
        #expect(again.succeeded, "\(again.output)")
        #expect(try String(contentsOfFile: destination + Self.exampleConfig, encoding: .utf8) == edited)

        let uninstall = try make("uninstall", destination: destination)
        #expect(uninstall.succeeded, "\(uninstall.output)")
        #expect(files(under: destination) == [Self.exampleConfig], "an edited configuration stays")

        // Unchanged, the example goes too.
        _ = try make("install-files", destination: destination)
        try FileManager.default.removeItem(atPath: destination + Self.exampleConfig)
        _ = try make("install-files", destination: destination)
        #expect(try make("uninstall", destination: destination).succeeded)
        #expect(files(under: destination) == [])
    }
}
