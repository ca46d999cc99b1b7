import Foundation
import IngestCore
import Locking
import Logging
import Storage

/// The writer side, one for all brokers: takes bursts from the queue, plans each broker's part
/// with that broker's planner (its sessions, uptime and dialect are its own) and writes the burst
/// in one transaction, reconnecting to PostgreSQL with backoff while keeping messages in the
/// bounded queue.
package struct IngestLoop {
    let queue: IngestQueue
    /// `PostgresWriter`, or a fake in the unit tests.
    let writer: any IngestDatabase
    /// The `broker` column of each broker, at the index its inputs carry.
    let brokers: [String]
    /// The ingester's MQTT client id at each broker, same order.
    let clientIDs: [String]
    let logger: Logger
    let observer: any IngestObserver
    /// Quiet time that ends a burst.
    let window: Duration
    /// The most inputs in one transaction.
    let maximumBurst: Int
    /// How long a stop may spend on PostgreSQL: finishing the transaction in flight, then writing
    /// what is still queued. The MQTT connection stays open until the loop returns, so under
    /// sustained load the queue never runs empty: without a limit a SIGTERM waited for the load
    /// to end (measured: 30 s instead of 1 s). A database that does not answer is abandoned
    /// when the limit passes (`PostgresInterrupt`), not after its 15 s timeout.
    package static let stopFlushLimit = Duration.seconds(2)

    /// One per broker, loaded from the database once it is reachable.
    private var planners: [BurstPlanner?]
    private var database: StateLog
    private var backoff = Self.firstBackoff
    private static let firstBackoff = Duration.milliseconds(500)

    /// - Parameters:
    ///   - brokers: the `broker` column of each broker, at the index its inputs carry.
    ///   - clientIDs: the ingester's MQTT client id at each broker, same order.
    ///   - window: quiet time that ends a burst.
    ///   - maximumBurst: the most inputs in one transaction.
    package init(
        queue: IngestQueue, writer: any IngestDatabase, brokers: [String], clientIDs: [String], logger: Logger,
        observer: any IngestObserver = SilentIngestObserver(), window: Duration, maximumBurst: Int
    ) {
        self.queue = queue
        self.writer = writer
        self.brokers = brokers
        self.clientIDs = clientIDs
        self.logger = logger
        self.observer = observer
        self.window = window
        self.maximumBurst = maximumBurst
        self.database = StateLog(logger: logger)
        self.planners = Array(repeating: nil, count: brokers.count)
    }

    private var plannersLoaded: Bool { !planners.contains { $0 == nil } }

    /// Runs until a stop is requested, then writes what is queued once (if PostgreSQL is up).
    package mutating func run() {
        while !queue.isStopRequested {
            guard ensureReady() else { continue }
            guard let burst = queue.nextBurst(window: window, maximum: maximumBurst) else { break }
            write(burst, retrying: true)
            observer.queueDepth(queue.depth)
            reportDrops()
        }
        // Stopping: the transaction in flight has ended (committed, or abandoned when the stop's
        // limit passed); flush the rest once, no retries, within the same limit.
        // On the monotonic clock: a wall-clock step must neither cut the flush short nor stretch it.
        let deadline = Clocks.monotonicDeadline(after: Self.stopFlushLimit)
        while writer.isConnected, plannersLoaded, Clocks.monotonicMicroseconds() < deadline {
            let rest = queue.drain(maximum: maximumBurst)
            if rest.isEmpty { break }
            write(rest, retrying: false)
        }
        // The next process measures its gap from here (broker_status.ingester_last_seen).
        if writer.isConnected {
            let heard = brokers.indices.filter { planners[$0]?.gaps.isConnected == true }.map { brokers[$0] }
            do {
                try writer.touch(brokers: heard, atMicros: Clocks.wallMicroseconds())
            } catch {
                logger.debug("Stopping: could not record when the brokers were last heard.", metadata: ["pg.error": "\(error)"])
            }
        }
        let rest = queue.drain(maximum: Int.max)
        if !rest.isEmpty {
            logger.warning(
                "Stopping: queued messages are not written.", metadata: ["sys.lost": "\(rest.count)"])
            observer.messagesLost(rest.count)
        }
        writer.close()
    }

    /// Connects (and loads each broker's tracker once); on failure sleeps with backoff.
    private mutating func ensureReady() -> Bool {
        if writer.isConnected && plannersLoaded { return true }
        do {
            if !writer.isConnected { try writer.connect() }
            for (index, broker) in brokers.enumerated() where planners[index] == nil {
                planners[index] = try writer.loadPlanner(broker: broker, ownClientID: clientIDs[index])
            }
            database.enter("up", .info, "Connected to PostgreSQL.")
            observer.databaseConnection(isUp: true)
            backoff = Self.firstBackoff
            return true
        } catch {
            failed(error)
            return false
        }
    }

    private mutating func failed(_ error: PostgresError) {
        // Abandoned because we are stopping: not a state of the database worth a line.
        if error.kind == .interrupted { return }
        observer.databaseConnection(isUp: false)
        database.enter(
            "down", .warning, "PostgreSQL is unavailable; keeping messages in memory and retrying with backoff.",
            metadata: ["pg.error": "\(error)"])
        queue.sleep(backoff)
        backoff = min(backoff * 2, .seconds(30))
    }

    /// Plans each broker's inputs of the burst (in arrival order, brokers in order of first
    /// arrival) with that broker's planner.
    private mutating func plan(_ burst: [BrokerInput]) -> [(broker: String, plan: BurstPlan)] {
        var order: [Int] = []
        var inputs: [Int: [IngestInput]] = [:]
        for item in burst {
            if inputs[item.broker] == nil { order.append(item.broker) }
            inputs[item.broker, default: []].append(item.input)
        }
        return order.compactMap { index in
            guard var planner = planners[index] else { return nil }
            let plan = planner.plan(inputs[index] ?? [])
            planners[index] = planner
            return (brokers[index], plan)
        }
    }

    private mutating func write(_ burst: [BrokerInput], retrying: Bool) {
        guard plannersLoaded else { return }
        let plans = plan(burst)
        let events = plans.reduce(0) { $0 + $1.plan.events.count }
        while true {
            let started = Clocks.monotonicMicroseconds()
            do {
                try writer.write(plans)
                observer.writeFinished(after: Self.elapsed(since: started), committed: true)
                for (broker, plan) in plans { observer.rowsWritten(broker, rows: plan.rowCounts) }
                database.enter("up", .info, "Connected to PostgreSQL.")
                backoff = Self.firstBackoff
                logger.debug(
                    "Wrote a burst.",
                    metadata: [
                        "sys.brokers": "\(plans.count)", "sys.events": "\(events)",
                        "sys.metrics": "\(plans.reduce(0) { $0 + $1.plan.metrics.count })",
                        "sys.steps": "\(plans.reduce(0) { $0 + $1.plan.steps.count })",
                    ])
                return
            } catch {
                observer.writeFinished(after: Self.elapsed(since: started), committed: false)
                if error.isPermanentForData {
                    logger.error(
                        "PostgreSQL rejected a burst; it is dropped.",
                        metadata: ["pg.error": "\(error)", "sys.events": "\(events)"])
                    observer.messagesLost(burst.count)
                    return
                }
                guard retrying, !queue.isStopRequested else {
                    logger.warning(
                        "Stopping: a burst could not be written.",
                        metadata: ["pg.error": "\(error)", "sys.lost": "\(burst.count)"])
                    observer.messagesLost(burst.count)
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
            logger.warning(
                "Messages were dropped while the queue was full.", metadata: ["sys.dropped": "\(dropped)"])
            observer.messagesLost(dropped)
        }
    }

    /// The span from `start` (monotonic microseconds) to now.
    private static func elapsed(since start: Int64) -> Duration {
        .microseconds(Clocks.monotonicMicroseconds() - start)
    }
}
