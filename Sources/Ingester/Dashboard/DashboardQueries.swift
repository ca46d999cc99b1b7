import DashboardStatements
import Storage

/// The dashboard's statements, one type each: the SQL is `DashboardSQL`'s (the file of
/// `Sources/Ingester/DashboardStatements/sql/` of the same name), `bindings` lists the fields in
/// the file's `$n` order, and a static `decode` reads its rows by what they mean. A file with
/// optional parts (`-- when <relation>` blocks, `DashboardVariants`) is a `VariantStatement` whose
/// variant its `DataSources` choose; the others are `PostgresStatement`s.
enum DashboardQuery {
    // MARK: - Session and data sources

    /// Sets up a read-only session (sql/configure_session.sql): read-only, `statementTimeout`,
    /// `application_name = 'sys-ingester-dashboard'`, each execution planned with its values.
    struct ConfigureSession: PostgresStatement {
        static let sql = DashboardSQL.configureSession.sql
        static let name = DashboardSQL.configureSession.name
        let statementTimeout: Duration

        init(statementTimeout: Duration) { self.statementTimeout = statementTimeout }

        /// The timeout in whole milliseconds (statement_timeout's unit).
        var bindings: [PostgresValue?] { [.text(String(statementTimeout.microseconds / 1000))] }
    }

    /// Whether a conn-plugin reports to broker_status, and whether a sys-ingester watches one of
    /// its brokers (sql/reporters.sql).
    struct Reporters: PostgresStatement {
        static let sql = DashboardSQL.reporters.sql
        static let name = DashboardSQL.reporters.name

        var bindings: [PostgresValue?] { [] }

        static func decode(_ rows: PostgresRows) -> (plugin: Bool, ingester: Bool) {
            let row = rows.values.first
            return (row.column(0) == "t", row.column(1) == "t")
        }
    }

    // MARK: - Fleet

    /// One row per broker of broker_status (sql/fleet.sql): state, presence counts, drift, last
    /// seen, started, stopped, uptime and messages per second; its variant depends on
    /// client_presence, ingest_gaps, presence_drift and broker_metrics.
    struct Fleet: VariantStatement {
        static let file = DashboardSQL.fleet
        let prepared: PreparedStatement

        init(_ sources: DataSources) { prepared = Self.file.variant(where: sources.has) }

        var bindings: [PostgresValue?] { [] }

        /// The brokers, their per-minute series all zeros (`PerMinute` fills them).
        static func decode(_ rows: PostgresRows) -> [BrokerSummary] {
            rows.values.map { row in
                BrokerSummary(
                    brokerID: row.column(0) ?? "", state: row.column(1) ?? "unknown", online: row.int(2) ?? 0,
                    sessionKept: row.int(3) ?? 0, unknown: row.int(4) ?? 0, offline: row.int(13) ?? 0,
                    pluginDrift: row.int(5), ingesterDrift: row.int(6), sysConnected: row.int(7),
                    lastSeen: row.column(8), startedAt: row.column(9), stoppedAt: row.column(10),
                    uptimeSeconds: row.double(11), messagesPerSecond: row.double(12),
                    connectsPerMinute: Array(repeating: 0, count: 60), disconnectsPerMinute: Array(repeating: 0, count: 60))
            }
        }
    }

    /// Connects and disconnects per broker and minute over the last hour (sql/per_minute.sql):
    /// from client_conn_events, and from events for brokers without a reporting plugin.
    struct PerMinute: VariantStatement {
        /// One broker's counts in one minute.
        struct Count: Equatable, Sendable {
            var brokerID: String
            /// Whole minutes ago, 0 (this minute) to 59.
            var minutesAgo: Int
            var connects: Int64
            var disconnects: Int64
        }

        static let file = DashboardSQL.perMinute
        let prepared: PreparedStatement

        /// Nil where neither client_conn_events nor events exists: then there is nothing to count.
        init?(_ sources: DataSources) {
            guard sources.has("client_conn_events") || sources.has("events") else { return nil }
            prepared = Self.file.variant(where: sources.has)
        }

        var bindings: [PostgresValue?] { [] }

        /// The counts in the statement's order; a row without a broker or a minute is skipped.
        static func decode(_ rows: PostgresRows) -> [Count] {
            rows.values.compactMap { row in
                guard let broker = row.column(0), let ago = Int(row.column(1) ?? "") else { return nil }
                return Count(
                    brokerID: broker, minutesAgo: ago, connects: row.int(2) ?? 0, disconnects: row.int(3) ?? 0)
            }
        }
    }

    /// The brokers of broker_status, sorted (sql/broker_ids.sql).
    struct BrokerIDs: PostgresStatement {
        static let sql = DashboardSQL.brokerIDs.sql
        static let name = DashboardSQL.brokerIDs.name

        var bindings: [PostgresValue?] { [] }

        static func decode(_ rows: PostgresRows) -> [String] { rows.values.compactMap { $0.first ?? nil } }
    }

    // MARK: - Clients

