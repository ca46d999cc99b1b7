import Logging
import Maintenance
import Storage
import TestSupport
import Testing

/// Retention as both programs drive it, one bounded step per call, against a scripted database.
@Suite struct RetentionJobTests {
    static let identity = RetentionJob.Identity(
        job: "test_retention", lockKey: 42, runBy: "edge-1", peer: "plugin", role: "the plugin's role")
    static let hour: Int64 = 3_600_000_000

    static func job(_ targets: [RetentionTarget], log: LogCapture = LogCapture()) -> RetentionJob {
        RetentionJob(targets: targets, identity: identity, intervalSeconds: 3600, logger: log.logger(label: "retention-test"))
    }

    /// Steps until the run ends (at most `limit` steps, so a job that never ends fails the test).
    static func runToEnd(_ job: inout RetentionJob, on database: FakeMaintenanceDatabase, at now: Int64, limit: Int = 100)
        throws -> Int
    {
        var steps = 0
        while try job.step(on: database, atMicroseconds: now) {
            steps += 1
            if steps == limit { Issue.record("the run did not end within \(limit) steps"); break }
        }
        return steps
    }

    @Test func aRunPrunesEveryTableInBoundedStepsAndRecordsWhatItDeleted() throws {
        let database = FakeMaintenanceDatabase(rows: ["events": 12_001, "sessions": 3])
        var job = Self.job([RetentionTarget(table: "events", days: 30), RetentionTarget(table: "sessions", days: 7)])
        #expect(job.isDue(atMicroseconds: 0))
        _ = try Self.runToEnd(&job, on: database, at: 0)

        #expect(database.rows == ["events": 0, "sessions": 0])
        // 5000, 5000, 2001 (fewer: the table is done), then 3.
        #expect(database.prunes.map(\.limit).allSatisfy { $0 == RetentionJob.largestStepRows })
        #expect(database.prunes.map(\.table) == ["events", "events", "events", "sessions"])
        #expect(database.prunes.allSatisfy { $0.days == ($0.table == "events" ? 30 : 7) })
        #expect(database.started == [("test_retention", "edge-1")].map(FakeMaintenanceDatabase.Started.init))
        #expect(database.finished == [.init(id: 1, rows: 12_004, outcome: "done", detail: "events=12001 sessions=3")])
        #expect(database.lockHeld == false)
        #expect(!job.isRunning)
        // The next run is due one interval after this one started.
        #expect(!job.isDue(atMicroseconds: Self.hour - 1))
        #expect(job.isDue(atMicroseconds: Self.hour))
    }

    @Test func aRunLeavesTheTablesToWhoeverHoldsTheLock() throws {
        let database = FakeMaintenanceDatabase(rows: ["events": 10])
        database.lockTakenElsewhere = true
        let log = LogCapture()
        var job = Self.job([RetentionTarget(table: "events", days: 30)], log: log)
        #expect(try job.step(on: database, atMicroseconds: 0) == false)
        #expect(database.prunes.isEmpty && database.started.isEmpty)
        #expect(database.rows["events"] == 10)
        #expect(log.messages.contains { $0.contains("another plugin on this database holds the maintenance lock") })
        // Skipped, not retried at once: the next attempt is one interval later.
        #expect(!job.isDue(atMicroseconds: 1))
    }

    @Test func aRefusedTableIsSkippedWithOneWarningPerProcessAndTheOthersArePruned() throws {
        let database = FakeMaintenanceDatabase(rows: ["events": 4, "sessions": 6])
        database.refused = ["events"]
        let log = LogCapture()
        var job = Self.job([RetentionTarget(table: "events", days: 30), RetentionTarget(table: "sessions", days: 30)], log: log)
        _ = try Self.runToEnd(&job, on: database, at: 0)
        _ = try Self.runToEnd(&job, on: database, at: Self.hour)

        #expect(database.rows == ["events": 4, "sessions": 0])
        #expect(database.finished.map(\.outcome) == ["no_privilege", "no_privilege"])
        #expect(database.finished.first?.detail == "events=0 sessions=6; this role lacks the DELETE right on table events")
        let warning = "lacks the DELETE right on table events"
        #expect(log.messages.filter { $0.contains(warning) }.count == 1)
        #expect(log.messages.contains { $0.contains("GRANT DELETE ON events TO <the plugin's role>") })
    }

