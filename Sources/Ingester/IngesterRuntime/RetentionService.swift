import Locking
import ServiceLifecycle

/// `RetentionMaintainer` as a service: starts its thread (if any retention is configured), waits
/// for the graceful shutdown, then stops it (a step in flight is abandoned by the stop's
/// `PostgresInterrupt`; the wait is at most 5 s).
package struct RetentionService: Service {
    private let maintainer: RetentionMaintainer

    package init(maintainer: RetentionMaintainer) {
        self.maintainer = maintainer
    }

    /// - Throws: `PosixThreadError` when the maintainer's thread cannot start.
    package func run() async throws {
        try maintainer.start()
        try? await gracefulShutdown()
        let maintainer = self.maintainer
        await PosixThread.run { maintainer.stop() }
    }
}
