import Storage

/// One table a retention run prunes, and how many days of it are kept.
package struct RetentionTarget: Sendable, Equatable {
    package var table: String
    package var days: Int

    package init(table: String, days: Int) {
        self.table = table
        self.days = days
    }
}

/// A database connection as `RetentionJob` uses it. The plugin's writer connection and the
/// ingester's retention connection conform (each with its own prune statements); unit tests
/// give the job a scripted fake.
package protocol MaintenanceDatabase: AnyObject {
    /// Takes session-level advisory lock `key` if nobody holds it (`TryAdvisoryLock`).
    func tryAdvisoryLock(key: Int64) throws(PostgresError) -> Bool

    /// Releases lock `key`; a failure is left to the session's end, which releases it too.
    func advisoryUnlock(key: Int64)

    /// A maintenance_runs row for a run of `job` that starts now; nil where
    /// schema/030_retention_rollups.sql is not applied.
    func startMaintenanceRun(job: String, runBy: String) throws(PostgresError) -> Int64?

    func finishMaintenanceRun(id: Int64, rowsDeleted: Int64, outcome: String, detail: String?) throws(PostgresError)

    /// Deletes at most `limit` rows of `target.table` older than `target.days` days.
    /// - Returns: how many it deleted.
    func prune(_ target: RetentionTarget, limit: Int) throws(PostgresError) -> Int
}

extension PostgresConnection {
    /// `MaintenanceDatabase.tryAdvisoryLock` for conformers that run on a `PostgresConnection`.
    package func tryAdvisoryLock(key: Int64, timeout: Duration) throws(PostgresError) -> Bool {
        TryAdvisoryLock.decode(try execute(TryAdvisoryLock(key: key), timeout: timeout))
    }

    /// `MaintenanceDatabase.advisoryUnlock`: a failure leaves the lock to the session's end.
    package func advisoryUnlock(key: Int64, timeout: Duration) {
        _ = try? execute(AdvisoryUnlock(key: key), timeout: timeout)
    }

    package func startMaintenanceRun(job: String, runBy: String, timeout: Duration) throws(PostgresError) -> Int64? {
        StartMaintenanceRun.decode(try execute(StartMaintenanceRun(job: job, runBy: runBy), timeout: timeout))
    }

    package func finishMaintenanceRun(
        id: Int64, rowsDeleted: Int64, outcome: String, detail: String?, timeout: Duration
    ) throws(PostgresError) {
        try execute(FinishMaintenanceRun(id: id, rowsDeleted: rowsDeleted, outcome: outcome, detail: detail), timeout: timeout)
    }
}
