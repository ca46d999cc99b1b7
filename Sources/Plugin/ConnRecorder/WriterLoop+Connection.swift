import Locking
import Logging
import Storage

extension WriterLoop {
    /// Connects (schema checked, run lock taken) if needed. Logs state changes once.
    func ensureConnection() -> Bool {
        if let connection, connection.isOpen { return true }
        connection = nil
        do {
            connection = try store.openWriterConnection(bootID: bootID)
        } catch {
            noteFailure(error)
            return false
        }
        connectionGeneration += 1
        // Before this connection writes anything: the first time a broker meets a database, the
        // fold starts at the newest row, and this run's rows must all lie beyond it.
        guard startDailyStatsFold() else { return false }
        backoffMilliseconds = 0
        lastFailureMessage = nil
        let spooled = spool?.byteCount ?? 0
        shared.withLock { state in
            state.databaseUp = true
            state.brokerWaitsSuspended = false
        }
        shared.broadcast()
        var metadata: Logger.Metadata = ["pg.dsn": "\(ConnectionString.redacted(options.dsn))"]
        if spooled > 0 { metadata["spool.replaying_bytes"] = "\(spooled)" }
        logger.info("connected to PostgreSQL.", metadata: metadata)
        return true
    }

    /// The database failed: marks it down (sync waits end), logs once per distinct failure, and
    /// lengthens the backoff (200 ms doubling to 5 s).
    func noteFailure(_ error: any Error) {
        var message = "\(error)"
        while message.hasSuffix(".") { message.removeLast() }
        let wasUp = shared.withLock { state -> Bool in
            defer { state.databaseUp = false }
            return state.databaseUp
        }
        shared.broadcast()
        dropSpareConnection()
        if wasUp || lastFailureMessage != message {
            logger.warning(
                "cannot write to PostgreSQL; events are kept and retried, the broker is not blocked.",
                metadata: ["pg.error": "\(message)", "pg.dsn": "\(ConnectionString.redacted(options.dsn))"])
        }
        lastFailureMessage = message
        backoffMilliseconds = backoffMilliseconds == 0 ? 200 : min(backoffMilliseconds * 2, 5000)
    }

    /// Closes the writer's connection after a failure it reported.
    func abandonConnection(after error: any Error) {
        noteFailure(error)
        // A retention run's lock goes with the connection: the run is recorded as interrupted.
        retention.connectionLost()
        connection?.close()
        connection = nil
    }

    /// Waits out the backoff. Events that arrive meanwhile go to the disk spool at once, so a
    /// broker killed during an outage loses as little as possible.
    func sleepBackoff() {
        let deadline = Clocks.monotonicMicroseconds() + Int64(backoffMilliseconds) * 1000
        while true {
            var slept = false
            let (arrived, done) = shared.withLock { (state, _) -> ConditionLocked<WriterState>.Step<(Bool, Bool)> in
                let over = state.stopping || Clocks.monotonicMicroseconds() >= deadline
                if !over && state.queuedCount == 0 && !slept {
                    slept = true
                    state.writerWaiting = true
                    return .wait(untilMicroseconds: deadline)
                }
                state.writerWaiting = false
                return .done((state.queuedCount > 0, over || state.stopping))
            }
            if arrived { spoolMemory() }
            if done { return }
        }
    }
}
