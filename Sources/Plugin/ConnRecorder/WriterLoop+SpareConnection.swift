import Locking

extension WriterLoop {
    /// Opens the spare connection `enqueue` lends to the broker's thread when sync mode can use
    /// it. A failure here only delays the fast path; it is retried after 5 s.
    func prepareSpareConnection() {
        guard options.mode == .sync, Clocks.monotonicMicroseconds() >= spareRetryAt else { return }
        guard shared.withLock({ $0.spare == nil && !$0.spareInUse && $0.databaseUp && !$0.stopping }) else { return }
        do {
            let spare = SpareConnection(connection: try store.openSpareConnection())
            shared.withLock { $0.spare = spare }
        } catch {
            spareRetryAt = Clocks.monotonicDeadline(after: .seconds(5))
            logger.debug(
                "no spare connection for sync writes; events go through the writer.", metadata: ["pg.error": "\(error)"])
        }
    }

    /// Closes the spare connection (database failure, or stopping). One the broker's thread has
    /// borrowed is closed by it when it gives it back (see `ConnWriter.writeDirectly`).
    func dropSpareConnection() {
        let spare = shared.withLock { state -> SpareConnection? in
            defer { state.spare = nil }
            return state.spare
        }
        spare?.connection.close()
    }
}
