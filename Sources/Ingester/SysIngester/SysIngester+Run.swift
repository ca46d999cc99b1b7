import ArgumentParser
import Dashboard
import Foundation
import IngestCore
import IngesterConfig
import IngesterMetrics
import Logging
import Storage

// The run: logging, the HTTP side (metrics, dashboard), the broker connections, retention and the
// ingest loop, and a graceful stop on SIGINT or SIGTERM.
extension SysIngester {
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
        var uiLogger = logger
        uiLogger[metadataKey: "ui"] = "dashboard"
        var reads: ReadOnlyDatabase?
        if settings.ui != nil || listen != nil {
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
                logger: logger, uiLogger: uiLogger)
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
        _ ui: DashboardSettings, store: DashboardStore, dsn: String, endpoints: MetricsEndpoints?, logger: Logger,
        uiLogger: Logger
    ) throws -> DashboardServer {
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
