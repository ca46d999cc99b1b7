import ArgumentParser
import Foundation
import Logging
import Storage
import SysIngest

/// `sys-ingester`: subscribes to a mosquitto broker's `$SYS/broker/#` and writes its metrics and
/// log lines into the WatchMQTT tables (seed 001).
@main
struct SysIngester: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sys-ingester",
        abstract: "Record a mosquitto broker's $SYS metrics and log lines in PostgreSQL.",
        discussion: """
            Subscribes to $SYS/broker/# on one mosquitto broker (2.0 or 2.1) and fills the tables \
            broker_metrics, events, clients, sessions and subscriptions (schema/010_sys_ingester.sql, \
            created at start when missing, with the views of schema/020_views.sql).

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

            Reconnects to the broker and to PostgreSQL by itself. SIGINT or SIGTERM stops it after \
            the current transaction. Exit status: 0 after a stop, 64 for a bad command line, 1 \
            when the broker connection cannot be set up.

            Example (password and database from the environment):
              export PG_DSN='host=127.0.0.1 dbname=mqtt user=ingest'
              export SYS_INGESTER_PASSWORD=secret
              sys-ingester --host broker.local --username watcher --broker-name prod-1
            """)

    // MARK: Broker

    @Option(help: "Broker host name or address.")
    var host = "127.0.0.1"

    @Option(help: "Broker port (1-65535).")
    var port = 1883

    @Option(help: "MQTT username for the broker.")
    var username: String?

    @Option(
        help: ArgumentHelp(
            "MQTT password. Better: the environment variable SYS_INGESTER_PASSWORD (options show in ps).",
            valueName: "password"))
    var password: String?

    @Option(help: "MQTT client id (default: sys-ingester-<process id>). Must be unique on the broker.")
    var clientID: String?

    @Option(help: "The value of the broker column (default: host:port).")
    var brokerName: String?

    @Option(
        name: .customLong("protocol"),
        help: ArgumentHelp("MQTT protocol version: mqttv31, mqttv311 or mqttv5.", valueName: "version"))
    var protocolVersion = "mqttv311"

    @Option(help: "MQTT keepalive in seconds (5-65535).")
    var keepalive = 60

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

    @Option(help: "Log level: trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"

    @Option(help: "A burst ends after this many milliseconds without a message (1-10000).")
    var burstWindowMs = 200

    @Option(help: "The most messages written in one transaction (1-100000).")
    var maxBurst = 2000

    @Option(help: "The most messages kept in memory while PostgreSQL is unavailable (100-10000000).")
    var maxQueue = 200_000

    // MARK: - Validation

    /// The password from the option or, failing that, the environment.
    private var effectivePassword: String? {
        password ?? ProcessInfo.processInfo.environment["SYS_INGESTER_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
    }

    private var effectiveDSN: String? {
        dsn ?? ProcessInfo.processInfo.environment["PG_DSN"].flatMap { $0.isEmpty ? nil : $0 }
    }

    func validate() throws {
        guard !host.isEmpty else { throw ValidationError("--host must not be empty.") }
        guard (1...65535).contains(port) else {
            throw ValidationError("--port must be between 1 and 65535, not \(port).")
        }
        guard (5...65535).contains(keepalive) else {
            throw ValidationError("--keepalive must be between 5 and 65535 seconds, not \(keepalive).")
        }
        guard let version = BrokerSettings.ProtocolVersion(rawValue: protocolVersion) else {
            throw ValidationError("--protocol must be mqttv31, mqttv311 or mqttv5, not '\(protocolVersion)'.")
        }
        if let clientID {
            guard !clientID.isEmpty else { throw ValidationError("--client-id must not be empty.") }
            guard clientID.utf8.count <= 65535 else { throw ValidationError("--client-id is longer than 65535 bytes.") }
            if version == .mqttv31 && clientID.utf8.count > 23 {
                throw ValidationError("--client-id must be at most 23 bytes with --protocol mqttv31.")
            }
        }
        if let brokerName, brokerName.isEmpty { throw ValidationError("--broker-name must not be empty.") }
        if effectivePassword != nil && username == nil {
            throw ValidationError("A password (--password or SYS_INGESTER_PASSWORD) needs --username.")
        }
        guard let dsn = effectiveDSN else {
            throw ValidationError("No database: pass --dsn or set the environment variable PG_DSN.")
        }
        do {
            try ConnectionString.validate(dsn)
        } catch {
            throw ValidationError("--dsn / PG_DSN is not a valid connection string: \(error.message)")
        }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError(
                "--log-level must be trace, debug, info, notice, warning, error or critical, not '\(logLevel)'.")
        }
        guard (1...10000).contains(burstWindowMs) else { throw ValidationError("--burst-window-ms must be 1-10000.") }
        guard (1...100_000).contains(maxBurst) else { throw ValidationError("--max-burst must be 1-100000.") }
        guard (100...10_000_000).contains(maxQueue) else { throw ValidationError("--max-queue must be 100-10000000.") }
        try validateTLS()
    }

    private func validateTLS() throws {
        let manager = FileManager.default
        for (option, path) in [("--cafile", cafile), ("--cert", cert), ("--key", key)] {
            guard let path else { continue }
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                manager.isReadableFile(atPath: path)
            else { throw ValidationError("\(option) \(path): no readable file there.") }
        }
        if let capath {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: capath, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ValidationError("--capath \(capath): not a directory.")
            }
        }
        if (cert == nil) != (key == nil) { throw ValidationError("--cert and --key must be given together.") }
        if cafile == nil && capath == nil && (cert != nil || tlsInsecure) {
            throw ValidationError("--cert, --key and --tls-insecure need --cafile or --capath (TLS).")
        }
    }

    // MARK: - Running

    func run() throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "sys-ingester")
        let broker = brokerName ?? "\(host):\(port)"
        let tls: BrokerSettings.TLS? =
            cafile == nil && capath == nil
            ? nil : .init(caFile: cafile, caPath: capath, certFile: cert, keyFile: key, insecure: tlsInsecure)
        let settings = BrokerSettings(
            host: host, port: port, clientID: clientID ?? "sys-ingester-\(getpid())", username: username,
            password: effectivePassword,
            protocolVersion: BrokerSettings.ProtocolVersion(rawValue: protocolVersion) ?? .mqttv311,
            keepalive: keepalive, tls: tls)
        guard let dsn = effectiveDSN else { throw ValidationError("No database: pass --dsn or set PG_DSN.") }

        let queue = IngestQueue(limit: maxQueue)
        let interrupt: PostgresInterrupt
        do {
            interrupt = try PostgresInterrupt()
        } catch {
            logger.critical("Cannot set up the stop signal.", metadata: ["pg.error": "\(error)"])
            throw ExitCode.failure
        }
        let signals = Self.installSignalHandlers(queue: queue, interrupt: interrupt, logger: logger)
        defer { signals.forEach { $0.cancel() } }

        logger.info(
            "Starting.",
            metadata: [
                "sys.broker": "\(broker)", "pg.target": "\(ConnectionString.redacted(dsn))",
                "mqtt.client_id": "\(settings.clientID)",
            ])
        let client: MosquittoClient
        do {
            client = try MosquittoClient(settings: settings, queue: queue, logger: logger)
        } catch {
            logger.critical("Cannot set up the MQTT client.", metadata: ["mqtt.error": "\(error)"])
            throw ExitCode.failure
        }
        client.start()
        var loop = IngestLoop(
            queue: queue, writer: PostgresWriter(dsn: dsn, broker: broker, logger: logger, interrupt: interrupt),
            logger: logger,
            window: Double(burstWindowMs) / 1000, maximumBurst: maxBurst)
        loop.run()
        client.stop()
        logger.info("Stopped.")
    }

    /// SIGINT and SIGTERM ask the loop to stop; the default action (killing the process
    /// mid-transaction) is disabled. PostgreSQL gets `IngestLoop.stopFlushLimit` to finish;
    /// then any wait for it is abandoned, so a silent database cannot hold the stop.
    private static func installSignalHandlers(queue: IngestQueue, interrupt: PostgresInterrupt, logger: Logger)
        -> [any DispatchSourceSignal]
    {
        [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                logger.info("Stop requested; finishing the current transaction.", metadata: ["signal": "\(number)"])
                queue.requestStop()
                DispatchQueue.global().asyncAfter(deadline: .now() + IngestLoop.stopFlushLimit) { interrupt.trigger() }
            }
            source.resume()
            return source
        }
    }
}
