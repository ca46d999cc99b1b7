import ArgumentParser
import Dashboard
import Foundation
import IngesterConfig
import IngesterMetrics
import Logging
import Storage
import SysIngest

/// `sys-ingester`: subscribes to mosquitto brokers' `$SYS/broker/#` and writes their metrics and
/// log lines into the WatchMQTT tables (seed 001): one broker from the command line, or many from
/// a `--config` file, each with its own connection and one PostgreSQL writer for all.
@main
struct SysIngester: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sys-ingester",
        abstract: "Record mosquitto brokers' $SYS metrics and log lines in PostgreSQL.",
        discussion: """
            Subscribes to $SYS/broker/# on mosquitto brokers (2.0 or 2.1) and fills the tables \
            broker_metrics, events, clients, sessions and subscriptions (schema/010_sys_ingester.sql, \
            created at start when missing, with the views of schema/020_views.sql). One broker comes \
            from the options below; many from --config FILE (YAML: see sys-ingester.example.yaml), \
            each with its own connection and backoff, all written by one PostgreSQL writer.

            The broker must publish its log as messages. Add to mosquitto.conf:
              log_dest topic
              log_type error
              log_type warning
              log_type notice
              log_type information
              log_type subscribe
              log_type unsubscribe
              sys_interval 10
            and let this client read $SYS/# (ACL) if the broker uses ACLs.

            Reconnects to the brokers and to PostgreSQL by itself. SIGINT or SIGTERM stops it after \
            the current transaction. Exit status: 0 after a stop, 64 for a bad command line or \
            config file, 1 when a broker connection cannot be set up.

            Example (password and database from the environment):
              export PG_DSN='host=127.0.0.1 dbname=mqtt user=ingest'
              export SYS_INGESTER_PASSWORD=secret
              sys-ingester --host broker.local --username watcher --broker-name prod-1
              sys-ingester --config /etc/sys-ingester/fleet.yaml
            """)

    // MARK: Config file

    @Option(
        help: ArgumentHelp(
            "A YAML file listing brokers and the shared settings; replaces every other option but --log-level.",
            valueName: "path"))
    var config: String?

    // MARK: Broker

    @Option(help: "Broker host name or address (default: 127.0.0.1).")
    var host: String?

    @Option(help: "Broker port, 1-65535 (default: 1883).")
    var port: Int?

    @Option(help: "MQTT username for the broker.")
    var username: String?

    @Option(
        help: ArgumentHelp(
            "MQTT password. Better: the environment variable SYS_INGESTER_PASSWORD (options show in ps).",
            valueName: "password"))
    var password: String?

    @Option(
        help:
            "MQTT client id (default: sys-ingester-<8 hex digits>, the same for the same broker, name and database, so a restart resumes the broker session). Must be unique on the broker."
    )
    var clientID: String?

    @Option(help: "The value of the broker column (default: host:port).")
    var brokerName: String?

    @Option(
        name: .customLong("protocol"),
        help: ArgumentHelp(
            "MQTT protocol version: mqttv31, mqttv311 (default) or mqttv5.", valueName: "version"))
    var protocolVersion: String?

    @Option(help: "MQTT keepalive in seconds, 5-65535 (default: 60).")
    var keepalive: Int?

    // MARK: TLS

    @Option(help: "PEM file of the CA certificates that sign the broker's certificate; enables TLS.")
    var cafile: String?

    @Option(help: "Directory of PEM CA certificates (c_rehash layout); enables TLS.")
    var capath: String?

    @Option(help: "Client certificate (PEM) for TLS client authentication; needs --key.")
    var cert: String?

    @Option(help: "Private key (PEM, unencrypted) of --cert.")
    var key: String?

    @Flag(help: "Do not check that the broker's certificate matches --host (testing only).")
    var tlsInsecure = false

    // MARK: PostgreSQL

    @Option(
        help: ArgumentHelp(
            "libpq connection string or postgres:// URI. Default: the environment variable PG_DSN.",
            valueName: "conninfo"))
    var dsn: String?

    // MARK: Behaviour

    @Option(help: "Log level: trace, debug, info (default), notice, warning, error or critical.")
    var logLevel: String?

    @Option(
        help: "A burst ends after this many milliseconds without a message, 1-10000 (default: 200).")
    var burstWindowMs: Int?

    @Option(help: "The most messages written in one transaction, 1-100000 (default: 2000).")
    var maxBurst: Int?

    @Option(
        help:
            "The most messages kept in memory while PostgreSQL is unavailable, 100-10000000 (default: 200000)."
    )
    var maxQueue: Int?

    @Option(
        help:
            "Delete broker_metrics, events, closed sessions and inactive subscriptions older than this many days, at start and every --maintenance-interval; 0-36500, 0 keeps everything (default: 0)."
    )
    var retentionDays: Int?

    @Option(
        help: "Delete broker_metrics_rollup buckets older than this many days; 0-36500, 0 keeps them (default: 0).")
    var rollupRetentionDays: Int?

    @Option(help: "Seconds between maintenance (retention) runs, 1-86400 (default: 3600); the first runs at start.")
    var maintenanceInterval: Int?

    @Option(
        help: ArgumentHelp(
            "Serve Prometheus /metrics, /healthz and /readyz on HOST:PORT, e.g. 127.0.0.1:9234 (default: off; overrides metrics_listen of --config).",
            valueName: "host:port"))
    var metricsListen: String?

    // MARK: Dashboard

    @Option(
        help: ArgumentHelp(
            "Serve the web dashboard and its JSON API on HOST:PORT, e.g. 127.0.0.1:9235 (default: off). Without broker options (--host, --port, ...) only the dashboard runs.",
            valueName: "host:port"))
    var uiListen: String?

    @Option(
        help: ArgumentHelp(
            "A file holding the token every dashboard page and API call must carry (Authorization: Bearer <token>, or the login form's cookie).",
            valueName: "path"))
    var uiTokenFile: String?

    @Option(
        help: ArgumentHelp(
            "The database the dashboard and the presence gauges read (e.g. a hot standby). Default: the --dsn database.",
            valueName: "conninfo"))
    var uiDSN: String?

    // MARK: - Validation

    private static var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// The command line's options named the way messages name them (`port` → `--port`).
    private static func optionName(_ field: String) -> String {
        switch field {
        case "name": "--broker-name"
        case "password": "--password (or SYS_INGESTER_PASSWORD)"
        case "tls.insecure": "--tls-insecure"
        default:
            "--"
                + field.replacingOccurrences(of: "tls.", with: "").replacingOccurrences(of: "_", with: "-")
        }
    }

    /// The options that only the single-broker command line takes (a `--config` file holds them).
    private var singleBrokerOptions: [String] {
        let given: [(String, Bool)] = [
            ("--host", host != nil), ("--port", port != nil), ("--username", username != nil),
            ("--password", password != nil), ("--client-id", clientID != nil),
            ("--broker-name", brokerName != nil),
            ("--protocol", protocolVersion != nil), ("--keepalive", keepalive != nil),
            ("--cafile", cafile != nil),
            ("--capath", capath != nil), ("--cert", cert != nil), ("--key", key != nil),
            ("--tls-insecure", tlsInsecure), ("--dsn", dsn != nil),
            ("--burst-window-ms", burstWindowMs != nil),
            ("--max-burst", maxBurst != nil), ("--max-queue", maxQueue != nil),
            ("--retention-days", retentionDays != nil), ("--rollup-retention-days", rollupRetentionDays != nil),
            ("--maintenance-interval", maintenanceInterval != nil), ("--ui-listen", uiListen != nil),
            ("--ui-token-file", uiTokenFile != nil), ("--ui-dsn", uiDSN != nil),
        ]
        return given.filter(\.1).map(\.0)
    }

    /// Whether any option names a broker; without one, `--ui-listen` runs the dashboard alone.
    private var namesABroker: Bool {
        host != nil || port != nil || username != nil || password != nil || clientID != nil || brokerName != nil
            || protocolVersion != nil || keepalive != nil || cafile != nil || capath != nil || cert != nil
            || key != nil || tlsInsecure
    }

    /// The command line as a one-broker configuration, checked by the same rules as a file.
    private func commandLineSettings() throws(ConfigError) -> IngesterSettings {
        let validator = SettingsValidator(naming: Self.optionName, environment: Self.environment)
        let environmentPassword = Self.environment["SYS_INGESTER_PASSWORD"].flatMap {
            $0.isEmpty ? nil : $0
        }
        let entry = BrokerEntry(
            name: brokerName, host: host, port: port, protocol: protocolVersion, keepalive: keepalive,
            clientID: clientID, username: username,
            tls: TLSEntry(cafile: cafile, capath: capath, cert: cert, key: key, insecure: tlsInsecure))
        let broker = try validator.broker(
            entry,
            password: (password ?? environmentPassword).map { .init(value: $0, field: "password") },
            defaultHost: "127.0.0.1", defaultName: "\(host ?? "127.0.0.1"):\(port ?? 1883)",
            database: try validator.database(inline: dsn, variable: nil, file: nil))
        let dsn = try validator.database(inline: dsn, variable: nil, file: nil)
        let ui = try validator.dashboard(listen: uiListen, tokenFile: uiTokenFile, dsn: uiDSN)
        let level = try validator.logLevel(logLevel)
        let batching = try validator.batching(
            burstWindowMs: burstWindowMs, maxBurst: maxBurst, maxQueue: maxQueue)
        let retention = try validator.retention(
            retentionDays: retentionDays, rollupRetentionDays: rollupRetentionDays,
            maintenanceInterval: maintenanceInterval)
        return IngesterSettings(
            brokers: ui != nil && !namesABroker ? [] : [broker], dsn: dsn, logLevel: level, burstWindowMs: batching.burstWindowMs,
            maxBurst: batching.maxBurst, maxQueue: batching.maxQueue,
            metricsListen: try validator.listenAddress(metricsListen), retentionDays: retention.retentionDays,
            rollupRetentionDays: retention.rollupRetentionDays,
            maintenanceIntervalSeconds: retention.maintenanceIntervalSeconds, ui: ui)
    }

    func validate() throws {
        guard config != nil else {
            do {
                _ = try commandLineSettings()
            } catch {
                throw ValidationError(error.description)
            }
            return
        }
        if let metricsListen {
            do {
                _ = try ListenAddress.parse(metricsListen)
            } catch {
                throw ValidationError(error.description)
            }
        }
        if let option = singleBrokerOptions.first {
            throw ValidationError(
                "--config cannot be combined with \(option): the file holds the brokers and settings.")
        }
        if let logLevel, !IngesterSettings.logLevels.contains(logLevel) {
            throw ValidationError(
                "--log-level must be trace, debug, info, notice, warning, error or critical, not '\(logLevel)'."
            )
        }
    }

    /// The settings from `--config` or the command line; a bad file ends the process with status
    /// 64 and one line naming the entry and the field, before anything connects.
    private func loadSettings() throws -> IngesterSettings {
        guard let config else {
            do {
                return try commandLineSettings()
            } catch {
                throw ValidationError(error.description)
            }
        }
        do {
            return try ConfigFile.load(path: config, environment: Self.environment)
        } catch {
            FileHandle.standardError.write(Data("Error: \(config): \(error)\n".utf8))
            throw ExitCode.validationFailure
        }
    }

    // MARK: - Running

    func run() throws {
        let settings = try loadSettings()
        let level = Logger.Level(rawValue: logLevel ?? settings.logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "sys-ingester")
        for warning in settings.warnings { logger.warning("\(warning)") }

        let queue = IngestQueue(limit: settings.maxQueue)
        let interrupt: PostgresInterrupt
        do {
            interrupt = try PostgresInterrupt()
        } catch {
            logger.critical("Cannot set up the stop signal.", metadata: ["pg.error": "\(error)"])
            throw ExitCode.failure
        }
        // Signalled at SIGINT/SIGTERM; only the dashboard-alone mode waits on it (the ingest loop
        // learns of the stop through the queue). The handlers are installed once: installing them
        // again would reset the signal disposition libdispatch set and lose the signal.
        let stopRequested = DispatchSemaphore(value: 0)
        let signals = Self.installSignalHandlers(queue: queue, interrupt: interrupt, logger: logger) {
            stopRequested.signal()
        }
        defer { signals.forEach { $0.cancel() } }

        logger.info(
            "Starting.",
            metadata: [
                "sys.brokers": "\(settings.brokers.map(\.name).joined(separator: ","))",
                "pg.target": "\(ConnectionString.redacted(settings.dsn))",
            ])
        let metrics = IngesterMetrics(brokers: settings.brokers.map(\.name))
        let observer = MetricsObserver(metrics: metrics)
        let listen = try metricsListen.map { text throws -> ListenAddress in
            guard let address = ListenAddress(text) else { throw ValidationError("--metrics-listen '\(text)' is not HOST:PORT.") }
            return address
        } ?? settings.metricsListen
        // With only the dashboard there is no writer whose connection /readyz could report.
        // The dashboard and the presence gauges of /metrics read through connections of their own
        // (read-only, --ui-dsn when given), never the writer's.
        let readDSN = settings.ui?.dsn ?? settings.dsn
        var reads: ReadOnlyDatabase?
        if settings.ui != nil || listen != nil {
            var uiLogger = logger
            uiLogger[metadataKey: "ui"] = "dashboard"
            do {
                reads = try ReadOnlyDatabase(dsn: readDSN, logger: uiLogger)
            } catch {
                logger.critical("Cannot start the dashboard's database threads.", metadata: ["ui.error": "\(error)"])
                throw ExitCode.failure
            }
        }
        defer { reads?.stop() }
        let gauges = listen == nil ? nil : reads.map { PresenceGauges(store: DashboardStore(database: $0)) }
        gauges?.start(logger: logger)
        defer { gauges?.stop() }
        let alwaysReady: MetricsEndpoints.Readiness = { (ready: true, reason: "ready") }
        let endpoints = MetricsEndpoints(
            metrics: metrics, readiness: settings.brokers.isEmpty ? alwaysReady : nil,
            more: { gauges?.exposition() ?? "" })
        // The dashboard may share the metrics port: then its server answers /metrics, /healthz, /readyz too.
        let sharesPort = listen != nil && settings.ui?.listen == listen
        var server: MetricsServer?
        if let listen, !sharesPort {
            do {
                server = try MetricsServer.start(at: listen, endpoints: endpoints)
                logger.info("Serving /metrics, /healthz and /readyz.", metadata: ["http.listen": "\(listen)"])
            } catch {
                logger.critical("Cannot serve metrics.", metadata: ["http.listen": "\(listen)", "http.error": "\(error)"])
                throw ExitCode.failure
            }
        }
        defer { server?.stop() }
        var dashboard: DashboardServer?
        if let ui = settings.ui, let reads {
            dashboard = try Self.startDashboard(
                ui, store: DashboardStore(database: reads), dsn: readDSN, endpoints: sharesPort ? endpoints : nil,
                logger: logger)
        }
        defer { dashboard?.stop() }
        guard !settings.brokers.isEmpty else {
            // The dashboard alone: serve until SIGINT or SIGTERM.
            stopRequested.wait()
            logger.info("Stopped.")
            return
        }
        var clients: [MosquittoClient] = []
        for (index, broker) in settings.brokers.enumerated() {
            do {
                clients.append(
                    try MosquittoClient(
                        settings: broker, index: index, queue: queue, logger: logger, observer: observer))
            } catch {
                logger.critical(
                    "Cannot set up the MQTT client.",
                    metadata: ["sys.broker": "\(broker.name)", "mqtt.error": "\(error)"])
                throw ExitCode.failure
            }
        }
        for client in clients { client.start() }
        let waker = BrokerWaker(clients: clients)
        waker.start()
        let maintainer = RetentionMaintainer(settings: settings, interrupt: interrupt, logger: logger)
        maintainer.start()
        defer { maintainer.stop() }
        var loop = IngestLoop(
            queue: queue,
            writer: PostgresWriter(dsn: settings.dsn, logger: logger, interrupt: interrupt),
            brokers: settings.brokers.map(\.name), clientIDs: settings.brokers.map(\.clientID), logger: logger,
            observer: observer,
            window: Double(settings.burstWindowMs) / 1000, maximumBurst: settings.maxBurst)
        loop.run()
        waker.stop()
        // Every client disconnects at once; then each gets what is left of the same 3 s.
        for client in clients { client.beginStop() }
        let deadline = DispatchTime.now() + 3
        for client in clients { client.waitUntilStopped(deadline: deadline) }
        logger.info("Stopped.")
    }

    /// Starts the dashboard's server or ends the process with status 1.
    private static func startDashboard(
        _ ui: DashboardSettings, store: DashboardStore, dsn: String, endpoints: MetricsEndpoints?, logger: Logger
    ) throws -> DashboardServer {
        var uiLogger = logger
        uiLogger[metadataKey: "ui"] = "dashboard"
        var shared: DashboardServer.SharedEndpoints?
        if let endpoints {
            shared = { (path: String) -> (status: Int, contentType: String, body: String)? in
                let answer = endpoints.respond(method: "GET", uri: path)
                return answer.status == 404 ? nil : (status: answer.status, contentType: answer.contentType, body: answer.body)
            }
        }
        do {
            let server = try DashboardServer.start(at: ui.listen, store: store, token: ui.token, shared: shared, logger: uiLogger)
            logger.info(
                "Serving the dashboard.",
                metadata: [
                    "http.listen": "\(server.address)", "ui.url": "http://\(server.address)/",
                    "ui.token": "\(ui.tokenFile.map { "required (\($0))" } ?? "none")",
                    "ui.metrics": "\(endpoints == nil ? "no" : "shared")",
                    "pg.target": "\(ConnectionString.redacted(dsn))",
                ])
            return server
        } catch {
            logger.critical("Cannot serve the dashboard.", metadata: ["http.listen": "\(ui.listen)", "http.error": "\(error)"])
            throw ExitCode.failure
        }
    }

    /// SIGINT and SIGTERM ask the loop to stop; the default action (killing the process
    /// mid-transaction) is disabled. PostgreSQL gets `IngestLoop.stopFlushLimit` to finish;
    /// then any wait for it is abandoned, so a silent database cannot hold the stop.
    private static func installSignalHandlers(
        queue: IngestQueue, interrupt: PostgresInterrupt, logger: Logger, onStop: @escaping @Sendable () -> Void = {}
    ) -> [any DispatchSourceSignal] {
        [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                logger.info("Stop requested; finishing the current transaction.", metadata: ["signal": "\(number)"])
                queue.requestStop()
                onStop()
                DispatchQueue.global().asyncAfter(deadline: .now() + IngestLoop.stopFlushLimit) { interrupt.trigger() }
            }
            source.resume()
            return source
        }
    }
}
