import Locking

extension WriterLoop {
    /// Copies what the broker's thread needs to know about the spool (the writer's own) into the
    /// shared state: whether it holds events (then `enqueue` must not write directly) and its size.
    func mirrorSpoolState() {
        guard let spool else { return }
        let (bytes, hasEvents) = (Int64(spool.byteCount), !spool.isEmpty)
        shared.withLock { state in
            state.status.spoolBytes = bytes
            state.spoolHasEvents = hasEvents
        }
    }

    /// Moves every queued event to the disk spool (database down, falling behind, or stopping).
    func spoolMemory() {
        let events = shared.withLock { $0.takeAllForSpool() }
        guard !events.isEmpty else { return }
        defer { mirrorSpoolState() }
        heapRelease.wrote()
        guard let spool else {
            countDropped(events.count, reason: "no spool directory is usable")
            return
        }
        do {
            let dropped = try spool.append(events)
            shared.withLock { $0.status.eventsSpooled += Int64(events.count - dropped) }
            if dropped > 0 { countDropped(dropped, reason: "the spool reached plugin_opt_conn_spool_max_mb") }
        } catch {
            countDropped(events.count, reason: "\(error)")
        }
    }

    /// Counts events that neither memory nor spool could keep; the broker's tick warns once per
    /// interval with the totals.
    func countDropped(_ count: Int, reason: String) {
        shared.withLock { $0.recordSpoolDrops(count) }
        logger.debug("dropped connection events.", metadata: ["events.dropped": "\(count)", "reason": "\(reason)"])
    }
}
