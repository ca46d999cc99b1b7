import Storage

// The statements both programs run around a maintenance job (retention), one type each: the SQL
// is the file of `Sources/Shared/Maintenance/sql/` of the same name (compiled in by SwiftPM's
// `.embedInCode`), `bindings` lists the fields in the file's `$n` order, and a static `decode`
// reads its rows. One copy for the plugin's writer and the ingester's maintainer.

/// Takes session-level advisory lock `key` if nobody holds it (sql/try_advisory_lock.sql). Both
/// programs' locks: a maintenance job's fixed key (one maintainer at a time among every plugin and
/// ingester sharing the database) and the plugin's run-liveness lock (`ConnStatements.runLockKey`).
package struct TryAdvisoryLock: PostgresStatement {
    package static let sql = String(decoding: PackageResources.try_advisory_lock_sql, as: UTF8.self)
    package static let name = "shared_try_advisory_lock"
    package let key: Int64

    package init(key: Int64) { self.key = key }

    package var bindings: [PostgresValue?] { [.int(key)] }

    /// Whether the lock was taken.
    package static func decode(_ rows: PostgresRows) -> Bool { rows.scalar == "t" }
}

/// Releases a lock `TryAdvisoryLock` took (sql/advisory_unlock.sql).
package struct AdvisoryUnlock: PostgresStatement {
    package static let sql = String(decoding: PackageResources.advisory_unlock_sql, as: UTF8.self)
    package static let name = "shared_advisory_unlock"
    package let key: Int64

    package init(key: Int64) { self.key = key }

    package var bindings: [PostgresValue?] { [.int(key)] }
}

/// Records in maintenance_runs that `job` started, run by `runBy` (the broker id, or the
/// ingester's host and pid) (sql/start_maintenance_run.sql).
package struct StartMaintenanceRun: PostgresStatement {
    package static let sql = String(decoding: PackageResources.start_maintenance_run_sql, as: UTF8.self)
    package static let name = "maintenance_start_run"
    package let job: String
    package let runBy: String

    package init(job: String, runBy: String) {
        self.job = job
        self.runBy = runBy
    }

    package var bindings: [PostgresValue?] { [.text(job), .text(runBy)] }

    /// The run's id.
    package static func decode(_ rows: PostgresRows) -> Int64? { rows.scalar.flatMap { Int64($0) } }
}

/// Records how run `id` ended (sql/finish_maintenance_run.sql): rows deleted, outcome (done,
/// no_privilege, failed, interrupted) and a detail (the table and missing right, or the error).
package struct FinishMaintenanceRun: PostgresStatement {
    package static let sql = String(decoding: PackageResources.finish_maintenance_run_sql, as: UTF8.self)
    package static let name = "maintenance_finish_run"
    package let id: Int64
    package let rowsDeleted: Int64
    package let outcome: String
    package let detail: String?

    package init(id: Int64, rowsDeleted: Int64, outcome: String, detail: String?) {
        self.id = id
        self.rowsDeleted = rowsDeleted
        self.outcome = outcome
        self.detail = detail
    }

    package var bindings: [PostgresValue?] {
        [.int(id), .int(rowsDeleted), .text(outcome), detail.map(PostgresValue.text)]
    }
}
