import Logging
import Maintenance
import Storage

/// The writer's database: PostgreSQL through libpq, every wait bounded by `timeout`.
package struct PostgresEventStore: ConnEventStore {
    let dsn: String
    let timeout: Duration
    let logger: Logger
    let interrupt: PostgresInterrupt?

    /// - Parameters:
    ///   - timeout: each connection attempt's and each statement's limit; also set as the
    ///     server's statement_timeout, so the server abandons what the plugin stopped waiting for.
    ///   - interrupt: ends every wait of these connections at once when triggered (the broker's
    ///     stop, once its flush time is up).
    package init(dsn: String, timeout: Duration, logger: Logger, interrupt: PostgresInterrupt? = nil) {
        self.dsn = dsn
        self.timeout = timeout
        self.logger = logger
        self.interrupt = interrupt
    }

    package func openWriterConnection(bootID: String) throws(PostgresError) -> any ConnEventStoreConnection {
        let connection = try connect()
        let schema = try prepareSchema(on: connection)
        // Marks this run as alive for other brokers' stale-session checks (see ConnStatements).
        _ = try connection.tryAdvisoryLock(key: ConnStatements.runLockKey(bootID), timeout: timeout)
        // The writer thread waits a little longer than the server's statement_timeout, so a statement
        // that runs out of time is ended (and rolled back) by the server, on a connection that stays
        // usable, rather than by the writer dropping the connection with the outcome unknown.
        return Connection(connection: connection, schema: schema, timeout: timeout + Self.writerWaitMargin)
    }

    package func openSpareConnection() throws(PostgresError) -> any ConnEventStoreConnection {
        let connection = try connect()
        let schema = try inspectSchema(on: connection)
        // The statement of a batch of connects and disconnects: what the broker's thread sends.
        try connection.prepareIfNeeded(schema.write([]).prepared, timeout: timeout)
        return Connection(connection: connection, schema: schema, timeout: timeout)
    }

    /// What the plugin's statements may rely on in this database.
    struct SchemaInUse {
        /// The event-key index exists: writes skip events already stored.
        var keyIndex: Bool
        /// schema/003_presence.sql is applied: writes keep per-broker presence too.
        var presence: Bool
        /// schema/030_retention_rollups.sql and 031_daily_stats_folds.sql are applied: the writer
        /// folds client_daily_stats, and maintenance runs are recorded in maintenance_runs.
        var retention: Bool

        /// The write of `events` in this database.
        func write(_ events: [ConnEvent]) -> ConnStatements.Write {
            ConnStatements.Write(events, presence: presence, idempotent: keyIndex)
        }
    }

    static let writerWaitMargin = Duration.milliseconds(500)

    private func connect() throws(PostgresError) -> PostgresConnection {
        let connection = try PostgresConnection(conninfo: dsn, timeout: timeout, interrupt: interrupt)
        try connection.execute(
            ConnStatements.configureSession, [.text("\(timeout.microseconds / 1000)ms")], timeout: timeout)
        return connection
    }

    /// One libpq connection and the write statement that suits its schema.
    final class Connection: ConnEventStoreConnection {
        let connection: PostgresConnection
        let schema: SchemaInUse
        let timeout: Duration

        init(connection: PostgresConnection, schema: SchemaInUse, timeout: Duration) {
            self.connection = connection
            self.schema = schema
            self.timeout = timeout
        }

        var isOpen: Bool { connection.isOpen }

        /// Seed 000's tables, and the presence tables where they exist: one statement, so one round
        /// trip and one transaction, and the two never disagree after a failure. Nothing derived
        /// rides here: client_daily_stats is folded in later (`foldDailyStats`).
        func write(_ events: [ConnEvent]) throws(PostgresError) {
            try connection.execute(schema.write(events), timeout: timeout)
        }

        func startDailyStatsFold(brokerID: String) throws(PostgresError) -> Int64? {
            guard schema.retention else { return nil }
            return ConnQuery.StartDailyStatsFold.decode(
                try connection.execute(ConnQuery.StartDailyStatsFold(brokerID: brokerID), timeout: timeout))
        }

        func newestEventID() throws(PostgresError) -> Int64 {
            ConnQuery.NewestEventID.decode(try connection.execute(ConnQuery.NewestEventID(), timeout: timeout))
        }

        func foldDailyStats(brokerID: String, after: Int64, through: Int64) throws(PostgresError) -> DailyStatsFold {
            ConnQuery.FoldDailyStats.decode(
                try connection.execute(
                    ConnQuery.FoldDailyStats(brokerID: brokerID, after: after, through: through), timeout: timeout))
        }

        func tryAdvisoryLock(key: Int64) throws(PostgresError) -> Bool {
            try connection.tryAdvisoryLock(key: key, timeout: timeout)
        }

        func advisoryUnlock(key: Int64) { connection.advisoryUnlock(key: key, timeout: timeout) }

        func startMaintenanceRun(job: String, runBy: String) throws(PostgresError) -> Int64? {
            guard schema.retention else { return nil }
            return try connection.startMaintenanceRun(job: job, runBy: runBy, timeout: timeout)
        }

        func finishMaintenanceRun(id: Int64, rowsDeleted: Int64, outcome: String, detail: String?) throws(PostgresError) {
            try connection.finishMaintenanceRun(
                id: id, rowsDeleted: rowsDeleted, outcome: outcome, detail: detail, timeout: timeout)
        }

        /// The plugin's one target is client_conn_events (`ConnStatements.retentionTable`).
        func prune(_ target: RetentionTarget, limit: Int) throws(PostgresError) -> Int {
            try connection.execute(
                ConnQuery.PruneConnEvents(retentionDays: target.days, limit: limit), timeout: timeout
            ).affectedRows
        }

        func recordHeartbeat(_ heartbeat: BrokerHeartbeat) throws(PostgresError) {
            guard schema.presence else { return }
            try connection.execute(ConnQuery.RecordHeartbeat(heartbeat), timeout: timeout)
        }

        func keptSessions(brokerID: String) throws(PostgresError) -> [String] {
            guard schema.presence else { return [] }
            return ConnQuery.KeptSessions.decode(
                try connection.execute(ConnQuery.KeptSessions(brokerID: brokerID), timeout: timeout))
        }

        func runsWithOpenSessions(brokerID: String, excluding bootID: String) throws(PostgresError) -> [String] {
            ConnQuery.StaleRuns.decode(
                try connection.execute(ConnQuery.StaleRuns(brokerID: brokerID, excluding: bootID), timeout: timeout))
        }

        func lockRun(_ run: String) throws(PostgresError) -> Bool {
            try connection.tryAdvisoryLock(key: ConnStatements.runLockKey(run), timeout: timeout)
        }

        func unlockRun(_ run: String) { connection.advisoryUnlock(key: ConnStatements.runLockKey(run), timeout: timeout) }

        func sessionsLeftOpen(brokerID: String, run: String) throws(PostgresError) -> [SessionLeftOpen] {
            ConnQuery.StaleSessions.decode(
                try connection.execute(ConnQuery.StaleSessions(brokerID: brokerID, run: run), timeout: timeout))
        }

        func close() { connection.close() }
    }
}
