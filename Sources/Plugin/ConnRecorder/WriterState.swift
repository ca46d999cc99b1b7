import Locking

/// Everything the broker's thread and the writer thread share. It lives inside the writer's
/// `ConditionLocked`, so no field can be touched without the lock.
///
/// The events form one logical FIFO: the disk spool (older), then `memory` (newer). Each rule
/// that keeps that order or bounds the broker's waits is a method here, pure and unit-tested.
struct WriterState: Sendable {
    private(set) var memory: [ConnEvent] = []
    private(set) var memoryHead = 0
    /// The capacity `memory` starts with and returns to once a backlog is gone (see
    /// `emptyMemory`).
    private let memoryReserve: Int
    /// The next event's sequence number (its key's last part), in queue order.
    private(set) var nextSequence: Int64 = 1
    /// Every event with a sequence up to this one is committed (or settled as a dead letter).
    private(set) var committedSequence: Int64 = 0
    var databaseUp = false
    /// Set after a sync wait failed or timed out: the broker's thread stops waiting until the
    /// writer has caught up again.
    var brokerWaitsSuspended = false
    var stopping = false
    var finished = false
    /// True while the writer sleeps on the condition; only then does `enqueue` need to wake it,
    /// which keeps the broker's thread free of a futex call per event while the writer is busy.
    var writerWaiting = false
    /// Sync mode: an open connection that the broker's thread may borrow to write its own event.
    /// Opened by the writer, never on the broker's thread.
    var spare: SpareConnection?
    var spareInUse = false
    /// Whether the disk spool holds events: then the broker's thread must not write directly,
    /// or its event would overtake them. Mirrored from the writer's spool.
    var spoolHasEvents = false
    var status = RecorderStatus()
    /// Drops since the last report, by cause: the memory queue was full (the writer could not
    /// move events out fast enough), or the spool was full or unwritable.
    private(set) var droppedQueueFullSinceReport: Int64 = 0
    private(set) var droppedSpoolSinceReport: Int64 = 0
    /// Clients whose session this broker held when last heard of (loaded by the writer at start),
    /// for the broker's thread to check against the broker's own sessions a few at a time.
    var sessionsToVerify: [String] = []

    init(spoolBytes: Int, spoolHasEvents: Bool, queueReserve: Int) {
        memoryReserve = queueReserve
        memory.reserveCapacity(queueReserve)
        status.spoolBytes = Int64(spoolBytes)
        self.spoolHasEvents = spoolHasEvents
    }

    var queuedCount: Int { memory.count - memoryHead }

    /// Takes the next sequence number.
    mutating func takeSequence() -> Int64 {
        defer { nextSequence += 1 }
        return nextSequence
    }

    /// Whether the broker's thread may write `sequence`'s event itself on the spare connection:
    /// only when nothing older is queued or spooled, so it cannot overtake another event.
    func mayWriteDirectly() -> Bool {
        databaseUp && !brokerWaitsSuspended && !stopping && !spoolHasEvents && queuedCount == 0 && spare != nil
    }

    /// Whether a sync caller should wait for its event's commit at all.
    var mayWaitForCommit: Bool { databaseUp && !brokerWaitsSuspended && !stopping }

    /// Appends an event to the memory queue. Returns false (and counts a drop) when it is full.
    mutating func append(_ event: ConnEvent, capacity: Int) -> Bool {
        guard queuedCount < capacity else {
            status.eventsDropped += 1
            droppedQueueFullSinceReport += 1
            return false
        }
        memory.append(event)
        return true
    }

    /// The oldest `limit` queued events, left in place until `acknowledge`.
    func peek(limit: Int) -> [ConnEvent] {
        Array(memory[memoryHead..<(memoryHead + min(queuedCount, limit))])
    }