    @Test func aStepTheStatementTimeoutEndsIsRetriedWithHalfTheRows() throws {
        let database = FakeMaintenanceDatabase(rows: ["events": 7000])
        database.timeoutsLeft = 2
        var job = Self.job([RetentionTarget(table: "events", days: 30)])
        _ = try Self.runToEnd(&job, on: database, at: 0)
        #expect(database.rows["events"] == 0)
        #expect(database.prunes.map(\.limit).prefix(3) == [5000, 2500, 1250])
        #expect(database.finished.map(\.outcome) == ["done"])
        #expect(database.finished.first?.rows == 7000)
    }

    @Test func aTableThatFailsOtherwiseEndsTheRunAsFailedAfterTheOthers() throws {
        let database = FakeMaintenanceDatabase(rows: ["events": 5, "sessions": 6])
        database.failing = ["events"]
        var job = Self.job([RetentionTarget(table: "events", days: 30), RetentionTarget(table: "sessions", days: 30)])
        _ = try Self.runToEnd(&job, on: database, at: 0)
        #expect(database.rows == ["events": 5, "sessions": 0])
        #expect(database.finished.map(\.outcome) == ["failed"])
        #expect(database.finished.first?.detail.hasPrefix("events=0 sessions=6; events: PostgreSQL error XX000") == true)
    }

    @Test func aRunWhoseConnectionIsLostIsRecordedAsInterruptedOnTheNextConnection() throws {
        let first = FakeMaintenanceDatabase(rows: ["events": 12_000])
        var job = Self.job([RetentionTarget(table: "events", days: 30)])
        #expect(try job.step(on: first, atMicroseconds: 0))  // locked, recorded
        #expect(try job.step(on: first, atMicroseconds: 0))  // 5000 deleted
        first.connectionDown = true
        #expect(throws: PostgresError.self) { try job.step(on: first, atMicroseconds: 0) }
        job.connectionLost()

        let second = FakeMaintenanceDatabase(rows: [:])
        second.nextRunID = 99
        #expect(try job.step(on: second, atMicroseconds: 1) == false)
        // Recorded (by id, on the new connection); neither pruned there nor unlocked: the lock was the lost session's.
        #expect(second.finished == [.init(id: 1, rows: 5000, outcome: "interrupted", detail: "the connection to PostgreSQL was lost")])
        #expect(second.prunes.isEmpty && second.unlocks == 0 && second.locks == 0)
        #expect(!job.isRunning)
    }

    @Test func aStopAfterTheConnectionWasLostRecordsTheRunOnTheNewConnection() throws {
        let first = FakeMaintenanceDatabase(rows: ["events": 12_000])
        var job = Self.job([RetentionTarget(table: "events", days: 30)])
        #expect(try job.step(on: first, atMicroseconds: 0))
        #expect(try job.step(on: first, atMicroseconds: 0))
        job.connectionLost()
        let second = FakeMaintenanceDatabase(rows: [:])
        job.interrupt(on: second, reason: "the broker stopped")
        #expect(second.finished == [.init(id: 1, rows: 5000, outcome: "interrupted", detail: "the connection to PostgreSQL was lost")])
        #expect(second.unlocks == 0)
        #expect(!job.isRunning)
    }

    @Test func aStopInterruptsTheRunAndReleasesTheLock() throws {
        let database = FakeMaintenanceDatabase(rows: ["events": 12_000])
        var job = Self.job([RetentionTarget(table: "events", days: 30)])
        #expect(try job.step(on: database, atMicroseconds: 0))
        #expect(try job.step(on: database, atMicroseconds: 0))
        job.interrupt(on: database, reason: "the broker stopped")
        #expect(database.finished == [.init(id: 1, rows: 5000, outcome: "interrupted", detail: "events=5000; the broker stopped")])
        #expect(database.lockHeld == false)
        #expect(!job.isRunning)
    }

