import IngestCore
import IngesterRuntime
import Locking
import Storage

/// A database the ingest loop can be tested against without PostgreSQL: it keeps every committed
/// burst in order, remembers the clean stop's "last heard" marks for the next run's planners, and
/// can be told to refuse connections or to lose the connection during a write.
final class FakeIngestDatabase: IngestDatabase, Sendable {
    struct Record: Sendable {
        var isConnected = false
        var connectCalls = 0
        /// The next this many `connect()` calls fail (the database is away).
        var failingConnects = 0
        /// The next this many `write` calls fail as a lost connection (nothing of them commits).
        var failingWrites = 0
        /// Committed bursts, in commit order.
        var bursts: [[(broker: String, plan: BurstPlan)]] = []
        /// `broker_status.ingester_last_seen` per broker, as `touch` and `loadPlanner` use it.
        var lastHeard: [String: Int64] = [:]
        var touches: [[String]] = []
        var closed = false
    }

    let record = ConditionLocked(Record())

    /// Waits until `isDone` holds for what was recorded, at most 60 s (a guard against a hang,
    /// not a timing check).
    /// - Returns: whether it holds.
    func waitUntil(_ isDone: (Record) -> Bool) -> Bool {
        record.withLock(when: isDone, untilMicroseconds: Clocks.monotonicDeadline(after: .seconds(60))) { _, ready in ready }
    }

    /// Every committed plan of `broker`, burst by burst.
    func plans(of broker: String) -> [BurstPlan] {
        record.withLock { $0.bursts.flatMap { $0.filter { $0.broker == broker }.map(\.plan) } }
    }

    /// The clients of every committed log event of `broker`, in commit order.
    func eventClients(of broker: String) -> [String] {
        plans(of: broker).flatMap { $0.events.compactMap(\.client) }
    }

    private func changed<Result>(_ body: (inout Record) -> Result) -> Result {
        defer { record.broadcast() }
        return record.withLock(body)
    }

    // MARK: - IngestDatabase

    var isConnected: Bool { record.withLock { $0.isConnected } }

    func connect() throws(PostgresError) {
        let refused = changed { record -> Bool in
            record.connectCalls += 1
            guard record.failingConnects == 0 else {
                record.failingConnects -= 1
                record.isConnected = false
                return true
            }
            record.isConnected = true
            return false
        }
        if refused { throw PostgresError(kind: .connection, message: "connection refused (fake)") }
    }

    func loadPlanner(broker: String, ownClientID: String) throws(PostgresError) -> BurstPlanner {
        let lastHeard = try open { $0.lastHeard[broker] }
        return BurstPlanner(tracker: SessionTracker(), lastHeardMicros: lastHeard, ownClientID: ownClientID)
    }

    func write(_ plans: [(broker: String, plan: BurstPlan)]) throws(PostgresError) {
        // As PostgresWriter: a burst whose plans are all empty is no transaction.
        guard plans.contains(where: { !$0.plan.isEmpty }) else { return }
        let lost = changed { record -> Bool in
            guard record.isConnected else { return true }
            guard record.failingWrites == 0 else {
                record.failingWrites -= 1
                record.isConnected = false
                return true
            }
            record.bursts.append(plans.filter { !$0.plan.isEmpty })
            return false
        }
        if lost { throw PostgresError(kind: .connection, message: "server closed the connection (fake)") }
    }

    func touch(brokers: [String], atMicros ts: Int64) throws(PostgresError) {
        try open { record in
            record.touches.append(brokers)
            for broker in brokers { record.lastHeard[broker] = ts }
        }
    }

    func close() {
        changed {
            $0.isConnected = false
            $0.closed = true
        }
    }

    private func open<Result>(_ body: (inout Record) -> Result) throws(PostgresError) -> Result {
        let result: Result? = changed { record in record.isConnected ? body(&record) : nil }
        guard let result else { throw PostgresError(kind: .connection, message: "not connected (fake)") }
        return result
    }
}
