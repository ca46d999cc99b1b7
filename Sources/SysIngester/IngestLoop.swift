import Foundation
import Logging
import Storage
import SysIngest

/// The writer side: takes bursts from the queue, plans them and writes each in one transaction,
/// reconnecting to PostgreSQL with backoff while keeping messages in the bounded queue.
struct IngestLoop {
    let queue: IngestQueue
    let writer: PostgresWriter
    let logger: Logger
    /// Quiet time that ends a burst.
    let window: TimeInterval
    /// The most inputs in one transaction.
    let maximumBurst: Int
    /// How long a stop may spend on PostgreSQL: finishing the transaction in flight, then writing
    /// what is still queued. The MQTT connection stays open until the loop returns, so under
    /// sustained load the queue never runs empty: without a limit a SIGTERM waited for the load
    /// to end (measured: 30 s instead of 1 s). A database that does not answer is abandoned
    /// when the limit passes (`PostgresInterrupt`), not after its 15 s timeout.
    static let stopFlushLimit: TimeInterval = 2

    private var planner: BurstPlanner?
    private var database: StateLog
    private var backoff: TimeInterval = 0.5

    init(queue: IngestQueue, writer: PostgresWriter, logger: Logger, window: TimeInterval, maximumBurst: Int) {
        self.queue = queue
        self.writer = writer
        self.logger = logger
        self.window = window
        self.maximumBurst = maximumBurst
        self.database = StateLog(logger: logger)
    }

    /// Runs until a stop is requested, then writes what is queued once (if PostgreSQL is up).
    mutating func run() {
        while !queue.isStopRequested {
            guard ensureReady() else { continue }
            guard let burst = queue.nextBurst(window: window, maximum: maximumBurst) else { break }
            write(burst, retrying: true)
            reportDrops()
        }
        // Stopping: the transaction in flight has ended (committed, or abandoned when the stop's
        // limit passed); flush the rest once, no retries, within the same limit.
        let deadline = Date().addingTimeInterval(Self.stopFlushLimit)
        while writer.isConnected, planner != nil, Date() < deadline {
            let rest = queue.drain(maximum: maximumBurst)
            if rest.isEmpty { break }
            write(rest, retrying: false)
        }
        let rest = queue.drain(maximum: Int.max)
        if !rest.isEmpty {
            logger.warning("Stopping: queued messages are not written.", metadata: ["sys.lost": "\(rest.count)"])
        }
        writer.close()
    }

    /// Connects (and loads the tracker once); on failure sleeps with backoff.
    private mutating func ensureReady() -> Bool {
        if writer.isConnected && planner != nil { return true }
        do {
            if !writer.isConnected { try writer.connect() }
            if planner == nil { planner = BurstPlanner(tracker: try writer.loadTracker()) }
            database.enter("up", .info, "Connected to PostgreSQL.")
            backoff = 0.5
            return true
        } catch {
            failed(error)
            return false
        }
    }

    private mutating func failed(_ error: PostgresError) {
        // Abandoned because we are stopping: not a state of the database worth a line.
        if error.kind == .interrupted { return }
        database.enter(
            "down", .warning, "PostgreSQL is unavailable; keeping messages in memory and retrying with backoff.",
            metadata: ["pg.error": "\(error)"])
        queue.sleep(backoff)
        backoff = min(backoff * 2, 30)
    }

    private mutating func write(_ burst: [IngestInput], retrying: Bool) {
        guard var planner else { return }
        let plan = planner.plan(burst)
        self.planner = planner
        while true {
            do {
                try writer.write(plan)
                database.enter("up", .info, "Connected to PostgreSQL.")
                backoff = 0.5
                logger.debug(
                    "Wrote a burst.",
                    metadata: [
                        "sys.events": "\(plan.events.count)", "sys.metrics": "\(plan.metrics.count)",
                        "sys.steps": "\(plan.steps.count)",
                    ])
                return
            } catch {
                if error.isPermanentForData {
                    logger.error(
                        "PostgreSQL rejected a burst; it is dropped.",
                        metadata: ["pg.error": "\(error)", "sys.events": "\(plan.events.count)"])
                    return
                }
                guard retrying, !queue.isStopRequested else {
                    logger.warning(
                        "Stopping: a burst could not be written.",
                        metadata: ["pg.error": "\(error)", "sys.lost": "\(burst.count)"])
                    return
                }
                failed(error)
                // Retry the same plan (the planner already counted it) once reconnected.
                if !writer.isConnected {
                    do { try writer.connect() } catch { continue }
                }
            }
        }
    }

    private func reportDrops() {
        let dropped = queue.takeDropped()
        if dropped > 0 {
            logger.warning("Messages were dropped while the queue was full.", metadata: ["sys.dropped": "\(dropped)"])
        }
    }
}
