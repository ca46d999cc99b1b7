import SchemaSQL
import Storage

/// Every read of the dashboard: the statement types of `DashboardQuery` (one file of
/// `Sources/Ingester/DashboardStatements/sql/` each) on the read-only connections of
/// `ReadOnlyDatabase`. Values travel only as parameters; only which optional relations a
/// statement joins depends on `DataSources` (a database without the ingester's tables still gets
/// its plugin data, and the other way round). Indexes they rely on: docs/dashboard.md.
package struct DashboardStore: Sendable {
    package let database: ReadOnlyDatabase

    package init(database: ReadOnlyDatabase) { self.database = database }

    private var timeout: Duration { database.statementTimeout + .seconds(1) }

    /// Relations read by some page; to_regclass answers NULL for a missing one.
    static let relations = [
        "broker_status", "client_presence", "client_broker_presence", "presence_drift", "ingest_gaps",
        "broker_metrics", "client_conn_events", "client_session_ends", "client_daily_stats", "events",
    ]

    // MARK: - Sources

    package func sources() async throws(ReadOnlyDatabase.ReadError) -> DataSources {
        let timeout = self.timeout
        return try await database.read { connection throws(PostgresError) in
            let missing = MissingRelations.decode(try connection.execute(MissingRelations(Self.relations), timeout: timeout))
            var sources = DataSources(missingRelations: missing, pluginReports: false, ingesterReports: false)
            if !missing.contains("broker_status") {
                let reporters = DashboardQuery.Reporters.decode(
                    try connection.execute(DashboardQuery.Reporters(), timeout: timeout))
                sources.pluginReports = reporters.plugin
                sources.ingesterReports = reporters.ingester
            }
            return sources
        }
    }

    // MARK: - Fleet

    /// One row per broker of broker_status, with its state, presence counts, drift, the last hour's
    /// connects and disconnects per minute, messages per second and uptime.
    /// - Parameter perMinute: whether to read the last hour's connects and disconnects per minute
    ///   (the fleet page's chart); the presence gauges, read every 5 s, do not show them.
    package func brokers(_ sources: DataSources, perMinute: Bool = true) async throws(ReadOnlyDatabase.ReadError) -> [BrokerSummary] {
        guard sources.has("broker_status") else { return [] }
        let fleet = DashboardQuery.Fleet(sources)
        let perMinute = perMinute ? DashboardQuery.PerMinute(sources) : nil
        let timeout = self.timeout
        return try await database.read { connection throws(PostgresError) in
            var brokers = DashboardQuery.Fleet.decode(try connection.execute(fleet, timeout: timeout))
            // A broker that is not running has no uptime and no message rate (its last values would
            // only grow stale).
            for position in brokers.indices where brokers[position].state == "lost" || brokers[position].state == "stopped" {
                brokers[position].uptimeSeconds = nil
                brokers[position].messagesPerSecond = nil
            }
            guard let perMinute else { return brokers }
            var index: [String: Int] = [:]
            for (position, broker) in brokers.enumerated() { index[broker.brokerID] = position }
            for count in DashboardQuery.PerMinute.decode(try connection.execute(perMinute, timeout: timeout)) {
                guard let position = index[count.brokerID], (0..<60).contains(count.minutesAgo) else { continue }
                let bucket = 59 - count.minutesAgo
                brokers[position].connectsPerMinute[bucket] = count.connects
                brokers[position].disconnectsPerMinute[bucket] = count.disconnects
            }
            return brokers
        }
    }

    // MARK: - Clients

    /// One page of client_presence rows in (client_id, broker_id) order, after the cursor.
    package func clients(_ query: ClientListQuery, _ sources: DataSources) async throws(ReadOnlyDatabase.ReadError)
        -> ClientPage
    {
        guard sources.has("client_presence") else { return ClientPage(clients: [], next: nil) }
        // One more row than asked tells whether there is a next page.
        let statement = DashboardQuery.Clients(query, sources)
        let timeout = self.timeout
        let limit = query.limit
        return try await database.read { connection throws(PostgresError) in
            let rows = DashboardQuery.Clients.decode(try connection.execute(statement, timeout: timeout))
            let page = Array(rows.prefix(limit))
            let next = rows.count > limit ? page.last.map { Cursor.Client(clientID: $0.clientID, brokerID: $0.brokerID) } : nil
            return ClientPage(clients: page, next: next)
        }
    }

    /// The brokers that appear in client presence, for the clients page's filter.
    package func brokerIDs(_ sources: DataSources) async throws(ReadOnlyDatabase.ReadError) -> [String] {
        guard sources.has("broker_status") else { return [] }
        let timeout = self.timeout
        return try await database.read { connection throws(PostgresError) in
            DashboardQuery.BrokerIDs.decode(try connection.execute(DashboardQuery.BrokerIDs(), timeout: timeout))
        }
    }

    // MARK: - One client

    /// The client's connects, disconnects and session ends, newest first, in [from, to), after the cursor.
    package func events(clientID: String, _ query: EventQuery, _ sources: DataSources)
        async throws(ReadOnlyDatabase.ReadError) -> EventPage
    {
        guard sources.has("client_conn_events") else { return EventPage(events: [], next: nil) }
        // One more row than asked tells whether there is a next page.
        let statement = DashboardQuery.Events(clientID: clientID, query, sources)
        let timeout = self.timeout
        let limit = query.limit
        return try await database.read { connection throws(PostgresError) in
            let rows = DashboardQuery.Events.decode(try connection.execute(statement, timeout: timeout))
            let page = Array(rows.prefix(limit))
            return EventPage(events: page, next: rows.count > limit ? page.last?.key : nil)
        }
    }

    /// Unclean disconnects and online time per UTC day over the last `days` days, every day present.
    package func daily(clientID: String, days: Int, _ sources: DataSources) async throws(ReadOnlyDatabase.ReadError)
        -> [DailyRow]
    {
        guard sources.has("client_daily_stats") else { return [] }
        let statement = DashboardQuery.Daily(clientID: clientID, days: days)
        let timeout = self.timeout
        return try await database.read { connection throws(PostgresError) in
            DashboardQuery.Daily.decode(try connection.execute(statement, timeout: timeout))
        }
    }

    // MARK: - Droppers

    /// The clients with the most unclean disconnects today (UTC) and over the last 7 UTC days.
    package func droppers(limit: Int, _ sources: DataSources) async throws(ReadOnlyDatabase.ReadError)
        -> (today: [DropperRow], week: [DropperRow])
    {
        guard sources.has("client_daily_stats") else { return ([], []) }
        let timeout = self.timeout
        return try await database.read { connection throws(PostgresError) in
            func rows(_ days: Int) throws(PostgresError) -> [DropperRow] {
                DashboardQuery.Droppers.decode(
                    try connection.execute(DashboardQuery.Droppers(days: days, limit: limit), timeout: timeout))
            }
            return (try rows(1), try rows(7))
        }
    }
}
