import Logging
import Storage
import Locking

#if canImport(Glibc)
import Glibc
#endif

/// Moves events from the broker's thread to PostgreSQL without ever letting the database stall
/// the broker, and without losing events while it is away.
///
/// The broker's thread only appends to an in-memory FIFO (`enqueue`, ConnWriter+Enqueue.swift)
/// and, in sync mode, waits a bounded time for its event's commit. A writer thread
/// (`WriterLoop`) owns the database connection and commits batches. While the database is
/// unreachable the writer moves queued events to the disk spool; when it is back, the spool is
/// replayed first, in order, then the memory queue. One logical FIFO (spool, then memory) keeps
/// every client's events in order. The two threads share only `shared`, a `WriterState` inside
/// its lock.
///
/// Used on the broker's thread only (start, enqueue, status, stop).
package final class ConnWriter {
    let options: ConnPluginOptions
    let logger: Logger
    package let bootID: String
    let timeout: Duration
    let shared: ConditionLocked<WriterState>
    private let store: any ConnEventStore
    /// Cuts the writer's database wait short when a stop's flush time is up (nil: no pipe could
    /// be made, or a test's store).
    private let interrupt: PostgresInterrupt?
    /// How long a stop waits, after the flush time and the interrupt, for the writer to move what
    /// is still in memory to the spool: an fsync'd append, never a database wait.
    static let spoolGrace: Duration = .seconds(3)
    /// Handed to the writer thread at `start`.
    private var loop: WriterLoop?
    private var thread: PosixThread?

    /// - Parameters:
    ///   - spool: the opened disk spool, or nil to run without one (events past the memory
    ///     queue are then dropped and counted).
    ///   - store: the database; PostgreSQL at `options.dsn` unless a test gives another.
    package init(options: ConnPluginOptions, spool: EventSpool?, logger: Logger, store: (any ConnEventStore)? = nil) {
        self.options = options
        self.logger = logger
        self.bootID = Clocks.randomHex()
        self.timeout = .milliseconds(options.timeoutMilliseconds)
        let interrupt = store == nil ? try? PostgresInterrupt() : nil
        self.interrupt = interrupt
        let store = store ?? PostgresEventStore(dsn: options.dsn, timeout: timeout, logger: logger, interrupt: interrupt)
        self.store = store
        shared = ConditionLocked(
            WriterState(
                spoolBytes: spool?.byteCount ?? 0, spoolHasEvents: !(spool?.isEmpty ?? true),
                queueReserve: min(options.queueCapacity, 4096)))
        loop = WriterLoop(
            options: options, logger: logger, bootID: bootID, store: store, spool: spool, shared: shared)
    }

    /// Starts the writer thread.
    /// - Throws: `ConnWriterError.alreadyStarted` on a second call, `.threadNotCreated` when the
    ///   system refuses the thread.
    package func start() throws(ConnWriterError) {
        guard let loop else { throw .alreadyStarted }
        // Before the first backlog: what it uses must go back to the system once it is written.
        HeapRelease.fixTrimThreshold()
        do {
            thread = try PosixThread.start { loop.run() }
        } catch {
            throw .threadNotCreated(error)
        }
        self.loop = nil
    }

    /// Writes everything still queued (spooling what the database does not take within
    /// `flushTimeout`), then stops the writer thread. Blocks the caller until done.
    package func stop(flushTimeout: Duration) {
        shared.withLock { $0.stopping = true }
        shared.broadcast()
        guard thread != nil else { return }
        // The writer stops starting database work once the flush time is up; a statement or
        // connect still running then is cut short, so what is left in memory reaches the spool
        // (a writer left detached mid-statement lost the newest events with the process).
        let flushEnd = Clocks.monotonicDeadline(after: flushTimeout)
        if !waitForWriter(untilMicroseconds: flushEnd) {
            interrupt?.trigger()
            let lastChance = Clocks.monotonicDeadline(after: timeout + Self.spoolGrace)
            if !waitForWriter(untilMicroseconds: lastChance), thread != nil {
                // Stuck past every deadline (a spool write that hangs): leave it detached rather
                // than hold the broker's shutdown forever.
                thread?.detach()
                thread = nil
                logger.warning("the writer did not finish within the flush timeout; unwritten events may be lost.")
                return
            }
        }
        thread?.join()
        thread = nil
    }

    /// Waits until the writer thread has finished, at most until `deadline` (monotonic).
    private func waitForWriter(untilMicroseconds deadline: Int64) -> Bool {
        shared.withLock { state, timedOut in
            state.finished || timedOut ? .done(state.finished) : .wait(untilMicroseconds: deadline)
        }
    }

    /// A snapshot of the counters.
    package func currentStatus() -> RecorderStatus {
        shared.withLock { $0.statusSnapshot }
    }

    /// Up to `limit` clients whose kept sessions the broker's thread should check (at start).
    package func takeSessionsToVerify(limit: Int) -> [String] {
        shared.withLock { $0.takeSessionsToVerify(limit: limit) }
    }

    /// Events dropped since the last call, by cause; for a once-per-interval warning.
    package func takeDroppedCounts() -> (queueFull: Int64, spool: Int64) {
        shared.withLock { $0.takeDroppedCounts() }
    }
}

/// Why the writer could not be started.
package enum ConnWriterError: Error, CustomStringConvertible {
    /// `start()` was called a second time on the same writer: a fault in the plugin, not the setup.
    case alreadyStarted
    /// pthread_create refused the writer's thread (its error number is in the error).
    case threadNotCreated(PosixThreadError)

    package var description: String {
        switch self {
        case .alreadyStarted:
            "the writer was already started (a fault in the plugin: please report it)"
        case .threadNotCreated(let error) where error.code == EAGAIN:
            "cannot start the writer thread: \(error) (the broker's process is at a thread or memory limit: "
                + "check ulimit -u, TasksMax= of the broker's systemd unit, the container's pids limit, free memory)"
        case .threadNotCreated(let error):
            "cannot start the writer thread: \(error) (pthread_create error \(error.code))"
        }
    }
}

/// The broker's MOSQ_ERR_* values that the plugin itself writes as reason codes.
package enum ReasonCodes {
    /// MOSQ_ERR_SERVER_UNAVAILABLE: the broker went away without a clean shutdown.
    package static let serverUnavailable: Int32 = 136
    /// MOSQ_ERR_SERVER_SHUTTING_DOWN: the broker shut down with the client connected.
    package static let serverShuttingDown: Int32 = 139
}
