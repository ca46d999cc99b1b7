import Logging
import Storage

/// Retention as both programs run it, one bounded step per call. When a run is due it takes the
/// job's advisory lock (or leaves the run to the plugin or ingester that holds it) and records the
/// run in maintenance_runs; then each step deletes at most `stepRows` old rows of one target, so
/// the caller does its other work (the plugin's writer: event batches) between steps; the last
/// step records how the run ended and releases the lock.
///
/// A step that the server's statement_timeout ends is retried with half as many rows; a table the
/// role may not delete from is skipped with one warning per process; a table whose step fails
/// otherwise is skipped for this run. The others go on either way.
package struct RetentionJob {
    /// Who runs the job, as maintenance_runs and the logs name it.
    package struct Identity: Sendable {
        /// maintenance_runs.job.
        package var job: String
        /// The job's advisory-lock key, the same in every program that runs it.
        package var lockKey: Int64
        /// maintenance_runs.run_by: the broker id, or the ingester's host and pid.
        package var runBy: String
        /// What else may hold the lock, for the log: "plugin", "ingester".
        package var peer: String
        /// The role to grant a missing right to, for the log: "the plugin's role".
        package var role: String

        package init(job: String, lockKey: Int64, runBy: String, peer: String, role: String) {
            self.job = job
            self.lockKey = lockKey
            self.runBy = runBy
            self.peer = peer
            self.role = role
        }
    }

    /// Rows one step deletes at most: small enough to commit well within a statement timeout, so
    /// whatever waits for the connection waits for one step at most.
    package static let largestStepRows = 5000
    package static let smallestStepRows = 100

    private struct Run {
        var recordID: Int64?
        /// The index in `targets` of the table being pruned.
        var target = 0
        var stepRows = RetentionJob.largestStepRows
        var deleted: [Int]
        var refused: [String] = []
        var failures: [String] = []
        /// The connection holding the lock was lost: the run cannot go on (the lock went with it).
        var lost = false
    }

    package let targets: [RetentionTarget]
    package let identity: Identity
    private let logger: Logger
    private var schedule: MaintenanceSchedule
    private var run: Run?
    /// Tables whose missing DELETE right was logged: once per process, not at every run.
    private var privilegeWarned: Set<String> = []

    package init(targets: [RetentionTarget], identity: Identity, intervalSeconds: Int, logger: Logger) {
        self.targets = targets
        self.identity = identity
        self.logger = logger
        self.schedule = MaintenanceSchedule(intervalSeconds: intervalSeconds)
    }

    /// A run is in progress: the caller steps again without waiting.
    package var isRunning: Bool { run != nil }

    /// Whether `step` has anything to do at `now`.
    package func isDue(atMicroseconds now: Int64) -> Bool {
        !targets.isEmpty && (run != nil || schedule.isDue(atMicroseconds: now))
    }

    /// How long until `step` has something to do; 0 when it has.
    package func microsecondsUntilDue(atMicroseconds now: Int64) -> Int64 {
        isDue(atMicroseconds: now) ? 0 : schedule.microsecondsUntilDue(atMicroseconds: now)
    }

    /// One step: starts a run when one is due, else deletes one batch of the current table, or
    /// ends the run its lost connection left (recorded as interrupted).
    ///
    /// - Returns: whether a run is in progress after the step.
    /// - Throws: the connection's failures (anything but a statement's error). The caller
    ///   abandons the connection and calls `connectionLost()`.
    @discardableResult
    package mutating func step(on database: some MaintenanceDatabase, atMicroseconds now: Int64) throws(PostgresError) -> Bool {
        guard var current = run else {
            guard !targets.isEmpty, schedule.isDue(atMicroseconds: now) else { return false }
            schedule.runStarted(atMicroseconds: now)
            try start(on: database)
            return run != nil
        }
        if current.lost {
            recordLost(current, on: database)
            return false
        }
        let target = targets[current.target]
        do throws(PostgresError) {
            let deleted = try database.prune(target, limit: current.stepRows)
            current.deleted[current.target] += deleted
            if deleted < current.stepRows { current.target += 1 }
        } catch let error where error.sqlState == .insufficientPrivilege {
            current.refused.append(target.table)
            current.target += 1
            if privilegeWarned.insert(target.table).inserted {
                logger.warning(
                    "retention: this role lacks the DELETE right on table \(target.table), so its rows older than \(target.days) days are kept; everything else keeps working. Grant it: GRANT DELETE ON \(target.table) TO <\(identity.role)>.")
            }
        } catch let error where error.sqlState == .queryCanceled && current.stepRows > Self.smallestStepRows {
            // statement_timeout ended the step: the table is busy or large; smaller steps.
            current.stepRows = max(Self.smallestStepRows, current.stepRows / 2)
        } catch let error where error.kind == .statement {
            logger.warning(
                "retention: pruning table \(target.table) failed; this run goes on with the other tables.",
                metadata: ["pg.table": "\(target.table)", "pg.error": "\(error)"])
            current.failures.append("\(target.table): \(error)")
            current.target += 1
        }
        run = current
        guard current.target == targets.count else { return true }
        end(on: database, interruption: nil)
        return false
    }

    /// The connection was abandoned: a run in progress ends at the next step, on the next connection.
    package mutating func connectionLost() {
        run?.lost = true
    }

    /// Ends a run in progress at a stop: records it as interrupted by `reason` and releases the
    /// lock, where `database` (the connection that holds it) is still usable.
    package mutating func interrupt(on database: (any MaintenanceDatabase)?, reason: String) {
        guard let current = run else { return }
        guard let database else {
            run = nil
            return
        }
        if current.lost {
            recordLost(current, on: database)
        } else {
            end(on: database, interruption: reason)
        }
    }

    /// Ends a run whose connection was lost: the lock was that session's, so this connection
    /// only records the end.
    private mutating func recordLost(_ current: Run, on database: some MaintenanceDatabase) {
        run = nil
        guard let id = current.recordID else { return }
        try? database.finishMaintenanceRun(
            id: id, rowsDeleted: Int64(current.deleted.reduce(0, +)), outcome: "interrupted",
            detail: "the connection to PostgreSQL was lost")
    }

    private mutating func start(on database: some MaintenanceDatabase) throws(PostgresError) {
        let locked: Bool
        do throws(PostgresError) {
            locked = try database.tryAdvisoryLock(key: identity.lockKey)
        } catch let error where error.kind == .statement {
            logger.warning("retention: could not take the maintenance lock; this run is skipped.", metadata: ["pg.error": "\(error)"])
            return
        }
        guard locked else {
            logger.info(
                "retention: another \(identity.peer) on this database holds the maintenance lock of \(identity.job) and prunes; this run is skipped.",
                metadata: ["pg.lock_key": "\(identity.lockKey)"])
            return
        }
        var recordID: Int64?
        do throws(PostgresError) {
            recordID = try database.startMaintenanceRun(job: identity.job, runBy: identity.runBy)
        } catch let error where error.kind == .statement {
            // Pruning does not depend on the record; a missing INSERT right on maintenance_runs is no reason to stop.
            logger.debug("retention: the run is not recorded in maintenance_runs.", metadata: ["pg.error": "\(error)"])
        }
        run = Run(recordID: recordID, deleted: Array(repeating: 0, count: targets.count))
    }

    private mutating func end(on database: some MaintenanceDatabase, interruption: String?) {
        guard let current = run else { return }
        run = nil
        let report = RetentionReport(
            targets: targets, deleted: current.deleted, refused: current.refused, failures: current.failures,
            interruption: interruption)
        if let id = current.recordID {
            do throws(PostgresError) {
                try database.finishMaintenanceRun(
                    id: id, rowsDeleted: Int64(report.total), outcome: report.outcome, detail: report.detail)
            } catch {
                logger.debug("retention: the run's end is not recorded in maintenance_runs.", metadata: ["pg.error": "\(error)"])
            }
        }
        database.advisoryUnlock(key: identity.lockKey)
        logger.info("retention: \(report.summary)", metadata: ["retention.outcome": "\(report.outcome)", "retention.run_by": "\(identity.runBy)"])
    }
}

