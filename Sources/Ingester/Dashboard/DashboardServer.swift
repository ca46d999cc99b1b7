import Foundation
import Hummingbird
import IngesterConfig
import Locking
import Logging
import NIOCore
import ServiceLifecycle

/// The dashboard's HTTP server: Hummingbird on its own event loop group, started and stopped by
/// the (thread-based) ingester. Routes: docs/dashboard.md.
package final class DashboardServer: Sendable {
    /// What `/metrics`, `/healthz` and `/readyz` answer when they share the dashboard's port (the
    /// ingester's `MetricsEndpoints`): status, content type and body, or nil for another path.
    package typealias SharedEndpoints = @Sendable (_ path: String) -> (status: Int, contentType: String, body: String)?

    package struct StartError: Error, CustomStringConvertible {
        package let description: String
    }

    /// Where it listens; with port 0 asked for, the port the system chose.
    package let address: ListenAddress
    private let group: ServiceGroup
    private let finished: ConditionLocked<Bool>

    private init(address: ListenAddress, group: ServiceGroup, finished: ConditionLocked<Bool>) {
        self.address = address
        self.group = group
        self.finished = finished
    }

    /// Binds and starts serving; returns once the socket listens.
    /// - Parameters:
    ///   - token: when set, every page and API call needs it (`TokenCheck`).
    ///   - shared: the metrics endpoints to serve on this port too (nil: not here).
    /// - Throws: `StartError` naming the address (port taken, unknown host).
    package static func start(
        at address: ListenAddress, store: DashboardStore, token: String?, shared: SharedEndpoints?, logger: Logger
    ) throws(StartError) -> DashboardServer {
        let routes = DashboardRoutes(store: store, tokenCheck: token.map(TokenCheck.init), shared: shared, logger: logger)
        let started = ConditionLocked<Result<Int, StartError>?>(nil)
        let finished = ConditionLocked(false)
        var serverLogger = logger
        // Hummingbird logs at info when it starts; requests are not logged, so no header (and no
        // token) ever reaches the log.
        serverLogger.logLevel = max(logger.logLevel, .notice)
        let application = Application(
            router: routes.router(),
            configuration: ApplicationConfiguration(
                address: .hostname(address.host, port: address.port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? address.port
                started.withLock { $0 = .success(port) }
                started.broadcast()
            },
            logger: serverLogger)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: [application], gracefulShutdownSignals: [], logger: serverLogger))
        Task.detached {
            do {
                try await group.run()
            } catch {
                started.withLock { state in
                    if state == nil { state = .failure(StartError(description: "Cannot serve the dashboard on \(address): \(error)")) }
                }
                started.broadcast()
            }
            finished.withLock { $0 = true }
            finished.broadcast()
        }
        let deadline = Clocks.monotonicDeadline(afterSeconds: 15)
        let outcome = started.withLock(when: { $0 != nil }, untilNanoseconds: deadline) { state, _ in state }
        switch outcome {
        case .success(let port)?:
            return DashboardServer(address: ListenAddress(host: address.host, port: port), group: group, finished: finished)
        case .failure(let error)?:
            throw error
        case nil:
            throw StartError(description: "Cannot serve the dashboard on \(address): not listening after 15 s")
        }
    }

    /// Stops accepting, lets requests in flight finish, and waits (at most 5 s) until it has stopped.
    package func stop() {
        let group = self.group
        Task.detached { await group.triggerGracefulShutdown() }
        finished.withLock(when: { $0 }, untilNanoseconds: Clocks.monotonicDeadline(afterSeconds: 5)) { _, _ in }
    }
}
