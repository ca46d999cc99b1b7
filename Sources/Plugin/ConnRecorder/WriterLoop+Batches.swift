import Storage
import Locking

extension WriterLoop {
    /// Events per statement from memory: `batchSize`, or more while a backlog builds up (larger
    /// statements cost the database less per event), as far as `batchSizer` finds statements end
    /// well inside the timeout.
    func batchLimit(depth: Int) -> Int {
        depth > options.batchSize * 4 ? max(options.batchSize, batchSizer.limit) : min(options.batchSize, batchSizer.limit)
    }

    /// Writes one batch from the head of the FIFO: the spool while it holds events, else memory.
    /// Returns false when the database failed.
    func writeNextBatch() -> Bool {
        guard let connection else { return false }
        if let spool, !spool.isEmpty {
            // Keep one FIFO: memory events are newer than anything spooled.
            if shared.withLock({ $0.queuedCount }) > options.queueCapacity / 2 { spoolMemory() }
            // The spool is a backlog: as large as statements stay quick (a replay's catch-up rate).
            let batch = Array(spool.peek(limit: batchSizer.limit))
            guard !batch.isEmpty else { return true }
            switch write(batch, on: connection) {
            case .failed: return false
            case .retrySmaller: return true
            case .settled: break
            }
            spool.acknowledge(batch.count)
            mirrorSpoolState()
            return true
        }
        let (batch, depth) = shared.withLock { state -> ([ConnEvent], Int) in
            (state.peek(limit: batchLimit(depth: state.queuedCount)), state.queuedCount)
        }
        // The database is slower than the broker right now: move the backlog to the spool (in
        // order) before the memory queue fills, so nothing has to be dropped.
        if depth > options.queueCapacity / 2, spool != nil {
            spoolMemory()
            return true
        }
        guard !batch.isEmpty else { return true }
        switch write(batch, on: connection) {
        case .failed: return false
        case .retrySmaller: return true
        case .settled: break
        }
        shared.withLock { $0.acknowledge(batch) }
        shared.broadcast()
        return true
    }

    /// What became of one batch.
    enum WriteOutcome {
        /// Every event is committed or dead-lettered.
        case settled
        /// Nothing was committed and the connection is still good: the same events again, in
        /// smaller statements (`batchSizer` shrank).
        case retrySmaller
        /// The connection failed; the batch must be retried after a backoff.
        case failed
    }

    /// Writes `batch` in one statement.
    func write(_ batch: [ConnEvent], on connection: any ConnEventStoreConnection) -> WriteOutcome {
        let started = Clocks.monotonicMicroseconds()
        do {
            try connection.write(batch)
            let latency = Clocks.monotonicMicroseconds() - started
            heapRelease.wrote()
            batchSizer.committed(count: batch.count, latencyMicros: latency)
            shared.withLock { $0.recordWrite(count: batch.count, latencyMicros: latency) }
            return .settled
        } catch let error where error.sqlState == .queryCanceled && batch.count > batchSizer.smallest {
            // statement_timeout rolled the statement back: the same events again, fewer at a time,
            // on the same connection (no backoff: the database answers, it is busy).
            batchSizer.timedOut()
            return .retrySmaller
        } catch let error where error.kind == .timeout && batch.count > batchSizer.smallest {
            // The writer stopped waiting first (its wait ends with the server's statement_timeout):
            // the connection is gone and the outcome unknown; the event keys make the retry safe.
            batchSizer.timedOut()
            abandonConnection(after: error)
            return .failed
        } catch let error where error.isPermanentForData {
            // One bad event must not hold the others: write them one by one and set the
            // rejected ones aside with the server's reason.
            if batch.count > 1 {
                for event in batch where write([event], on: connection) != .settled { return .failed }
                return .settled
            }
            deadLetter(batch[0], error: error)
            return .settled
        } catch {
            abandonConnection(after: error)
            return .failed
        }
    }

    /// Sets aside an event PostgreSQL rejected as data, with the server's reason.
    func deadLetter(_ event: ConnEvent, error: PostgresError) {
        shared.withLock { $0.status.eventsDeadLettered += 1 }
        let file = DeadLetterFile(path: (spool?.directory ?? options.spoolDirectory) + "/dead-letters.log")
        do {
            try file.append(event, reason: error.description)
            logger.warning(
                "PostgreSQL rejected a connection event; it was written to the dead-letter file.",
                metadata: ["event": "\(event.kind.rawValue)", "pg.error": "\(error)", "file": "\(file.path)"])
        } catch let fileError {
            logger.error(
                "PostgreSQL rejected a connection event and the dead-letter file could not take it; the event is lost.",
                metadata: [
                    "event": "\(event.kind.rawValue)", "client": "\(event.clientID)", "pg.error": "\(error)",
                    "file.error": "\(fileError)",
                ])
        }
    }
}
