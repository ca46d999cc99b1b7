import Logging
import SchemaSQL
import Storage

#if canImport(Glibc)
import Glibc
#endif

/// Moves events from the broker's thread to PostgreSQL without ever letting the database stall
/// the broker, and without losing events while it is away.
///
/// The broker's thread only appends to an in-memory FIFO (`enqueue`) and, in sync mode, waits a
/// bounded time for its event's commit. A writer thread owns the PostgreSQL connection and
/// commits batches. While the database is unreachable the writer moves queued events to the
/// disk spool; when it is back, the spool is replayed first, in order, then the memory queue.
/// One logical FIFO (spool, then memory) keeps every client's events in order.
package final class ConnWriter: @unchecked Sendable {
    // Immutable configuration.
    private let options: ConnPluginOptions
    private let logger: Logger
    package let bootID: String
    private let timeout: Duration

    // Guarded by `lock`.
    private let lock = ConditionLock()
    private var memory: [ConnEvent] = []
    private var memoryHead = 0
    private var nextSequence: Int64 = 1
    private var committedSequence: Int64 = 0
    private var databaseUp = false
    /// Set after a sync wait timed out: the broker's thread stops waiting until the writer
    /// has caught up again.
    private var brokerWaitsSuspended = false
    private var stopping = false
    private var finished = false
    /// True while the writer sleeps on the condition; only then does `enqueue` need to wake it,
    /// which keeps the broker's thread free of a futex call per event while the writer is busy.
    private var writerWaiting = false
    /// Sync mode: an open connection, with the statement to use on it, that the broker's thread
    /// may borrow to write its own event (see `enqueue`). Opened by the writer, never by the
    /// broker's thread.
    private var direct: Spare?
    private var directInUse = false
    /// Whether the disk spool holds events: then the broker's thread must not write directly,
    /// or its event would overtake them.
    private var spoolHasEvents = false
    private var status = RecorderStatus()
    /// Drops since the last report, by cause: the memory queue was full (the writer could not
    /// move events out fast enough), or the spool was full or unwritable.
    private var droppedQueueFullSinceReport: Int64 = 0
    private var droppedSpoolSinceReport: Int64 = 0

    // Writer thread only.
    private var connection: PostgresConnection?
    private var spool: EventSpool?
    private var statement = ConnStatements.writeBatch(idempotent: true)
    private var staleSessionsChecked = false
    private var backoffMilliseconds = 0
    private var lastFailureMessage: String?
    private var thread: pthread_t?
    /// Monotonic time before which the writer does not try to open the direct connection again.
    private var directRetryAt: Int64 = 0

    /// - Parameters:
    ///   - spool: the opened disk spool, or nil to run without one (events past the memory
    ///     queue are then dropped and counted).
    package init(options: ConnPluginOptions, spool: EventSpool?, logger: Logger) {
        self.options = options
        self.spool = spool
        self.logger = logger
        self.bootID = Clocks.randomHex()
        self.timeout = .milliseconds(options.timeoutMilliseconds)
        memory.reserveCapacity(min(options.queueCapacity, 4096))
        status.spoolBytes = Int64(spool?.byteCount ?? 0)
        spoolHasEvents = !(spool?.isEmpty ?? true)
    }

    // MARK: - Broker thread

    /// Takes the next event sequence number (for the event key). Writer thread only; events from
    /// the broker's thread are numbered inside `enqueue`.
    private func takeSequence() -> Int64 {
        lock.withLock {
            defer { nextSequence += 1 }
            return nextSequence
        }
    }

    /// A spare connection and the statement prepared on it, lent to the broker's thread.
    private typealias Spare = (connection: PostgresConnection, statement: PreparedStatement)

    /// Numbers `event` (its key's sequence, in queue order) and hands it on, in one critical
    /// section. In sync mode, when nothing is queued or spooled (so this event cannot overtake
    /// another) and a spare connection is ready, the broker's thread writes the event itself,
    /// saving the two thread hand-offs per event that dominate sync mode's cost. Otherwise the
    /// event is queued and, in sync mode while the database keeps up, the call waits until it is
    /// committed or `timeout` passes. Never blocks longer than `timeout`.
    ///
    /// - Returns: true when the event was committed before returning (sync mode only).
    @discardableResult
    package func enqueue(_ event: ConnEvent, waitForCommit: Bool) -> Bool {
        enum Route {
            case writeDirectly(Spare)
            case done(committed: Bool)
        }
        var event = event
        let route = lock.withLock { () -> Route in
            event.origin.sequence = nextSequence
            nextSequence += 1
            status.eventsSeen += 1
            if waitForCommit, databaseUp, !brokerWaitsSuspended, !stopping, !spoolHasEvents,
                memory.count == memoryHead, let spare = direct
            {
                direct = nil
                directInUse = true
                return .writeDirectly(spare)
            }
            return .done(committed: queueAndWait(event, waitForCommit: waitForCommit))
        }
        switch route {
        case .writeDirectly(let spare): return writeDirectly(event, spare)
        case .done(let committed): return committed
        }
    }

    /// Appends `event` to the memory queue and, when asked, waits for its commit. Call with the
    /// lock held (the wait releases it).
    private func queueAndWait(_ event: ConnEvent, waitForCommit: Bool) -> Bool {
        if memory.count - memoryHead >= options.queueCapacity {
            status.eventsDropped += 1
            droppedQueueFullSinceReport += 1
            return false
        }
        memory.append(event)
        if writerWaiting { lock.broadcast() }
        guard waitForCommit, databaseUp, !brokerWaitsSuspended, !stopping else { return false }
        let started = Clocks.monotonicNanoseconds()
        let deadline = started + Int64(options.timeoutMilliseconds) * 1_000_000
        defer {
            let waited = (Clocks.monotonicNanoseconds() - started) / 1000
            status.brokerWaits += 1
            status.brokerWaitMicrosTotal += waited
            status.brokerWaitMicrosMax = max(status.brokerWaitMicrosMax, waited)
        }
        while committedSequence < event.origin.sequence {
            if !databaseUp || stopping { return false }
            if !lock.wait(untilNanoseconds: deadline) && committedSequence < event.origin.sequence {
                brokerWaitsSuspended = true
                status.brokerWaitTimeouts += 1
                return false
            }
        }
        return true
    }

    /// A snapshot of the counters.
    package func currentStatus() -> RecorderStatus {
        lock.withLock {
            var snapshot = status
            snapshot.eventsQueued = Int64(memory.count - memoryHead)
            snapshot.databaseConnected = databaseUp
            return snapshot
        }
    }

    /// Events dropped since the last call, by cause; for a once-per-interval warning.
    package func takeDroppedCounts() -> (queueFull: Int64, spool: Int64) {
        lock.withLock {
            defer {
                droppedQueueFullSinceReport = 0
                droppedSpoolSinceReport = 0
            }
            return (droppedQueueFullSinceReport, droppedSpoolSinceReport)
        }
    }

    /// Writes `event` on the borrowed connection, waiting at most `timeout`. On any failure the
    /// connection is dropped and the event goes to the writer's queue (its key makes a retry of an
    /// uncertain commit harmless), and the broker's thread stops waiting until the writer has
    /// caught up, as after a timed-out wait.
    private func writeDirectly(_ event: ConnEvent, _ borrowed: Spare) -> Bool {
        let started = Clocks.monotonicNanoseconds()
        var failure: PostgresError?
        do {
            try borrowed.connection.execute(
                borrowed.statement, ConnStatements.batchParameters(CollectionOfOne(event)), timeout: timeout)
        } catch {
            failure = error
            borrowed.connection.close()
        }
        let waited = (Clocks.monotonicNanoseconds() - started) / 1000
        return lock.withLock {
            directInUse = false
            status.brokerWaits += 1
            status.brokerWaitMicrosTotal += waited
            status.brokerWaitMicrosMax = max(status.brokerWaitMicrosMax, waited)
            guard failure == nil else {
                if failure?.kind == .timeout { status.brokerWaitTimeouts += 1 }
                brokerWaitsSuspended = true
                memory.append(event)
                lock.broadcast()
                return false
            }
            status.eventsWritten += 1
            status.lastWriteLatencyMicros = waited
            status.lastBatchSize = 1
            if !stopping { direct = borrowed } else { borrowed.connection.close() }
            return true
        }
    }

    /// Writer thread: opens the spare connection `enqueue` lends to the broker's thread when sync mode
    /// can use it. A failure here only delays the fast path; it is retried after 5 s.
    private func prepareDirectConnection() {
        guard options.mode == .sync, Clocks.monotonicNanoseconds() >= directRetryAt else { return }
        guard lock.withLock({ direct == nil && !directInUse && databaseUp && !stopping }) else { return }
        do {
            let fresh = try PostgresConnection(conninfo: options.dsn, timeout: timeout)
            try limitStatements(on: fresh)
            try fresh.prepareIfNeeded(statement, timeout: timeout)
            let spare = (connection: fresh, statement: statement)
            lock.withLock { direct = spare }
        } catch {
            directRetryAt = Clocks.monotonicNanoseconds() + 5_000_000_000
            logger.debug("conn-plugin: no spare connection for sync writes (\(error)); events go through the writer.")
        }
    }

    /// Writer thread: closes the spare connection (database failure, or stopping).
    private func dropDirectConnection() {
        let spare = lock.withLock { () -> PostgresConnection? in
            defer { direct = nil }
            return direct?.connection
        }
        spare?.close()
    }

    // MARK: - Lifecycle

    /// Starts the writer thread.
    /// - Throws: `ConnWriterError` when the thread cannot be created.
    package func start() throws(ConnWriterError) {
        // Ownership: the thread holds one retain on `self`, released when the thread ends.
        let context = Unmanaged.passRetained(self).toOpaque()
        var handle = pthread_t()
        let result = pthread_create(
            &handle, nil,
            { argument in
                guard let argument else { return nil }
                let writer = Unmanaged<ConnWriter>.fromOpaque(argument).takeRetainedValue()
                writer.run()
                return nil
            }, context)
        guard result == 0 else {
            Unmanaged<ConnWriter>.fromOpaque(context).release()
            throw ConnWriterError(message: "cannot start the writer thread: \(String(cString: strerror(result)))")
        }
        thread = handle
    }

    /// Writes everything still queued (spooling what the database does not take within
    /// `flushTimeout`), then stops the writer thread. Blocks the caller until done.
    package func stop(flushTimeout: Duration) {
        lock.withLock {
            stopping = true
            lock.broadcast()
        }
        let deadline = Clocks.monotonicNanoseconds() + flushTimeout.nanoseconds + timeout.nanoseconds
        lock.withLock {
            while !finished {
                if !lock.wait(untilNanoseconds: deadline) { break }
            }
        }
        if let thread, lock.withLock({ finished }) {
            pthread_join(thread, nil)
        } else if let thread {
            // The writer is stuck in a database call past every deadline; leave it detached
            // rather than hold the broker's shutdown forever.
            pthread_detach(thread)
            logger.warning("conn-plugin: Warning: the writer did not finish within the flush timeout; unwritten events may be lost.")
        }
        thread = nil
    }

    // MARK: - Writer thread

    private func run() {
        let flushDeadlineSlack = Duration.seconds(5).nanoseconds
        var stopDeadline: Int64?
        while true {
            let (work, isStopping) = lock.withLock { () -> (Bool, Bool) in
                let hasMemory = memory.count > memoryHead
                if !hasMemory && !stopping && (spool?.isEmpty ?? true) && (staleSessionsChecked || databaseUp) {
                    // Idle: wake up for new events, or periodically to re-check the connection.
                    writerWaiting = true
                    lock.wait(untilNanoseconds: Clocks.monotonicNanoseconds() + 1_000_000_000)
                    writerWaiting = false
                }
                return (memory.count > memoryHead || !(spool?.isEmpty ?? true), stopping)
            }
            if isStopping {
                let now = Clocks.monotonicNanoseconds()
                if stopDeadline == nil { stopDeadline = now + flushDeadlineSlack }
                if !work || now >= (stopDeadline ?? now) || !(connection?.isOpen ?? false) && backoffMilliseconds > 0 {
                    spoolMemory()
                    break
                }
            }
            guard ensureConnection() else {
                spoolMemory()
                if isStopping { break }
                sleepBackoff()
                continue
            }
            if !staleSessionsChecked && (spool?.isEmpty ?? true) {
                closeStaleSessions()
                continue
            }
            guard work else {
                prepareDirectConnection()
                continue
            }
            if !writeNextBatch() {
                spoolMemory()
                if isStopping { break }
                sleepBackoff()
            }
        }
        connection?.close()
        connection = nil
        dropDirectConnection()
        spool?.close()
        lock.withLock {
            databaseUp = false
            finished = true
            lock.broadcast()
        }
    }

    /// Connects (and prepares the schema) if needed. Logs state changes once.
    private func ensureConnection() -> Bool {
        if let connection, connection.isOpen { return true }
        connection = nil
        do {
            let fresh = try PostgresConnection(conninfo: options.dsn, timeout: timeout)
            try limitStatements(on: fresh)
            try prepareSchema(on: fresh)
            // Marks this run as alive for other brokers' stale-session checks (see ConnStatements).
            try fresh.execute(ConnStatements.tryLockRun, [.int(ConnStatements.runLockKey(bootID))], timeout: timeout)
            connection = fresh
            backoffMilliseconds = 0
            lastFailureMessage = nil
            let spooled = spool?.byteCount ?? 0
            lock.withLock {
                databaseUp = true
                brokerWaitsSuspended = false
                lock.broadcast()
            }
            logger.info(
                "conn-plugin: connected to PostgreSQL (\(ConnectionString.redacted(options.dsn)))\(spooled > 0 ? "; replaying \(spooled) spooled bytes" : "").")
            return true
        } catch {
            noteFailure(error)
            return false
        }
    }

    /// The server abandons a statement after `timeout` too (DDL at start gets the same limit).
    private func limitStatements(on connection: PostgresConnection) throws(PostgresError) {
        try connection.execute(
            ConnStatements.setStatementTimeout, [.text("\(options.timeoutMilliseconds)ms")], timeout: timeout)
    }

    private func prepareSchema(on connection: PostgresConnection) throws(PostgresError) {
        func inspect() throws(PostgresError) -> (tables: Bool, index: Bool) {
            let row = try connection.execute(ConnStatements.inspectSchema, timeout: timeout).values.first
            return (row?[0] == "t", row?[1] == "t")
        }
        var state = try inspect()
        if !state.tables {
            do {
                try connection.execute(SchemaFiles.connPluginTables, timeout: timeout)
            } catch let error where error.sqlState == .uniqueViolation || error.sqlState == .duplicateTable {
                // Another broker created them at the same moment.
            } catch let error where error.sqlState == .insufficientPrivilege {
                throw PostgresError(
                    kind: .statement,
                    message: "tables client_conn_events/client_sessions are missing and this role may not create them; apply schema/001_conn_plugin.sql as an owner",
                    sqlState: error.sqlState)
            }
            state = try inspect()
        }
        if !state.index {
            do {
                try connection.execute(SchemaFiles.connPluginKeys, timeout: timeout)
                state.index = true
            } catch let error where error.kind == .statement {
                // A missing privilege, or a history table too large to index within timeout_ms:
                // the plugin still works, without the duplicate guard.
                state.index = (try? inspect().index) ?? false
                if !state.index {
                    logger.warning("conn-plugin: Warning: could not create index client_conn_events_event_key_idx (\(error)); replays after an uncertain commit may store an event twice. Apply schema/002_conn_plugin_keys.sql as the table's owner.")
                }
            }
        }
        statement = ConnStatements.writeBatch(idempotent: state.index)
    }

    private func noteFailure(_ error: any Error) {
        var message = "\(error)"
        while message.hasSuffix(".") { message.removeLast() }
        let wasUp = lock.withLock { () -> Bool in
            defer {
                databaseUp = false
                lock.broadcast()
            }
            return databaseUp
        }
        dropDirectConnection()
        if wasUp || lastFailureMessage != message {
            logger.warning("conn-plugin: Warning: cannot write to PostgreSQL: \(message). Events are kept and retried; the broker is not blocked.")
        }
        lastFailureMessage = message
        backoffMilliseconds = backoffMilliseconds == 0 ? 200 : min(backoffMilliseconds * 2, 5000)
    }

    /// Waits out the backoff. Events that arrive meanwhile go to the disk spool at once, so a
    /// broker killed during an outage loses as little as possible.
    private func sleepBackoff() {
        let deadline = Clocks.monotonicNanoseconds() + Int64(backoffMilliseconds) * 1_000_000
        while true {
            let (arrived, done) = lock.withLock { () -> (Bool, Bool) in
                if stopping || Clocks.monotonicNanoseconds() >= deadline { return (memory.count > memoryHead, true) }
                if memory.count == memoryHead {
                    writerWaiting = true
                    lock.wait(untilNanoseconds: deadline)
                    writerWaiting = false
                }
                return (memory.count > memoryHead, stopping)
            }
            if arrived { spoolMemory() }
            if done { return }
        }
    }

    /// Copies what the broker's thread needs to know about the spool (writer-only state) under
    /// the lock: whether it holds events (then `enqueue` must not write directly) and its size.
    private func mirrorSpoolState() {
        guard let spool else { return }
        let (bytes, hasEvents) = (Int64(spool.byteCount), !spool.isEmpty)
        lock.withLock {
            status.spoolBytes = bytes
            spoolHasEvents = hasEvents
        }
    }

    /// Moves every queued event to the disk spool (database down, or shutting down).
    private func spoolMemory() {
        let events = lock.withLock { () -> ArraySlice<ConnEvent> in
            let slice = memory[memoryHead...]
            memory.removeAll(keepingCapacity: true)
            memoryHead = 0
            return slice
        }
        guard !events.isEmpty else { return }
        guard let spool else {
            countDropped(events.count, reason: "no spool directory is usable")
            return
        }
        do {
            let dropped = try spool.append(events)
            lock.withLock { status.eventsSpooled += Int64(events.count - dropped) }
            mirrorSpoolState()
            if dropped > 0 { countDropped(dropped, reason: "the spool reached plugin_opt_conn_spool_max_mb") }
        } catch {
            countDropped(events.count, reason: "\(error)")
        }
    }

    private func countDropped(_ count: Int, reason: String) {
        lock.withLock {
            status.eventsDropped += Int64(count)
            droppedSpoolSinceReport += Int64(count)
        }
        logger.debug("conn-plugin: dropped \(count) events: \(reason)")
    }

    /// Events per statement: `batchSize`, or up to four times that while a backlog builds up,
    /// since larger statements cost the database less per event.
    private func batchLimit(depth: Int) -> Int {
        depth > options.batchSize * 4 ? options.batchSize * 4 : options.batchSize
    }

    /// Writes one batch from the head of the FIFO. Returns false when the database failed.
    private func writeNextBatch() -> Bool {
        guard let connection else { return false }
        let fromSpool = !(spool?.isEmpty ?? true)
        if fromSpool, let spool {
            // Keep one FIFO: memory events are newer than anything spooled.
            if lock.withLock({ memory.count - memoryHead }) > options.queueCapacity / 2 { spoolMemory() }
            let batch = Array(spool.peek(limit: batchLimit(depth: options.batchSize * 4)))
            guard !batch.isEmpty else { return true }
            guard write(batch, on: connection) else { return false }
            spool.acknowledge(batch.count)
            mirrorSpoolState()
            return true
        }
        let (batch, depth) = lock.withLock { () -> ([ConnEvent], Int) in
            let depth = memory.count - memoryHead
            return (Array(memory[memoryHead..<(memoryHead + min(depth, batchLimit(depth: depth)))]), depth)
        }
        // The database is slower than the broker right now: move the backlog to the spool (in
        // order) before the memory queue fills, so nothing has to be dropped.
        if depth > options.queueCapacity / 2, spool != nil {
            spoolMemory()
            return true
        }
        guard !batch.isEmpty else { return true }
        guard write(batch, on: connection) else { return false }
        lock.withLock {
            memoryHead += batch.count
            if memoryHead == memory.count {
                memory.removeAll(keepingCapacity: true)
                memoryHead = 0
            } else if memoryHead > 4096 && memoryHead * 2 > memory.count {
                memory.removeFirst(memoryHead)
                memoryHead = 0
            }
            if let last = batch.last { committedSequence = max(committedSequence, last.origin.sequence) }
            if memory.count == memoryHead { brokerWaitsSuspended = false }
            lock.broadcast()
        }
        return true
    }

    /// Writes `batch` in one statement. Returns true when every event is settled (committed or
    /// dead-lettered); false when the connection failed and the batch must be retried.
    private func write(_ batch: [ConnEvent], on connection: PostgresConnection) -> Bool {
        let started = Clocks.monotonicNanoseconds()
        do {
            try connection.execute(statement, ConnStatements.batchParameters(batch), timeout: timeout)
            let latency = (Clocks.monotonicNanoseconds() - started) / 1000
            lock.withLock {
                status.eventsWritten += Int64(batch.count)
                status.lastWriteLatencyMicros = latency
                status.lastBatchSize = Int64(batch.count)
            }
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
            noteFailure(error)
            self.connection?.close()
            self.connection = nil
            return false
        }
    }

    private func deadLetter(_ event: ConnEvent, error: PostgresError) {
        lock.withLock { status.eventsDeadLettered += 1 }
        var line = SpoolRecord.encode(event)
        line.removeLast()
        var reason = ""
        JSONObjectWriter.appendString(error.description, to: &reason)
        line += "\t" + reason + "\n"
        let path = (spool?.directory ?? options.spoolDirectory) + "/dead-letters.log"
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        if descriptor >= 0 {
            let bytes = Array(line.utf8)
            _ = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            close(descriptor)
        }
        logger.warning("conn-plugin: Warning: PostgreSQL rejected the \(event.kind.rawValue) event of a client (\(error)); it was written to \(path).")
    }

    /// At the first connection of this run: clients that an earlier run of this broker left
    /// shown as connected (it crashed or was killed) get their disconnect row.
    private func closeStaleSessions() {
        guard let connection else { return }
        do {
            let runs = try connection.execute(
                ConnStatements.staleRuns, [.text(options.brokerID), .text(bootID)], timeout: timeout)
            var closed = 0
            for run in runs.values.compactMap({ $0.first ?? nil }) {
                let key = PostgresValue.int(ConnStatements.runLockKey(run))
                guard try connection.execute(ConnStatements.tryLockRun, [key], timeout: timeout).scalar == "t" else {
                    logger.info("conn-plugin: run \(run) of broker '\(options.brokerID)' is still running elsewhere (another broker with the same plugin_opt_conn_broker_id?); its sessions are left alone.")
                    continue
                }
                defer { _ = try? connection.execute(ConnStatements.unlockRun, [key], timeout: timeout) }
                guard let count = try closeSessions(ofRun: run, on: connection) else { return }
                closed += count
            }
            if closed > 0 {
                logger.info("conn-plugin: closed \(closed) sessions left open by an earlier run of broker '\(options.brokerID)' (it did not shut down cleanly).")
            }
            staleSessionsChecked = true
        } catch let error where error.kind == .statement {
            logger.warning("conn-plugin: Warning: could not look for sessions left open by an earlier run: \(error).")
            staleSessionsChecked = true
        } catch {
            noteFailure(error)
            self.connection?.close()
            self.connection = nil
        }
    }

    /// Writes a disconnect for every client that run `run` left connected.
    /// - Returns: how many, or nil when the database failed (retried later).
    private func closeSessions(ofRun run: String, on connection: PostgresConnection) throws(PostgresError) -> Int? {
        let rows = try connection.execute(
            ConnStatements.staleSessions, [.text(options.brokerID), .text(run)], timeout: timeout)
        var events: [ConnEvent] = []
        for row in rows.values {
            guard let clientID = row[0], let lastAlive = row[4].flatMap({ Int64($0) }) else { continue }
            events.append(
                ConnEvent(
                    kind: .disconnect, timestampMicros: lastAlive, clientID: clientID, username: row[1],
                    peer: row[2], protocol: row[3], reasonCode: ReasonCodes.serverUnavailable,
                    cause: .staleAfterRestart,
                    connection: ConnectionDetails(
                        connectionSequence: row[5].flatMap { Int64($0) } ?? 0, listenerPort: nil,
                        keepAliveSeconds: nil, cleanStart: nil),
                    origin: EventOrigin(brokerID: options.brokerID, bootID: bootID, sequence: takeSequence())))
        }
        var index = 0
        while index < events.count {
            let batch = Array(events[index..<min(events.count, index + options.batchSize)])
            guard write(batch, on: connection) else { return nil }
            index += batch.count
        }
        return events.count
    }

}

/// The writer could not be started.
package struct ConnWriterError: Error, CustomStringConvertible {
    package let message: String
    package var description: String { message }
}

/// The broker's MOSQ_ERR_* values that the plugin itself writes as reason codes.
package enum ReasonCodes {
    /// MOSQ_ERR_SERVER_UNAVAILABLE: the broker went away without a clean shutdown.
    package static let serverUnavailable: Int32 = 136
    /// MOSQ_ERR_SERVER_SHUTTING_DOWN: the broker shut down with the client connected.
    package static let serverShuttingDown: Int32 = 139
}
