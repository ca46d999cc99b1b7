import Logging
import Storage

/// The writer's database: PostgreSQL through libpq, every wait bounded by `timeout`.
package struct PostgresEventStore: ConnEventStore {
    let dsn: String
    let timeout: Duration
    let logger: Logger

    /// - Parameter timeout: each connection attempt's and each statement's limit; also set as the
    ///   server's statement_timeout, so the server abandons what the plugin stopped waiting for.
    package init(dsn: String, timeout: Duration, logger: Logger) {
        self.dsn = dsn
        self.timeout = timeout
        self.logger = logger
    }

    package func openWriterConnection(bootID: String) throws(PostgresError) -> any ConnEventStoreConnection {
        let connection = try connect()
        let statement = try prepareSchema(on: connection)
        // Marks this run as alive for other brokers' stale-session checks (see ConnStatements).
        try connection.execute(ConnStatements.tryLockRun, [.int(ConnStatements.runLockKey(bootID))], timeout: timeout)
        return Connection(connection: connection, statement: statement, timeout: timeout)
    }

    package func openSpareConnection() throws(PostgresError) -> any ConnEventStoreConnection {
        let connection = try connect()
        let statement = ConnStatements.writeBatch(idempotent: try inspectSchema(on: connection).index)
        try connection.prepareIfNeeded(statement, timeout: timeout)
        return Connection(connection: connection, statement: statement, timeout: timeout)
    }

    private func connect() throws(PostgresError) -> PostgresConnection {
        let connection = try PostgresConnection(conninfo: dsn, timeout: timeout)
        try connection.execute(
            ConnStatements.setStatementTimeout, [.text("\(timeout.nanoseconds / 1_000_000)ms")], timeout: timeout)
        return connection
    }

    /// One libpq connection and the write statement that suits its schema.
    final class Connection: ConnEventStoreConnection {
        let connection: PostgresConnection
        let statement: PreparedStatement
        let timeout: Duration

        init(connection: PostgresConnection, statement: PreparedStatement, timeout: Duration) {
            self.connection = connection
            self.statement = statement
            self.timeout = timeout
        }

        var isOpen: Bool { connection.isOpen }

        func write(_ events: [ConnEvent]) throws(PostgresError) {
            try connection.execute(statement, ConnStatements.batchParameters(events), timeout: timeout)
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
