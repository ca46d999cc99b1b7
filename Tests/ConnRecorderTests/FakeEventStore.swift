@testable import ConnRecorder
import Glibc
import Maintenance
import Storage
import Locking

/// A database the writer can be tested against without PostgreSQL: it commits events into a
/// list, and can be switched down, made to hang (until released or its timeout), or told to
/// reject one client's events as bad data.
final class FakeEventStore: ConnEventStore {
    struct Database: Sendable {
        var up = true
        var hanging = false
        var rejectedClient: String?
        /// Committed events in commit order; an event key already present is skipped, as the
        /// unique index makes PostgreSQL do.
        var committed: [ConnEvent] = []
        var keys: Set<String> = []
        var writeCalls = 0
        var heartbeats: [BrokerHeartbeat] = []
        /// What `keptSessions` answers.
        var kept: [String] = []
        var connectionsOpened = 0
    }

    let database = ConditionLocked(Database())
    let timeout: Duration

    init(timeout: Duration) { self.timeout = timeout }

    func openWriterConnection(bootID: String) throws(PostgresError) -> any ConnEventStoreConnection {
        try open()
    }

    func openSpareConnection() throws(PostgresError) -> any ConnEventStoreConnection {
        try open()
    }

    /// A hanging database accepts the connection and never answers: the attempt times out.
    private func open() throws(PostgresError) -> Connection {
        let deadline = Clocks.monotonicDeadline(after: timeout)
        let failure = database.withLock { (database, timedOut) -> ConditionLocked<Database>.Step<PostgresError?> in
            if database.hanging && !timedOut { return .wait(untilMicroseconds: deadline) }
            if database.hanging { return .done(PostgresError(kind: .timeout, message: "fake hang while connecting")) }
            guard database.up else { return .done(PostgresError(kind: .connection, message: "fake database is down")) }
            database.connectionsOpened += 1
            return .done(nil)
        }
        if let failure { throw failure }
        return Connection(store: self)
    }

    /// Changes the database and wakes writes that hang.
    func update(_ change: (inout Database) -> Void) {
        database.withLock(change)
        database.broadcast()
    }

    var committed: [ConnEvent] { database.withLock { $0.committed } }

    final class Connection: ConnEventStoreConnection {
        let store: FakeEventStore
        private(set) var isOpen = true

        init(store: FakeEventStore) { self.store = store }

        func write(_ events: [ConnEvent]) throws(PostgresError) {
            let deadline = Clocks.monotonicDeadline(after: store.timeout)
            let outcome = store.database.withLock { (database, timedOut) -> ConditionLocked<Database>.Step<PostgresError?> in
                if database.hanging && !timedOut { return .wait(untilMicroseconds: deadline) }
                database.writeCalls += 1
                if database.hanging { return .done(PostgresError(kind: .timeout, message: "fake hang")) }
                guard database.up else { return .done(PostgresError(kind: .connection, message: "fake database went away")) }
                if let rejected = database.rejectedClient, events.contains(where: { $0.clientID == rejected }) {
                    return .done(PostgresError(kind: .statement, message: "check constraint", sqlState: "23514"))
                }
                for event in events where database.keys.insert(event.origin.eventKey).inserted {
                    database.committed.append(event)
                }
                return .done(nil)
            }
            if let outcome {
                if outcome.kind != .statement { isOpen = false }
                throw outcome
            }
        }

        func runsWithOpenSessions(brokerID: String, excluding bootID: String) throws(PostgresError) -> [String] { [] }
        func lockRun(_ run: String) throws(PostgresError) -> Bool { true }
        func unlockRun(_ run: String) {}
        func sessionsLeftOpen(brokerID: String, run: String) throws(PostgresError) -> [SessionLeftOpen] { [] }
        func recordHeartbeat(_ heartbeat: BrokerHeartbeat) throws(PostgresError) {
            store.database.withLock { $0.heartbeats.append(heartbeat) }
        }
        func keptSessions(brokerID: String) throws(PostgresError) -> [String] {
            store.database.withLock { $0.kept }
        }
        // Retention is tested against PostgreSQL (IntegrationTests/RetentionTests): here, nothing to prune.
        func tryAdvisoryLock(key: Int64) throws(PostgresError) -> Bool { true }
        func advisoryUnlock(key: Int64) {}
        func startMaintenanceRun(job: String, runBy: String) throws(PostgresError) -> Int64? { nil }
        func finishMaintenanceRun(id: Int64, rowsDeleted: Int64, outcome: String, detail: String?) throws(PostgresError) {}
        func prune(_ target: RetentionTarget, limit: Int) throws(PostgresError) -> Int { 0 }
        // Daily statistics are tested against PostgreSQL (IntegrationTests/ConnPluginRetentionTests).
        func startDailyStatsFold(brokerID: String) throws(PostgresError) -> Int64? { nil }
        func newestEventID() throws(PostgresError) -> Int64 { 0 }
        func foldDailyStats(brokerID: String, after: Int64, through: Int64) throws(PostgresError) -> DailyStatsFold {
            DailyStatsFold(advanced: false, rowsCounted: 0)
        }
        func close() { isOpen = false }
    }
}
