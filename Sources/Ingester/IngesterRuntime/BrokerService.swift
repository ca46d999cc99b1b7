import Locking
import ServiceLifecycle

/// The broker sessions and their waker as one service: `run()` starts every connection and the
/// waker, then waits for the graceful shutdown. Then the waker stops, every session disconnects
/// at once, and each gets what is left of the same 3 s to end its thread.
///
/// Put it before `IngestService` in the `ServiceGroup` (which shuts down in reverse order): the
/// connections stay open while the ingest loop finishes its transaction and flushes the queue.
package struct BrokerService: Service {
    private let sessions: [BrokerSession]

    package init(sessions: [BrokerSession]) {
        self.sessions = sessions
    }

    /// - Throws: `PosixThreadError` when a connection's or the waker's thread cannot start.
    package func run() async throws {
        let sessions = self.sessions
        let waker = BrokerWaker(sessions: sessions)
        do {
            for session in sessions { try session.start() }
            try waker.start()
        } catch {
            await Self.stop(sessions, waker: waker)
            throw error
        }
        // Cancelled (another service failed) or shut down: stop the same way.
        try? await gracefulShutdown()
        await Self.stop(sessions, waker: waker)
    }

    private static func stop(_ sessions: [BrokerSession], waker: BrokerWaker) async {
        // Joins with deadlines: off Swift concurrency's threads.
        await PosixThread.run {
            waker.stop()
            for session in sessions { session.beginStop() }
            let deadline = Clocks.monotonicDeadline(after: .seconds(3))
            for session in sessions { session.waitUntilStopped(untilMicroseconds: deadline) }
        }
    }
}
