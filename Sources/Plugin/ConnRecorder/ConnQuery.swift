import Storage

/// The plugin's statements besides the write, one type each: the SQL is the file of
/// `Sources/Plugin/ConnRecorder/sql/` of the same name (compiled in by SwiftPM's `.embedInCode`),
/// `bindings` lists the fields in the file's `$n` order, and a static `decode` reads its rows. The
/// write itself stays in `ConnStatements`, which picks one of its variants per batch.
package enum ConnQuery {
    /// The broker's heartbeat in broker_status (sql/broker_heartbeat.sql).
    package struct RecordHeartbeat: PostgresStatement {
        package static let sql = String(decoding: PackageResources.broker_heartbeat_sql, as: UTF8.self)
        package static let name = "conn_broker_heartbeat"
        package let heartbeat: BrokerHeartbeat

        package init(_ heartbeat: BrokerHeartbeat) { self.heartbeat = heartbeat }

        package var bindings: [PostgresValue?] {
            [
                .text(heartbeat.brokerID), .text(heartbeat.bootID), .int(heartbeat.startedAtMicros),
                .int(Int64(heartbeat.intervalSeconds)), .text(heartbeat.stopping ? "true" : "false"),
                .text(heartbeat.pluginVersion),
            ]
        }
    }

    /// Clients whose session broker `brokerID` held when last heard of (sql/kept_sessions.sql).
    package struct KeptSessions: PostgresStatement {
        package static let sql = String(decoding: PackageResources.kept_sessions_sql, as: UTF8.self)
        package static let name = "conn_kept_sessions"
        package let brokerID: String

        package init(brokerID: String) { self.brokerID = brokerID }

        package var bindings: [PostgresValue?] { [.text(brokerID)] }

        /// The client ids.
        package static func decode(_ rows: PostgresRows) -> [String] { rows.firstColumn }
    }

    /// Runs (boot ids) other than `bootID` that still show clients connected through broker
    /// `brokerID` (sql/stale_runs.sql).
    package struct StaleRuns: PostgresStatement {
        package static let sql = String(decoding: PackageResources.stale_runs_sql, as: UTF8.self)
        package static let name = "conn_stale_runs"
        package let brokerID: String
        package let bootID: String

        package init(brokerID: String, excluding bootID: String) {
            self.brokerID = brokerID
            self.bootID = bootID
        }

        package var bindings: [PostgresValue?] { [.text(brokerID), .text(bootID)] }

        /// The boot ids.
        package static func decode(_ rows: PostgresRows) -> [String] { rows.firstColumn }
    }

    /// Clients still shown connected through broker `brokerID` by run `run`, with the latest time
    /// that run is known to have been alive (sql/stale_sessions.sql).
    package struct StaleSessions: PostgresStatement {
        package static let sql = String(decoding: PackageResources.stale_sessions_sql, as: UTF8.self)
        package static let name = "conn_stale_sessions"
        package let brokerID: String
        package let run: String

        package init(brokerID: String, run: String) {
            self.brokerID = brokerID
            self.run = run
        }

        package var bindings: [PostgresValue?] { [.text(brokerID), .text(run)] }

        /// One session per row: client id, username, peer, protocol, last alive (epoch µs),
        /// connection sequence. A row without a client id or a time is skipped.
        package static func decode(_ rows: PostgresRows) -> [SessionLeftOpen] {
            rows.values.compactMap { row in
                guard row.count >= 6, let clientID = row[0], let lastAlive = row[4].flatMap({ Int64($0) }) else {
                    return nil
                }
                return SessionLeftOpen(
                    clientID: clientID, username: row[1], peer: row[2], protocol: row[3], lastAliveMicros: lastAlive,
                    connectionSequence: row[5].flatMap { Int64($0) } ?? 0)
            }
        }
    }

    /// Where broker `brokerID`'s daily-statistics fold stands, created at the newest event id the
    /// first time (sql/start_daily_stats_fold.sql).
    package struct StartDailyStatsFold: PostgresStatement {
        package static let sql = String(decoding: PackageResources.start_daily_stats_fold_sql, as: UTF8.self)
        package static let name = "conn_start_daily_stats_fold"
        package let brokerID: String

        package init(brokerID: String) { self.brokerID = brokerID }

        package var bindings: [PostgresValue?] { [.text(brokerID)] }

        /// The id the fold stands at.
        package static func decode(_ rows: PostgresRows) -> Int64? { rows.scalar.flatMap { Int64($0) } }
    }

    /// The newest client_conn_events id, 0 in an empty table (sql/newest_event_id.sql).
    package struct NewestEventID: PostgresStatement {
        package static let sql = String(decoding: PackageResources.newest_event_id_sql, as: UTF8.self)
        package static let name = "conn_newest_event_id"

        package init() {}

        package var bindings: [PostgresValue?] { [] }

        package static func decode(_ rows: PostgresRows) -> Int64 { rows.scalar.flatMap { Int64($0) } ?? 0 }
    }

    /// Counts broker `brokerID`'s rows with `after < id <= through` into client_daily_stats and moves
    /// its fold from `after` to `through`, in one statement (sql/fold_daily_stats.sql).
    package struct FoldDailyStats: PostgresStatement {
        package static let sql = String(decoding: PackageResources.fold_daily_stats_sql, as: UTF8.self)
        package static let name = "conn_fold_daily_stats"
        package let brokerID: String
        package let after: Int64
        package let through: Int64

        package init(brokerID: String, after: Int64, through: Int64) {
            self.brokerID = brokerID
            self.after = after
            self.through = through
        }

        package var bindings: [PostgresValue?] { [.text(brokerID), .int(after), .int(through)] }

        /// Its one row: whether the fold moved (1), and how many rows it counted.
        package static func decode(_ rows: PostgresRows) -> DailyStatsFold {
            let row = rows.values.first
            return DailyStatsFold(
                advanced: row?.first.flatMap { $0.flatMap { Int64($0) } } == 1,
                rowsCounted: row.flatMap { $0.count > 1 ? $0[1] : nil }.flatMap { Int($0) } ?? 0)
        }
    }

    /// One bounded retention step (sql/prune_conn_events.sql): rows older than `retentionDays`,
    /// at most `limit` of them. Its result is the affected-row count.
    package struct PruneConnEvents: PostgresStatement {
        package static let sql = String(decoding: PackageResources.prune_conn_events_sql, as: UTF8.self)
        package static let name = "conn_prune_events"
        package let retentionDays: Int
        package let limit: Int

        package init(retentionDays: Int, limit: Int) {
            self.retentionDays = retentionDays
            self.limit = limit
        }

        package var bindings: [PostgresValue?] { [.int(Int64(retentionDays)), .int(Int64(limit))] }
    }
}