/// How a retention run ended, as maintenance_runs (outcome, detail, rows_deleted) and the log say it.
package struct RetentionReport: Sendable, Equatable {
    package var targets: [RetentionTarget]
    package var deleted: [Int]
    /// Tables this role may not delete from.
    package var refused: [String]
    /// "table: error" for each table whose pruning failed otherwise.
    package var failures: [String]
    /// Why the run was cut short, if it was.
    package var interruption: String?

    package init(
        targets: [RetentionTarget], deleted: [Int], refused: [String], failures: [String], interruption: String?
    ) {
        self.targets = targets
        self.deleted = deleted
        self.refused = refused
        self.failures = failures
        self.interruption = interruption
    }

    package var total: Int { deleted.reduce(0, +) }

    /// interrupted, no_privilege, failed or done: the first that applies.
    package var outcome: String {
        interruption != nil ? "interrupted" : !refused.isEmpty ? "no_privilege" : !failures.isEmpty ? "failed" : "done"
    }

    /// Rows deleted per table, then what went wrong.
    package var detail: String {
        var parts = [zip(targets, deleted).map { "\($0.table)=\($1)" }.joined(separator: " ")]
        parts += refused.map { "this role lacks the DELETE right on table \($0)" }
        parts += failures
        if let interruption { parts.append(interruption) }
        return parts.joined(separator: "; ")
    }

    /// One line for the log. What went wrong is not repeated: each refusal and failure has its own
    /// warning, the refusal once per process.
    package var summary: String {
        let deletedText = zip(targets, deleted).map { "\($1) rows of \($0.table) older than \($0.days) days" }
            .joined(separator: ", ")
        return outcome == "done" ? "deleted \(deletedText)." : "run ended (\(outcome)): deleted \(deletedText)."
    }
}
