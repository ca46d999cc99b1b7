import Foundation
import Hummingbird
import IngesterConfig
import Logging
import NIOCore
import ServiceLifecycle

/// The dashboard's HTTP server: a Hummingbird application (on swift-nio's event loops) run as a
/// service of the ingester's `ServiceGroup`. Routes: docs/dashboard.md.
///
/// `run()` binds the address, serves until the graceful shutdown, then stops accepting and lets
/// the requests in flight finish (cut off after 5 s). Services that must not run when the
/// dashboard cannot listen wait for it with `listening()` (`AfterListeningService`).
package final class DashboardServer: Service, Sendable, CustomStringConvertible {
    /// What `/metrics`, `/healthz` and `/readyz` answer when they share the dashboard's port (the
    /// ingester's `MetricsEndpoints`): status, content type and body, or nil for another path.
    package typealias SharedEndpoints = @Sendable (_ path: String) -> (status: Int, contentType: String, body: String)?

    package struct StartError: Error, CustomStringConvertible {
        package let description: String
    }

    /// Where it was asked to listen; port 0 lets the system choose (`listening()` tells which).
    package let address: ListenAddress
    package var description: String { "dashboard" }
    private let application: any Service
    private let started: StartSignal
    private let logger: Logger

    /// The longest the bind may take, and the longest the requests in flight may take once the
    /// graceful shutdown has begun.
    private static let startLimit: Duration = .seconds(15)
    private static let stopLimit: Duration = .seconds(5)

    /// How a task of `run()` ended.
    private enum Ended: Sendable {
        case application, watchEnded, stopLimit
    }

    /// A server that does nothing until `run()`.
    /// - Parameters:
    ///   - token: when set, every page and API call needs it (`TokenCheck`).
    ///   - shared: the metrics endpoints to serve on this port too (nil: not here).
    ///   - onListening: called with the bound address once it listens, before `listening()` returns.
    package init(
        at address: ListenAddress, store: DashboardStore, token: String?, shared: SharedEndpoints?, logger: Logger,
        onListening: @escaping @Sendable (ListenAddress) -> Void = { _ in }
    ) {
        let routes = DashboardRoutes(store: store, tokenCheck: token.map(TokenCheck.init), shared: shared, logger: logger)
        let started = StartSignal()
        var serverLogger = logger
        // Hummingbird logs at info when it starts; requests are not logged, so no header (and no
        // token) ever reaches the log.
        serverLogger.logLevel = max(logger.logLevel, .notice)
        self.address = address
        self.started = started
        self.logger = logger
        self.application = Application(
            router: routes.router(),
            configuration: ApplicationConfiguration(
                address: .hostname(address.host, port: address.port), serverName: nil),
            onServerRunning: { channel in
                let bound = ListenAddress(host: address.host, port: channel.localAddress?.port ?? address.port)
                onListening(bound)
                started.finish(.success(bound))
            },
            logger: serverLogger)
    }

    /// The address it listens on, once `run()` has bound it.
    /// - Throws: `StartError` naming the address when it could not bind (port taken, unknown
    ///   host, not listening after 15 s), or when the waiting task is cancelled first.
    package func listening() async throws(StartError) -> ListenAddress {
        try await started.wait(ifCancelled: StartError(description: "Cancelled before the dashboard listened on \(address)"))
            .get()
    }

    /// Binds, serves until the graceful shutdown (or a cancellation), then lets the requests in
    /// flight finish for at most 5 s.
    /// - Throws: `StartError` naming the address when it cannot bind.
    package func run() async throws {
        let application = self.application
        let started = self.started
        let address = self.address
        let logger = self.logger
        defer { started.finish(.failure(StartError(description: "The dashboard stopped before it listened on \(address)"))) }
        do {
            try await withThrowingTaskGroup(of: Ended.self) { group in
                // The graceful shutdown reaches the application through the task-local that child
                // tasks inherit.
                group.addTask {
                    try await application.run()
                    return .application
                }
                group.addTask {
                    do { try await Task.sleep(for: Self.startLimit) } catch { return .watchEnded }
                    if !started.hasEnded {
                        throw StartError(description: "Cannot serve the dashboard on \(address): not listening after 15 s")
                    }
                    return .watchEnded
                }
                group.addTask {
                    do {
                        try await gracefulShutdown()
                        try await Task.sleep(for: Self.stopLimit)
                    } catch {
                        return .watchEnded
                    }
                    logger.notice("The dashboard's requests in flight did not end within 5 s; they are cut off.")
                    return .stopLimit
                }
                // Until the application ends (stopped, or it failed), the start limit fails it, or
                // the stop limit cuts it off.
                while let ended = try await group.next(), ended == .watchEnded {}
                group.cancelAll()
            }
        } catch let error as StartError {
            started.finish(.failure(error))
            throw error
        } catch where !started.hasEnded {
            let failure = StartError(description: "Cannot serve the dashboard on \(address): \(error)")
            started.finish(.failure(failure))
            throw failure
        }
    }
}