    @Test func noTargetsMeansNothingIsEverDue() throws {
        let database = FakeMaintenanceDatabase(rows: [:])
        var job = Self.job([])
        #expect(!job.isDue(atMicroseconds: 0))
        #expect(try job.step(on: database, atMicroseconds: 0) == false)
        #expect(database.locks == 0)
    }

    @Test func theReportNamesTheFirstOutcomeThatApplies() {
        let targets = [RetentionTarget(table: "a", days: 1)]
        var report = RetentionReport(targets: targets, deleted: [3], refused: [], failures: [], interruption: nil)
        #expect(report.outcome == "done")
        #expect(report.summary == "deleted 3 rows of a older than 1 days.")
        report.failures = ["a: boom"]
        #expect(report.outcome == "failed")
        report.refused = ["a"]
        #expect(report.outcome == "no_privilege")
        report.interruption = "stopped"
        #expect(report.outcome == "interrupted")
        #expect(report.detail == "a=3; this role lacks the DELETE right on table a; a: boom; stopped")
        // The summary does not repeat the refusal: its warning is logged once per process.
        #expect(!report.summary.contains("lacks"))
    }
}

/// A scripted database: tables with a number of old rows, a lock others may hold, refusals,
/// statement timeouts and failures on demand.
final class FakeMaintenanceDatabase: MaintenanceDatabase {
    struct Prune: Equatable {
        var table: String
        var days: Int
        var limit: Int
    }

    struct Started: Equatable {
        var job: String
        var runBy: String
        init(_ job: String, _ runBy: String) {
            self.job = job
            self.runBy = runBy
        }
    }

    struct Finished: Equatable {
        var id: Int64
        var rows: Int64
        var outcome: String
        var detail: String
    }

    var rows: [String: Int]
    var lockTakenElsewhere = false
    var refused: Set<String> = []
    var failing: Set<String> = []
    var timeoutsLeft = 0
    var connectionDown = false
    var nextRunID: Int64 = 1

    private(set) var lockHeld = false
    private(set) var locks = 0
    private(set) var unlocks = 0
    private(set) var prunes: [Prune] = []
    private(set) var started: [Started] = []
    private(set) var finished: [Finished] = []

    init(rows: [String: Int]) { self.rows = rows }

    private func checkConnection() throws(PostgresError) {
        if connectionDown { throw PostgresError(kind: .connection, message: "server closed the connection unexpectedly") }
    }

    func tryAdvisoryLock(key: Int64) throws(PostgresError) -> Bool {
        try checkConnection()
        locks += 1
        guard !lockTakenElsewhere else { return false }
        lockHeld = true
        return true
    }

    func advisoryUnlock(key: Int64) {
        unlocks += 1
        lockHeld = false
    }

    func startMaintenanceRun(job: String, runBy: String) throws(PostgresError) -> Int64? {
        try checkConnection()
        started.append(Started(job, runBy))
        defer { nextRunID += 1 }
        return nextRunID
    }

    func finishMaintenanceRun(id: Int64, rowsDeleted: Int64, outcome: String, detail: String?) throws(PostgresError) {
        try checkConnection()
        finished.append(Finished(id: id, rows: rowsDeleted, outcome: outcome, detail: detail ?? ""))
    }

    func prune(_ target: RetentionTarget, limit: Int) throws(PostgresError) -> Int {
        try checkConnection()
        prunes.append(Prune(table: target.table, days: target.days, limit: limit))
        if refused.contains(target.table) {
            throw PostgresError(kind: .statement, message: "permission denied for table \(target.table)", sqlState: .insufficientPrivilege)
        }
        if failing.contains(target.table) {
            throw PostgresError(kind: .statement, message: "internal error", sqlState: SQLState(rawValue: "XX000"))
        }
        if timeoutsLeft > 0 {
            timeoutsLeft -= 1
            throw PostgresError(kind: .statement, message: "canceling statement due to statement timeout", sqlState: .queryCanceled)
        }
        let deleted = min(limit, rows[target.table] ?? 0)
        rows[target.table] = (rows[target.table] ?? 0) - deleted
        return deleted
    }
}