    /// Removes the first `batch.count` queued events (just committed, or settled) and advances
    /// the committed sequence; the broker's thread may wait again once the queue is empty.
    mutating func acknowledge(_ batch: [ConnEvent]) {
        memoryHead += batch.count
        if memoryHead == memory.count {
            emptyMemory()
        } else if memoryHead > 4096 && memoryHead * 2 > memory.count {
            memory.removeFirst(memoryHead)
            memoryHead = 0
        }
        if let last = batch.last { settle(upTo: last.origin.sequence) }
        if queuedCount == 0 { brokerWaitsSuspended = false }
    }

    /// Empties `memory`. A buffer a backlog grew past the reserve (at 14,000 cycles a second, a
    /// second behind is 28,000 events, 5 MB) is handed back rather than kept for the next one:
    /// a broker that once fell behind must not hold that memory for the rest of its run (the
    /// writer's `HeapRelease` then gives it back to the system).
    private mutating func emptyMemory() {
        memoryHead = 0
        guard memory.capacity > memoryReserve * 4 else {
            memory.removeAll(keepingCapacity: true)
            return
        }
        memory = []
        memory.reserveCapacity(memoryReserve)
    }

    /// Marks every event up to `sequence` as committed (a direct write, or a batch).
    mutating func settle(upTo sequence: Int64) {
        committedSequence = max(committedSequence, sequence)
    }

    func isCommitted(_ sequence: Int64) -> Bool { committedSequence >= sequence }

    /// Every queued event, in order, leaving the queue empty, to be moved to the spool. Until the
    /// writer mirrors the spool's state again, the spool counts as holding events: otherwise the
    /// broker's thread could write a newer event directly while these are still on their way to
    /// disk, and overtake them.
    mutating func takeAllForSpool() -> ArraySlice<ConnEvent> {
        let slice = memory[memoryHead...]
        // The slice keeps the old buffer alive: keeping its capacity would allocate a second one.
        memory = []
        memory.reserveCapacity(memoryReserve)
        memoryHead = 0
        if !slice.isEmpty { spoolHasEvents = true }
        return slice
    }

    /// Counts a wait of the broker's thread for the database.
    mutating func recordBrokerWait(micros: Int64, timedOut: Bool) {
        status.brokerWaits += 1
        status.brokerWaitMicrosTotal += micros
        status.brokerWaitMicrosMax = max(status.brokerWaitMicrosMax, micros)
        if timedOut { status.brokerWaitTimeouts += 1 }
    }

    mutating func recordWrite(count: Int, latencyMicros: Int64) {
        status.eventsWritten += Int64(count)
        status.lastWriteLatencyMicros = latencyMicros
        status.lastBatchSize = Int64(count)
    }

    /// Counts events the spool could not take.
    mutating func recordSpoolDrops(_ count: Int) {
        status.eventsDropped += Int64(count)
        droppedSpoolSinceReport += Int64(count)
    }

    /// Drops since the last call, by cause; resets both.
    mutating func takeDroppedCounts() -> (queueFull: Int64, spool: Int64) {
        defer {
            droppedQueueFullSinceReport = 0
            droppedSpoolSinceReport = 0
        }
        return (droppedQueueFullSinceReport, droppedSpoolSinceReport)
    }

    /// Up to `limit` of the sessions still to check at start.
    mutating func takeSessionsToVerify(limit: Int) -> [String] {
        guard !sessionsToVerify.isEmpty else { return [] }
        let taken = Array(sessionsToVerify.suffix(limit))
        sessionsToVerify.removeLast(taken.count)
        return taken
    }

    /// The counters with the live gauges filled in.
    var statusSnapshot: RecorderStatus {
        var snapshot = status
        snapshot.eventsQueued = Int64(queuedCount)
        snapshot.databaseConnected = databaseUp
        return snapshot
    }
}

/// The spare connection lent to the broker's thread in sync mode.
// @unchecked Sendable: the connection is used by one thread at a time; whoever takes it out of
// `WriterState.spare` (under the lock) owns it until it puts it back or closes it.
struct SpareConnection: @unchecked Sendable {
    let connection: any ConnEventStoreConnection
}
