import Foundation
import IngestCore
import IngesterConfig
import Locking
import Logging
import Maintenance
import Storage

/// Retention of the ingester's tables (--retention-days, --rollup-retention-days): at start, then
/// every --maintenance-interval, deletes what is older in bounded steps. A thread and a
/// PostgreSQL connection of its own, so bursts keep being written by the writer meanwhile; one
/// maintainer at a time among every ingester sharing the database (advisory lock
/// `MaintenanceLock.retentionKey`); a table the role may not delete from gets one warning and is
/// skipped, the rest goes on.
// @unchecked Sendable: `thread` is used only by start() and stop() (one thread), the other vars only by the maintainer's.
package final class RetentionMaintainer: @unchecked Sendable {
    /// Rows one DELETE removes at most, so no step holds many row locks for long.
    static let stepRows = 5000

    private let settings: IngesterSettings
    private let interrupt: PostgresInterrupt
    private let logger: Logger
    private let timeout = Duration.seconds(15)
    /// `stopping`, and whether the thread has ended.
    private let control = ConditionLocked((stopping: false, finished: false))
    /// Set once the thread runs (detached: `stop()` waits on `control`, with a limit).
    private var thread: PosixThread?
    /// Touched by the maintainer's thread only.
    private var connection: PostgresConnection?
    private var schedule: MaintenanceSchedule
    private var privilegeWarned: Set<String> = []
    private let runBy = "sys-ingester@\(ProcessInfo.processInfo.hostName)[\(getpid())]"

    package init(settings: IngesterSettings, interrupt: PostgresInterrupt, logger: Logger) {
        self.settings = settings
        self.interrupt = interrupt
        self.logger = logger
        self.schedule = MaintenanceSchedule(intervalSeconds: settings.maintenanceIntervalSeconds)
    }

    /// What a run prunes: each table with its retention (rollups have their own).
    private var jobs: [(table: PruneStep.Table, days: Int)] {
        var jobs: [(table: PruneStep.Table, days: Int)] = []
        if settings.retentionDays > 0 {
            for table in [PruneStep.Table.brokerMetrics, .events, .sessions, .subscriptions] {
                jobs.append((table: table, days: settings.retentionDays))
            }
        }
        if settings.rollupRetentionDays > 0 { jobs.append((table: .brokerMetricsRollup, days: settings.rollupRetentionDays)) }
        return jobs
    }

    /// Starts the thread, unless no retention is configured.
    /// - Throws: `PosixThreadError` when the system refuses a thread.
    package func start() throws(PosixThreadError) {
        guard !jobs.isEmpty else { return }
        let thread = try PosixThread.start { [self] in
            run()
            control.withLock { $0.finished = true }
            control.broadcast()
        }
        thread.detach()
        self.thread = thread
    }

    /// Ends the thread: a step in flight is abandoned by the stop's `PostgresInterrupt`.
    package func stop() {
        guard thread != nil else { return }
        control.withLock { $0.stopping = true }
        control.broadcast()
        control.withLock(when: { $0.finished }, untilNanoseconds: Clocks.monotonicDeadline(afterSeconds: 5)) { _, _ in }
    }

    private var stopping: Bool { control.withLock { $0.stopping } }

    /// Sleeps until `deadline` (monotonic nanoseconds) or a stop.
    private func sleep(untilNanoseconds deadline: Int64) {
        control.withLock(when: { $0.stopping }, untilNanoseconds: deadline) { _, _ in }
    }

    private func run() {
        while !stopping {
            let now = Clocks.monotonicNanoseconds()
            guard schedule.isDue(atNanoseconds: now) else {
                sleep(untilNanoseconds: now + schedule.nanosecondsUntilDue(atNanoseconds: now))
                continue
            }
            do {
                try runOnce()
            } catch {
                if error.kind == .interrupted || stopping { break }
                logger.warning(
                    "Retention: PostgreSQL failed; the run is retried in a minute.", metadata: ["pg.error": "\(error)"])
                connection?.close()
                connection = nil
                sleep(untilNanoseconds: Clocks.monotonicDeadline(afterSeconds: 60))
            }
        }
        connection?.close()
        connection = nil
    }

    private func connected() throws(PostgresError) -> PostgresConnection {
        if let connection, connection.isOpen { return connection }
        let fresh = try PostgresConnection(conninfo: settings.dsn, timeout: timeout, interrupt: interrupt)
        connection = fresh
        return fresh
    }

    /// One run: waits (without counting it) until the writer created the schema, takes the lock
    /// or leaves the run to the ingester that holds it, then prunes table by table.
    private func runOnce() throws(PostgresError) {
        let connection = try connected()
        let missing = try connection.execute(
            MissingRelations(jobs.map(\.table.rawValue) + ["maintenance_runs"]), timeout: timeout)
        guard missing.values.isEmpty else {
            sleep(untilNanoseconds: Clocks.monotonicDeadline(afterSeconds: 1))
            return
        }
        schedule.runStarted(atNanoseconds: Clocks.monotonicNanoseconds())
        let key = MaintenanceLock.retentionKey
        guard TryLockMaintenance.decode(try connection.execute(TryLockMaintenance(key: key), timeout: timeout)) else {
            logger.info(
                "Retention: another ingester on this database holds the maintenance lock and prunes; this run is skipped.",
                metadata: ["pg.lock_key": "\(key)"])
            return
        }
        defer { _ = try? connection.execute(UnlockMaintenance(key: key), timeout: timeout) }
        let recordID = (try? connection.execute(
            StartMaintenanceRun(job: MaintenanceLock.retentionJob, runBy: runBy), timeout: timeout
        )).flatMap(StartMaintenanceRun.decode)
        var deleted: [String: Int] = [:]
        var refused: [String] = []
        var failure: PostgresError?
        for (table, days) in jobs {
            do {
                deleted[table.rawValue] = try prune(table, days: days, on: connection)
            } catch let error where error.sqlState == .insufficientPrivilege {
                refused.append(table.rawValue)
                if privilegeWarned.insert(table.rawValue).inserted {
                    logger.warning(
                        "Retention: this role lacks the DELETE right on table \(table.rawValue), so its rows older than \(days) days are kept; everything else keeps working. Grant it: GRANT DELETE ON \(table.rawValue) TO <the ingester's role>.")
                }
            } catch let error where error.kind == .statement {
                logger.warning(
                    "Retention: pruning a table failed; the others go on.",
                    metadata: ["pg.table": "\(table.rawValue)", "pg.error": "\(error)"])
                failure = error
            }
            if stopping { break }
        }
        let total = deleted.values.reduce(0, +)
        let counts = jobs.map { "\($0.table.rawValue)=\(deleted[$0.table.rawValue] ?? 0)" }.joined(separator: " ")
        let outcome = stopping ? "interrupted" : !refused.isEmpty ? "no_privilege" : failure != nil ? "failed" : "done"
        var detail = counts
        if !refused.isEmpty { detail += "; no DELETE right on " + refused.joined(separator: ", ") }
        if let failure { detail += "; \(failure)" }
        if let recordID {
            _ = try? connection.execute(
                FinishMaintenanceRun(id: recordID, rowsDeleted: Int64(total), outcome: outcome, detail: detail),
                timeout: timeout)
        }
        logger.info(
            "Retention: run finished.", metadata: ["sys.outcome": "\(outcome)", "sys.deleted": "\(detail)"])
    }

    /// Deletes `table`'s rows older than `days` in steps of `stepRows` until a step finds fewer.
    private func prune(_ table: PruneStep.Table, days: Int, on connection: PostgresConnection) throws(PostgresError)
        -> Int
    {
        var total = 0
        while !stopping {
            let step = PruneStep(table: table, days: days, limit: Self.stepRows)
            let deleted = try connection.execute(step.prepared, step.bindings, timeout: timeout).affectedRows
            total += deleted
            if deleted < Self.stepRows { break }
        }
        return total
    }
}
