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
        try connection.execute(ConnStatements.tryLockRun, [.int(ConnStatements.runLockKey(bootID))], timeout: timeout)
        // The writer thread waits a little longer than the server's statement_timeout, so a statement
        // that runs out of time is ended (and rolled back) by the server, on a connection that stays
        // usable, rather than by the writer dropping the connection with the outcome unknown.
        return Connection(connection: connection, schema: schema, timeout: timeout + Self.writerWaitMargin)
    }

    package func openSpareConnection() throws(PostgresError) -> any ConnEventStoreConnection {
        let connection = try connect()
        let found = try inspectSchema(on: connection)
        let schema = SchemaInUse(keyIndex: found.index, presence: found.presence, retention: found.retention)
        // The statement of a batch of connects and disconnects: what the broker's thread sends.
        try connection.prepareIfNeeded(schema.writeStatement(for: [ConnEvent]()), timeout: timeout)
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

        func writeStatement(for events: some Collection<ConnEvent>) -> PreparedStatement {
            presence
                ? ConnStatements.writeEvents(for: events, idempotent: keyIndex)
                : ConnStatements.writeBatch(idempotent: keyIndex)
        }
    }

    static let writerWaitMargin = Duration.milliseconds(500)

    private func connect() throws(PostgresError) -> PostgresConnection {
        let connection = try PostgresConnection(conninfo: dsn, timeout: timeout, interrupt: interrupt)
        try connection.execute(
            ConnStatements.configureSession, [.text("\(timeout.nanoseconds / 1_000_000)ms")], timeout: timeout)
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
            try connection.execute(
                schema.writeStatement(for: events), ConnStatements.batchParameters(events), timeout: timeout)
        }

        func startDailyStatsFold(brokerID: String) throws(PostgresError) -> Int64? {
            guard schema.retention else { return nil }
            return try connection.execute(ConnStatements.startDailyStatsFold, [.text(brokerID)], timeout: timeout)
                .scalar.flatMap { Int64($0) }
        }

        func newestEventID() throws(PostgresError) -> Int64 {
            try connection.execute(ConnStatements.newestEventID, [], timeout: timeout).scalar.flatMap { Int64($0) } ?? 0
        }

        func foldDailyStats(brokerID: String, after: Int64, through: Int64) throws(PostgresError) -> DailyStatsFold {
            let row = try connection.execute(
                ConnStatements.foldDailyStats, [.text(brokerID), .int(after), .int(through)], timeout: timeout
            ).values.first
            return DailyStatsFold(
                advanced: row?[0].flatMap { Int64($0) } == 1, rowsCounted: row?[1].flatMap { Int($0) } ?? 0)
        }

        func tryLockMaintenance(key: Int64) throws(PostgresError) -> Bool {
            TryLockMaintenance.decode(try connection.execute(TryLockMaintenance(key: key), timeout: timeout))
        }

        func unlockMaintenance(key: Int64) {
            _ = try? connection.execute(UnlockMaintenance(key: key), timeout: timeout)
        }

        func startMaintenanceRun(job: String, runBy: String) throws(PostgresError) -> Int64? {
            guard schema.retention else { return nil }
            return StartMaintenanceRun.decode(
                try connection.execute(StartMaintenanceRun(job: job, runBy: runBy), timeout: timeout))
        }

        func finishMaintenanceRun(id: Int64, rowsDeleted: Int64, outcome: String, detail: String?) throws(PostgresError) {
            try connection.execute(
                FinishMaintenanceRun(id: id, rowsDeleted: rowsDeleted, outcome: outcome, detail: detail), timeout: timeout)
        }

        func pruneConnEvents(retentionDays: Int, limit: Int) throws(PostgresError) -> Int {
            try connection.execute(
                ConnStatements.pruneConnEvents, [.int(Int64(retentionDays)), .int(Int64(limit))], timeout: timeout
            ).affectedRows
        }

        func recordHeartbeat(_ heartbeat: BrokerHeartbeat) throws(PostgresError) {
            guard schema.presence else { return }
            try connection.execute(
                ConnStatements.brokerHeartbeat,
                [
                    .text(heartbeat.brokerID), .text(heartbeat.bootID), .int(heartbeat.startedAtMicros),
                    .int(Int64(heartbeat.intervalSeconds)), .text(heartbeat.stopping ? "true" : "false"),
                    .text(heartbeat.pluginVersion),
                ], timeout: timeout)
        }

        func keptSessions(brokerID: String) throws(PostgresError) -> [String] {
            guard schema.presence else { return [] }
            return try connection.execute(ConnStatements.keptSessions, [.text(brokerID)], timeout: timeout)
                .values.compactMap { $0.first ?? nil }
        }

        func runsWithOpenSessions(brokerID: String, excluding bootID: String) throws(PostgresError) -> [String] {
            try connection.execute(ConnStatements.staleRuns, [.text(brokerID), .text(bootID)], timeout: timeout)
                .values.compactMap { $0.first ?? nil }
        }

        func lockRun(_ run: String) throws(PostgresError) -> Bool {
            try connection.execute(ConnStatements.tryLockRun, [.int(ConnStatements.runLockKey(run))], timeout: timeout)
                .scalar == "t"
        }

        func unlockRun(_ run: String) {
            _ = try? connection.execute(ConnStatements.unlockRun, [.int(ConnStatements.runLockKey(run))], timeout: timeout)
        }

        func sessionsLeftOpen(brokerID: String, run: String) throws(PostgresError) -> [SessionLeftOpen] {
            let rows = try connection.execute(ConnStatements.staleSessions, [.text(brokerID), .text(run)], timeout: timeout)
            return rows.values.compactMap { row in
                guard let clientID = row[0], let lastAlive = row[4].flatMap({ Int64($0) }) else { return nil }
                return SessionLeftOpen(
                    clientID: clientID, username: row[1], peer: row[2], protocol: row[3], lastAliveMicros: lastAlive,
                    connectionSequence: row[5].flatMap { Int64($0) } ?? 0)
            }
        }

        func close() { connection.close() }
    }
}
