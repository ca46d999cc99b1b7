import Storage
import Locking

extension WriterLoop {
    /// Events per statement: `batchSize`, or up to four times that while a backlog builds up,
    /// since larger statements cost the database less per event.
    func batchLimit(depth: Int) -> Int {
        depth > options.batchSize * 4 ? options.batchSize * 4 : options.batchSize
    }

    /// Writes one batch from the head of the FIFO: the spool while it holds events, else memory.
    /// Returns false when the database failed.
    func writeNextBatch() -> Bool {
        guard let connection else { return false }
        if let spool, !spool.isEmpty {
            // Keep one FIFO: memory events are newer than anything spooled.
            if shared.withLock({ $0.queuedCount }) > options.queueCapacity / 2 { spoolMemory() }
            let batch = Array(spool.peek(limit: batchLimit(depth: options.batchSize * 4)))
            guard !batch.isEmpty else { return true }
            guard write(batch, on: connection) else { return false }
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
        guard write(batch, on: connection) else { return false }
        shared.withLock { $0.acknowledge(batch) }
        shared.broadcast()
        return true
    }

    /// Writes `batch` in one statement. Returns true when every event is settled (committed or
    /// dead-lettered); false when the connection failed and the batch must be retried.
    func write(_ batch: [ConnEvent], on connection: any ConnEventStoreConnection) -> Bool {
        let started = Clocks.monotonicNanoseconds()
        do {
            try connection.write(batch)
            let latency = (Clocks.monotonicNanoseconds() - started) / 1000
            shared.withLock { $0.recordWrite(count: batch.count, latencyMicros: latency) }
            return true
        } catch let error where error.isPermanentForData {
            // One bad event must not hold the others: write them one by one and set the
            // rejected ones aside with the server's reason.
            if batch.count > 1 {
                for event in batch where !write([event], on: connection) { return false }
                return true
            }
            deadLetter(batch[0], error: error)
            return true
        } catch {
            abandonConnection(after: error)
            return false
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
