import Storage

/// The plugin's SQL, in the files of `Sources/ConnRecorder/sql/` (compiled in by SwiftPM's
/// `.embedInCode`; `make bench` runs write_batch.sql too). Values always travel as parameters; a
/// batch of events is a handful of array parameters expanded by `unnest`, so one statement (one
/// round trip, one implicit transaction) writes the history rows and the presence upserts of up
/// to `batchSize` events.
package enum ConnStatements {
    /// Writes a batch (`sql/write_batch.sql`): INSERT into client_conn_events and UPSERT of
    /// client_sessions with each client's latest event, under the presence rules of seed 000
    /// section 4 as raised by issue "never a ghost" (the file's header lists them).
    ///
    /// - Parameter idempotent: whether the event-key index exists; then events already stored are
    ///   skipped. Without the index, the statement runs without the file's `ON CONFLICT` line
    ///   (which PostgreSQL would reject for lack of a unique index to arbitrate on).
    package static func writeBatch(idempotent: Bool) -> PreparedStatement {
        idempotent ? writeBatchKeyed : writeBatchUnkeyed
    }

    private static let writeBatchKeyed = PreparedStatement(
        name: "conn_write_batch_keyed", sql: String(decoding: PackageResources.write_batch_sql, as: UTF8.self))

    /// The line of write_batch.sql that needs the event-key index.
    private static let skipStoredKeys = "ON CONFLICT DO NOTHING"

    private static let writeBatchUnkeyed = PreparedStatement(
        name: "conn_write_batch",
        sql: writeBatchKeyed.sql.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { $0.drop { $0 == " " } != skipStoredKeys }
            .joined(separator: "\n"))

    /// The parameters of `writeBatch` for `events`, in order.
    package static func batchParameters<Events: Collection<ConnEvent>>(_ events: Events) -> [PostgresValue?] {
        var timestamps = PostgresArrayLiteral()
        var kinds = PostgresArrayLiteral()
        var clientIDs = PostgresArrayLiteral()
        var usernames = PostgresArrayLiteral()
        var peers = PostgresArrayLiteral()
        var protocols = PostgresArrayLiteral()
        var reasons = PostgresArrayLiteral()
        var extras = PostgresArrayLiteral()
        for event in events {
            timestamps.append(event.timestampMicros)
            kinds.append(event.kind.rawValue)
            clientIDs.append(event.clientID)
            usernames.append(event.username)
            peers.append(event.peer)
            protocols.append(event.protocol)
            reasons.append(event.reasonCode.map(Int64.init))
            extras.append(event.extraJSON)
        }
        return [
            timestamps.value, kinds.value, clientIDs.value, usernames.value, peers.value, protocols.value,
            reasons.value, extras.value,
        ]
    }

    /// Sets the session's statement_timeout ($1, e.g. `1000ms`), so the server itself abandons a
    /// statement the plugin stopped waiting for.
    package static let setStatementTimeout = String(decoding: PackageResources.set_statement_timeout_sql, as: UTF8.self)

    /// A batch's whole write where schema/003_presence.sql is applied: write_batch.sql without its
    /// last line (its SELECT), then the presence part (`sql/write_presence.sql`), as one statement:
    /// one round trip, one transaction. Same parameters as `writeBatch`.
    package static func writeEvents(idempotent: Bool) -> PreparedStatement {
        idempotent ? writeEventsKeyed : writeEventsUnkeyed
    }

    private static let writeEventsKeyed = PreparedStatement(
        name: "conn_write_events_keyed", sql: withPresence(writeBatchKeyed.sql))
    private static let writeEventsUnkeyed = PreparedStatement(
        name: "conn_write_events", sql: withPresence(writeBatchUnkeyed.sql))

    /// `batch` (write_batch.sql's text) with its closing SELECT replaced by write_presence.sql's CTEs
    /// and SELECT.
    private static func withPresence(_ batch: String) -> String {
        var lines = batch.split(separator: "\n", omittingEmptySubsequences: false)
        while let last = lines.last, last.allSatisfy({ $0 == " " }) { lines.removeLast() }
        precondition(lines.last?.hasPrefix("SELECT ") == true, "write_batch.sql must end with its SELECT line")
        lines.removeLast()
        return lines.joined(separator: "\n") + ",\n" + String(decoding: PackageResources.write_presence_sql, as: UTF8.self)
    }

    /// The broker's heartbeat in broker_status (`sql/broker_heartbeat.sql`).
    package static let brokerHeartbeat = PreparedStatement(
        name: "conn_broker_heartbeat", sql: String(decoding: PackageResources.broker_heartbeat_sql, as: UTF8.self))

    /// Clients whose session broker `$1` held when last heard of (`sql/kept_sessions.sql`).
    package static let keptSessions = String(decoding: PackageResources.kept_sessions_sql, as: UTF8.self)

    /// Which of the plugin's objects exist: `(tables, eventKeyIndex, presenceTables)`.
    package static let inspectSchema = String(decoding: PackageResources.inspect_schema_sql, as: UTF8.self)

    /// Runs (boot ids) other than `$2` that still show clients connected through broker `$1`.
    package static let staleRuns = String(decoding: PackageResources.stale_runs_sql, as: UTF8.self)

    /// Clients still shown connected through broker `$1` by run `$2`, with the latest time that run
    /// is known to have been alive (its newest event in the presence table).
    package static let staleSessions = String(decoding: PackageResources.stale_sessions_sql, as: UTF8.self)

    /// Every run holds a session-level advisory lock on its writer connection, keyed by its boot
    /// id. Taking another run's lock succeeds only when that run's connection is gone: it crashed
    /// or was killed. So a second broker that shares the broker id (two brokers on one host with
    /// the default id) never closes the sessions of one that is still running.
    package static let tryLockRun = String(decoding: PackageResources.try_lock_run_sql, as: UTF8.self)
    /// Releases the lock `tryLockRun` took ($1: the run's lock key).
    package static let unlockRun = String(decoding: PackageResources.unlock_run_sql, as: UTF8.self)

    /// The advisory-lock key of a run: its 64-bit random boot id, or a hash of other text.
    package static func runLockKey(_ bootID: String) -> Int64 {
        if bootID.utf8.count == 16, let value = UInt64(bootID, radix: 16) { return Int64(bitPattern: value) }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a
        for byte in bootID.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return Int64(bitPattern: hash)
    }

    // MARK: Daily statistics, folded off the write path

    /// Where broker `$1`'s fold stands, created at the newest event id the first time
    /// (`sql/start_daily_stats_fold.sql`).
    package static let startDailyStatsFold = PreparedStatement(
        name: "conn_start_daily_stats_fold",
        sql: String(decoding: PackageResources.start_daily_stats_fold_sql, as: UTF8.self))

    /// The newest client_conn_events id (`sql/newest_event_id.sql`).
    package static let newestEventID = PreparedStatement(
        name: "conn_newest_event_id", sql: String(decoding: PackageResources.newest_event_id_sql, as: UTF8.self))

    /// Counts broker `$1`'s rows with `$2 < id <= $3` into client_daily_stats and moves its fold from
    /// `$2` to `$3`, in one statement (`sql/fold_daily_stats.sql`).
    package static let foldDailyStats = PreparedStatement(
        name: "conn_fold_daily_stats", sql: String(decoding: PackageResources.fold_daily_stats_sql, as: UTF8.self))

    // MARK: Retention

    /// One bounded retention step (`sql/prune_conn_events.sql`): $1 retention days, $2 most rows.
    package static let pruneConnEvents = PreparedStatement(
        name: "conn_prune_events", sql: String(decoding: PackageResources.prune_conn_events_sql, as: UTF8.self))

    /// Takes a maintenance job's advisory lock if free ($1: the job's key).
    package static let tryLockMaintenance = String(decoding: PackageResources.try_lock_maintenance_sql, as: UTF8.self)
    /// Releases it.
    package static let unlockMaintenance = String(decoding: PackageResources.unlock_maintenance_sql, as: UTF8.self)
    /// A maintenance_runs row for a run that starts ($1 job, $2 run_by); returns its id.
    package static let startMaintenanceRun = String(decoding: PackageResources.start_maintenance_run_sql, as: UTF8.self)
    /// How the run ended ($1 id, $2 rows deleted, $3 outcome, $4 detail).
    package static let finishMaintenanceRun = String(decoding: PackageResources.finish_maintenance_run_sql, as: UTF8.self)

    /// The advisory-lock key of the plugin's retention job (`conn_retention`), the same in every
    /// plugin: of all brokers sharing a database, one prunes client_conn_events at a time.
    /// Documented in docs/events.md ("Retention"); sys-ingester's job has its own key.
    package static let retentionLockKey: Int64 = 7_231_403_360_217_470
    /// The job name in maintenance_runs.
    package static let retentionJob = "conn_retention"
}
