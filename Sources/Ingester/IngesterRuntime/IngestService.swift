import Foundation
import Locking
import Logging
import ServiceLifecycle
import Storage

/// The ingest loop as a service: the loop runs on a thread of its own (libpq blocks), and the
/// service's graceful shutdown asks it to finish. The transaction in flight ends, what is queued
/// is written within `IngestLoop.stopFlushLimit`, and then any wait for PostgreSQL is abandoned
/// (`PostgresInterrupt`), so a silent database cannot hold the stop.
///
/// Put it last in the `ServiceGroup`: the group shuts its services down in reverse order, so the
/// brokers stay connected while the loop flushes, and stop only after it.
package struct IngestService: Service {
    private let queue: IngestQueue
    private let interrupt: PostgresInterrupt
    private let logger: Logger
    private let makeLoop: @Sendable () -> IngestLoop

    /// - Parameters:
    ///   - queue: the loop's queue; the stop is requested through it.
    ///   - interrupt: the loop's (and retention's) `PostgresInterrupt`, triggered when the stop's
    ///     limit passes.
    ///   - makeLoop: makes the loop, on its own thread (the loop's database is not `Sendable`).
    package init(
        queue: IngestQueue, interrupt: PostgresInterrupt, logger: Logger, makeLoop: @escaping @Sendable () -> IngestLoop
    ) {
        self.queue = queue
        self.interrupt = interrupt
        self.logger = logger
        self.makeLoop = makeLoop
    }

    /// Runs the loop until a graceful shutdown (or cancellation) and the loop's flush have ended.
    /// - Throws: `PosixThreadError` when the loop's thread cannot start.
    package func run() async throws {
        let queue = self.queue
        let interrupt = self.interrupt
        let logger = self.logger
        let makeLoop = self.makeLoop
        // Once: a second signal (or a cancellation after the shutdown) must not move the limit.
        let requested = ConditionLocked(false)
        let stop: @Sendable () -> Void = {
            guard requested.withLock({ first in defer { first = true }; return !first }) else { return }
            logger.info("Stop requested; finishing the current transaction.")
            queue.requestStop()
            Task.detached {
                try? await Task.sleep(for: IngestLoop.stopFlushLimit)
                interrupt.trigger()
            }
        }
        try await withTaskCancellationHandler {
            try await withGracefulShutdownHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                    do {
                        try PosixThread.start {
                            var loop = makeLoop()
                            loop.run()
                            continuation.resume()
                        }.detach()
                    } catch {
                        continuation.resume(throwing: error)
                    }
                }
            } onGracefulShutdown: {
                stop()
            }
        } onCancel: {
            stop()
        }
    }
}
