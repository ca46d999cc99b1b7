import ArgumentParser
import Dashboard
import Foundation
import IngestCore
import IngesterConfig
import IngesterMetrics
import IngesterRuntime
import Logging
import ServiceLifecycle
import Storage

// The wiring: logging, the HTTP side (the dashboard's read-only database threads, the presence
// gauges' polling, the metrics server, the dashboard), the broker sessions, retention and the
// ingest loop, each a service of one ServiceGroup, which stops them in reverse order on SIGINT or
// SIGTERM: first the ingest loop (the current transaction ends, the queue is flushed within
// IngestLoop.stopFlushLimit), then the brokers, retention, and last the HTTP side. The services
// after the dashboard run only once it listens.
extension SysIngester {
    func run() async throws {
        let settings = try loadSettings()
        let level = Logger.Level(rawValue: logLevel ?? settings.logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "sys-ingester")
        for warning in settings.warnings { logger.warning("\(warning)") }

        // SIGINT and SIGTERM must not end the process mid-transaction: their default action is
        // disabled here, at once, and the service group hears them (its signal sources; Dispatch
        // on Linux needs the disposition set aside, which it does not do itself, unlike on Darwin).
        for number in [SIGINT, SIGTERM] { signal(number, SIG_IGN) }
        let queue = IngestQueue(limit: settings.maxQueue)
        let interrupt: PostgresInterrupt
        do {
            interrupt = try PostgresInterrupt()
        } catch {
            logger.critical("Cannot set up the stop signal.", metadata: ["pg.error": "\(error)"])
            throw ExitCode.failure
        }

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
        let reads: ReadOnlyDatabase?
        if settings.ui != nil || listen != nil {
            do {
                reads = try ReadOnlyDatabase(dsn: readDSN, logger: uiLogger)
            } catch {
                logger.critical("Cannot start the dashboard's database threads.", metadata: ["ui.error": "\(error)"])
                throw ExitCode.failure
            }
        } else {
            reads = nil
        }
        // Each long-running part is a service; the group stops them in reverse order of this list.
        var services: [any Service] = []
        if let reads {
            services.append(StopAtShutdownService("dashboard database threads") { reads.stop() })
        }
        let gauges = listen == nil ? nil : reads.map { PresenceGauges(store: DashboardStore(database: $0), logger: logger) }
        if let gauges { services.append(gauges) }
        let alwaysReady: MetricsEndpoints.Readiness = { (ready: true, reason: "ready") }
        let endpoints = MetricsEndpoints(
            metrics: metrics, readiness: settings.brokers.isEmpty ? alwaysReady : nil,
            more: { gauges?.exposition() ?? "" })
        // The dashboard may share the metrics port: then its server answers /metrics, /healthz, /readyz too.
        let sharesPort = listen != nil && settings.ui?.listen == listen
        if let listen, !sharesPort {
            do {
                let server = try await MetricsServer.start(at: listen, endpoints: endpoints)
                services.append(StopAtShutdownService("metrics server") { await server.stop() })
                logger.info("Serving /metrics, /healthz and /readyz.", metadata: ["http.listen": "\(listen)"])
            } catch {
                logger.critical("Cannot serve metrics.", metadata: ["http.listen": "\(listen)", "http.error": "\(error)"])
                throw ExitCode.failure
            }
        }
        var dashboard: DashboardServer?
        if let ui = settings.ui, let reads {
            let server = Self.dashboard(
                ui, store: DashboardStore(database: reads), dsn: readDSN, endpoints: sharesPort ? endpoints : nil,
                logger: logger, uiLogger: uiLogger)
            services.append(server)
            dashboard = server
        }
        var rest: [any Service]
        if settings.brokers.isEmpty {
            // The dashboard alone: it serves until SIGINT or SIGTERM, which get the same line as
            // with brokers (there, IngestService writes it).
            rest = [
                StopAtShutdownService("stop request") {
                    logger.info("Stop requested; finishing the current transaction.")
                }
            ]
        } else {
            rest = try Self.ingestServices(
                settings, queue: queue, interrupt: interrupt, observer: observer, logger: logger)
        }
        // What follows the dashboard runs only once it listens: a dashboard address that cannot be
        // bound ends the program before any broker connects.
        if let dashboard { rest = rest.map { AfterListeningService($0, server: dashboard) } }
        services += rest
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch let error as DashboardServer.StartError {
            logger.critical(
                "Cannot serve the dashboard.",
                metadata: ["http.listen": "\(settings.ui?.listen.description ?? "")", "http.error": "\(error)"])
            throw ExitCode.failure
        } catch {
            logger.critical("A part of the ingester failed.", metadata: ["sys.error": "\(error)"])
            throw ExitCode.failure
        }
        logger.info("Stopped.")
    }

    /// The broker sessions (one libmosquitto client each), retention and the ingest loop, in the
    /// order the service group needs: the loop last, so it is the first to stop.
    private static func ingestServices(
        _ settings: IngesterSettings, queue: IngestQueue, interrupt: PostgresInterrupt, observer: MetricsObserver,
        logger: Logger
    ) throws -> [any Service] {
        var sessions: [BrokerSession] = []
        for (index, broker) in settings.brokers.enumerated() {
            do {
                sessions.append(
                    BrokerSession(
                        settings: broker, index: index, queue: queue, logger: logger, observer: observer,
                        connection: try MosquittoClient(settings: broker)))
            } catch {
                logger.critical(
                    "Cannot set up the MQTT client.",
                    metadata: ["sys.broker": "\(broker.name)", "mqtt.error": "\(error)"])
                throw ExitCode.failure
            }
        }
        let maintainer = RetentionMaintainer(settings: settings, interrupt: interrupt, logger: logger)
        let ingest = IngestService(queue: queue, interrupt: interrupt, logger: logger) {
            IngestLoop(
                queue: queue,
                writer: PostgresWriter(dsn: settings.dsn, logger: logger, interrupt: interrupt),
                brokers: settings.brokers.map(\.name), clientIDs: settings.brokers.map(\.clientID), logger: logger,
                observer: observer,
                window: .milliseconds(settings.burstWindowMs), maximumBurst: settings.maxBurst)
        }
        return [RetentionService(maintainer: maintainer), BrokerService(sessions: sessions), ingest]
    }

    /// The dashboard's server, which logs where it serves once it listens.
    private static func dashboard(
        _ ui: DashboardSettings, store: DashboardStore, dsn: String, endpoints: MetricsEndpoints?, logger: Logger,
        uiLogger: Logger
    ) -> DashboardServer {
        var shared: DashboardServer.SharedEndpoints?
        if let endpoints {
            shared = { (path: String) -> (status: Int, contentType: String, body: String)? in
                let answer = endpoints.respond(method: "GET", uri: path)
                return answer.status == 404 ? nil : (status: answer.status, contentType: answer.contentType, body: answer.body)
            }
        }
        let token = ui.tokenFile.map { "required (\($0))" } ?? "none"
        let metrics = endpoints == nil ? "no" : "shared"
        return DashboardServer(at: ui.listen, store: store, token: ui.token, shared: shared, logger: uiLogger) { address in
            logger.info(
                "Serving the dashboard.",
                metadata: [
                    "http.listen": "\(address)", "ui.url": "http://\(address)/", "ui.token": "\(token)",
                    "ui.metrics": "\(metrics)", "pg.target": "\(ConnectionString.redacted(dsn))",
                ])
        }
    }
}