    /// One page of client_presence, one row more than `query.limit` (sql/clients.sql); its variant
    /// depends on client_daily_stats.
    struct Clients: VariantStatement {
        static let file = DashboardSQL.clients
        let prepared: PreparedStatement
        let query: ClientListQuery

        init(_ query: ClientListQuery, _ sources: DataSources) {
            self.query = query
            prepared = Self.file.variant(where: sources.has)
        }

        var bindings: [PostgresValue?] {
            [
                query.broker.map(PostgresValue.text), query.state.map { .text($0.rawValue) },
                query.prefix.map(PostgresValue.text), query.username.map(PostgresValue.text),
                query.after.map { .text($0.clientID) }, query.after.map { .text($0.brokerID) },
                .int(Int64(query.limit + 1)),
            ]
        }

        static func decode(_ rows: PostgresRows) -> [ClientRow] {
            rows.values.map { row in
                ClientRow(
                    clientID: row.column(0) ?? "", brokerID: row.column(1) ?? "", state: row.column(2) ?? "",
                    since: row.column(3), peer: row.column(4), protocol: row.column(5), username: row.column(6),
                    lastEventTs: row.column(7), dropsToday: row.int(8) ?? 0, dropsWeek: row.int(9) ?? 0)
            }
        }
    }

    // MARK: - One client

    /// One client's connects, disconnects and session ends, newest first, one row more than
    /// `query.limit` (sql/events.sql); its variant depends on client_session_ends.
    struct Events: VariantStatement {
        static let file = DashboardSQL.events
        let prepared: PreparedStatement
        let clientID: String
        let query: EventQuery

        init(clientID: String, _ query: EventQuery, _ sources: DataSources) {
            self.clientID = clientID
            self.query = query
            prepared = Self.file.variant(where: sources.has)
        }

        var bindings: [PostgresValue?] {
            [
                .text(clientID), query.from.map { .int($0.microseconds) }, query.to.map { .int($0.microseconds) },
                query.after.map { .int($0.ts.microseconds) }, query.after.map { .int(Int64($0.source)) },
                query.after.map { .int($0.id) }, .int(Int64(query.limit + 1)),
            ]
        }

        static func decode(_ rows: PostgresRows) -> [EventRow] {
            rows.values.map { row in
                let ts = Timestamp(microseconds: row.int(0) ?? 0)
                return EventRow(
                    ts: ts, eventType: row.column(3) ?? "", brokerID: row.column(4), reasonCode: row.int(5),
                    peer: row.column(6), protocol: row.column(7), username: row.column(8), cause: row.column(9),
                    key: Cursor.Event(ts: ts, source: Int(row.column(1) ?? "") ?? 0, id: row.int(2) ?? 0))
            }
        }
    }

    /// One client's unclean disconnects and online seconds per UTC day over the last `days` days,
    /// every day present (sql/daily.sql).
    struct Daily: PostgresStatement {
        static let sql = DashboardSQL.daily.sql
        static let name = DashboardSQL.daily.name
        let clientID: String
        let days: Int

        init(clientID: String, days: Int) {
            self.clientID = clientID
            self.days = days
        }

        var bindings: [PostgresValue?] { [.text(clientID), .int(Int64(days))] }

        static func decode(_ rows: PostgresRows) -> [DailyRow] {
            rows.values.map { row in
                DailyRow(day: row.column(0) ?? "", uncleanDisconnects: row.int(1) ?? 0, onlineSeconds: row.double(2) ?? 0)
            }
        }
    }

    // MARK: - Droppers

    /// The `limit` clients with the most unclean disconnects over the last `days` UTC days
    /// (sql/droppers.sql; 1: today).
    struct Droppers: PostgresStatement {
        static let sql = DashboardSQL.droppers.sql
        static let name = DashboardSQL.droppers.name
        let days: Int
        let limit: Int

        init(days: Int, limit: Int) {
            self.days = days
            self.limit = limit
        }

        var bindings: [PostgresValue?] { [.int(Int64(days)), .int(Int64(limit))] }

        static func decode(_ rows: PostgresRows) -> [DropperRow] {
            rows.values.map { row in
                DropperRow(
                    clientID: row.column(0) ?? "", unclean: row.int(1) ?? 0, disconnects: row.int(2) ?? 0,
                    connects: row.int(3) ?? 0)
            }
        }
    }
}

// MARK: - Reading a row's columns

extension Array where Element == String? {
    /// Column `index` of a row, nil where it is NULL or the row is shorter.
    fileprivate func column(_ index: Int) -> String? { index < count ? self[index] : nil }
    /// Column `index` read as an integer; nil where it is NULL, missing or not one.
    fileprivate func int(_ index: Int) -> Int64? { column(index).flatMap { Int64($0) } }
    /// Column `index` read as a number; nil where it is NULL, missing or not one.
    fileprivate func double(_ index: Int) -> Double? { column(index).flatMap { Double($0) } }
}

extension Optional where Wrapped == [String?] {
    /// Column `index` of the row, if there is one.
    fileprivate func column(_ index: Int) -> String? { self?.column(index) ?? nil }
}
