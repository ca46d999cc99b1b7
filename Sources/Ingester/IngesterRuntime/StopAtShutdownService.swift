import ServiceLifecycle

/// Something that already runs on threads of its own (an HTTP server on its event loop, the
/// dashboard's database threads) as a service: `run()` waits for the graceful shutdown (or a
/// cancellation) and then calls `stop`, so the `ServiceGroup` stops it in its turn.
package struct StopAtShutdownService: Service, CustomStringConvertible {
    /// What it stops, for the group's log lines.
    package let description: String
    private let stop: @Sendable () async -> Void

    /// - Parameters:
    ///   - name: what it stops, for the group's log lines.
    ///   - stop: stops it; may block only off Swift concurrency's threads (`PosixThread.run`).
    package init(_ name: String, stop: @escaping @Sendable () async -> Void) {
        self.description = name
        self.stop = stop
    }

    package func run() async throws {
        try? await gracefulShutdown()
        await stop()
    }
}
