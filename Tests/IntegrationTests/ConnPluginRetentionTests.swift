import ConnRecorder
import Foundation
import Logging
import MQTTWire
import SchemaSQL
import Storage
import Testing

/// plugin_opt_conn_retention_days and client_daily_stats, with real brokers, plugins and PostgreSQL.
@Suite(.enabled(if: TestEnvironment.shouldRun), .offCooperativePool)
struct ConnPluginRetentionTests {
    /// A database with every schema file applied (as an owner would), 12,000 history rows 40 days
    /// old (more than two retention steps), 3 rows a day old, and 5 client_sessions rows as old as
    /// the oldest history.
    static func databaseWithOldHistory(label: String) throws -> ScratchDatabase {
        let database = try ScratchDatabase.create(label: label)
        for (_, sql) in SchemaFiles.all { try database.execute(script: sql) }
        try database.execute(script: """
            INSERT INTO client_conn_events (ts, event_type, client_id, reason_code, extra)
            SELECT now() - interval '40 days' + n * interval '1 second', CASE WHEN n % 2 = 0 THEN 'connect' ELSE 'disconnect' END,
                   'old-' || (n % 5), CASE WHEN n % 2 = 1 THEN 0 END, jsonb_build_object('broker_id', 'earlier')
            FROM generate_series(1, 12000) AS n;
            INSERT INTO client_conn_events (ts, event_type, client_id, extra)
            SELECT now() - interval '1 day' + n * interval '1 second', 'connect', 'recent-' || n, '{"broker_id": "earlier"}'
            FROM generate_series(1, 3) AS n;
            INSERT INTO client_sessions (client_id, last_event_ts, last_event_type, last_disconnect_ts)
            SELECT 'old-' || n, now() - interval '40 days', 'disconnect', now() - interval '40 days'
            FROM generate_series(0, 4) AS n;
            """)
        return database
    }

    static func oldRows(_ database: ScratchDatabase) throws -> Int? {
        try database.intScalar("SELECT count(*) FROM client_conn_events WHERE ts < now() - interval '30 days'")
    }

    @Test func rowsOlderThanTheRetentionGoAtStartRecentRowsAndClientSessionsStay() throws {
        let database = try Self.databaseWithOldHistory(label: "retention_start")
        let fixture = try ConnPluginFixture(
            label: "retention_start", options: ["plugin_opt_conn_retention_days 30"], database: database)
        try waitUntil(timeout: 30, "the first retention run") {
            try database.intScalar(
                "SELECT count(*) FROM maintenance_runs WHERE job = 'conn_retention' AND outcome = 'done'") == 1
        }
        #expect(try Self.oldRows(database) == 0)
        #expect(try database.intScalar("SELECT count(*) FROM client_conn_events WHERE client_id LIKE 'recent-%'") == 3)
        #expect(try database.intScalar("SELECT count(*) FROM client_sessions WHERE client_id LIKE 'old-%'") == 5)
        #expect(try database.intScalar("SELECT rows_deleted FROM maintenance_runs WHERE job = 'conn_retention'") == 12000)
        #expect(try database.scalar("SELECT run_by FROM maintenance_runs WHERE job = 'conn_retention'") != nil)
        // The broker writes its log file lazily: wait for the line rather than read it once.
        try fixture.broker.waitForLog(containing: "retention: deleted 12000 rows of client_conn_events older than 30 days")

        // Events keep landing, and an open session is not touched by retention.
        let client = try fixture.client("retention-live")
        try fixture.waitForHistory("retention-live", count: 1)
        #expect(try database.scalar("SELECT last_event_type FROM client_sessions WHERE client_id = 'retention-live'") == "connect")
        client.disconnect(waitForClose: true)
        try fixture.waitForHistory("retention-live", count: 2)
    }

    @Test func retentionZeroKeepsEverything() throws {
        let database = try Self.databaseWithOldHistory(label: "retention_off")
        let fixture = try ConnPluginFixture(label: "retention_off", database: database)
        let client = try fixture.client("retention-off-live")
        try fixture.waitForHistory("retention-off-live", count: 1)
        client.disconnect(waitForClose: true)
        try fixture.waitForHistory("retention-off-live", count: 2)
        #expect(try Self.oldRows(database) == 12000)
        #expect(try database.intScalar("SELECT count(*) FROM maintenance_runs") == 0)
    }

    /// The lock is what keeps two maintainers apart: while someone else holds the job's key
    /// (here the test), the plugin skips its run; once released, the next run prunes.
    @Test func aHeldMaintenanceLockMakesThePluginSkipItsRun() throws {
        let database = try Self.databaseWithOldHistory(label: "retention_lock")
        #expect(try database.scalar("SELECT pg_try_advisory_lock(\(ConnStatements.retentionLockKey))") == "t")
        let fixture = try ConnPluginFixture(
            label: "retention_lock",
            options: ["plugin_opt_conn_retention_days 30", "plugin_opt_conn_maintenance_interval 1"],
            database: database)
        try fixture.broker.waitForLog(containing: "holds the maintenance lock", timeout: 30)
        #expect(try Self.oldRows(database) == 12000)
        #expect(try database.intScalar("SELECT count(*) FROM maintenance_runs") == 0)
        #expect(try database.scalar("SELECT pg_advisory_unlock(\(ConnStatements.retentionLockKey))") == "t")
        try waitUntil(timeout: 30, "a retention run once the lock is free") {
            try database.intScalar("SELECT count(*) FROM maintenance_runs WHERE outcome = 'done'") ?? 0 >= 1
        }
        #expect(try Self.oldRows(database) == 0)
    }

    @Test func twoPluginsOnOneDatabasePruneOnce() throws {
        let database = try Self.databaseWithOldHistory(label: "retention_two")
        let options = [
            "plugin_opt_conn_retention_days 30", "plugin_opt_conn_maintenance_interval 1", "plugin_opt_conn_mode async",
        ]
        let first = try ConnPluginFixture(
            label: "retention_two_a", options: options + ["plugin_opt_conn_broker_id broker-a"], database: database)
        let second = try ConnPluginFixture(
            label: "retention_two_b", options: options + ["plugin_opt_conn_broker_id broker-b"], database: database)
        // Both run every second; wait until each has had runs of its own.
        try waitUntil(timeout: 60, "runs by both plugins") {
            try database.intScalar(
                "SELECT count(DISTINCT run_by) FROM maintenance_runs WHERE job = 'conn_retention' AND outcome = 'done'") == 2
        }
        #expect(try Self.oldRows(database) == 0)
        // Each old row was deleted once: the runs' counts add up to the rows there were.
        #expect(try database.intScalar(
            "SELECT sum(rows_deleted) FROM maintenance_runs WHERE job = 'conn_retention' AND outcome = 'done'") == 12000)
        // And no two runs overlapped in time.
        #expect(try database.intScalar("""
            SELECT count(*) FROM maintenance_runs a JOIN maintenance_runs b
              ON a.id < b.id AND a.job = b.job AND b.started_at < a.finished_at AND a.started_at < b.finished_at
            """) == 0)
        _ = (first, second)
    }

    @Test func aRoleWithoutDeleteRightsGetsOneWarningAndEventsStillLand() throws {
        let database = try Self.databaseWithOldHistory(label: "retention_nodelete")
        let role = "retention_nodelete_\(UInt32.random(in: 0...UInt32.max))"
        try database.execute(script: """
            CREATE ROLE \(role) LOGIN;
            GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO \(role);
            GRANT DELETE ON ALL TABLES IN SCHEMA public TO \(role);
            REVOKE DELETE ON client_conn_events FROM \(role);
            GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO \(role);
            """)
        defer {
            _ = try? database.query("DROP OWNED BY \(role)")
            _ = try? database.query("DROP ROLE \(role)")
        }
        var options = try ConnectionString.parse(database.dsn)
        options["user"] = role
        let fixture = try ConnPluginFixture(
            label: "retention_nodelete",
            options: ["plugin_opt_conn_retention_days 30", "plugin_opt_conn_maintenance_interval 1"],
            dsn: ScratchDatabase.keywordValueString(options), database: database)
        try waitUntil(timeout: 30, "two retention runs refused for the missing right") {
            try database.intScalar("SELECT count(*) FROM maintenance_runs WHERE outcome = 'no_privilege'") ?? 0 >= 2
        }
        let warning = "lacks the DELETE right on table client_conn_events"
        try fixture.broker.waitForLog(containing: warning)
        #expect(fixture.broker.log().components(separatedBy: warning).count - 1 == 1)
        #expect(try database.scalar("SELECT detail FROM maintenance_runs WHERE outcome = 'no_privilege' LIMIT 1")?
            .contains(warning) == true)
        #expect(try Self.oldRows(database) == 12000)

        let client = try fixture.client("nodelete-live")
        try fixture.waitForHistory("nodelete-live", count: 1)
        client.disconnect(waitForClose: true)
        try fixture.waitForHistory("nodelete-live", count: 2)
        try waitUntil(timeout: 15, "the daily statistics of the live client") {
            try database.intScalar(
                "SELECT disconnects FROM client_daily_stats WHERE client_id = 'nodelete-live'") == 1
        }
        fixture.broker.stop()
    }

    // MARK: - client_daily_stats

    static func rawRows(_ database: ScratchDatabase) throws -> [DailyStatsOracle.Row] {
        try database.query("""
            SELECT id, (extract(epoch FROM ts) * 1000000)::bigint, event_type, client_id,
                   COALESCE(extra->>'broker_id', ''), reason_code
            FROM client_conn_events
            """).map { row in
            DailyStatsOracle.Row(
                id: Int64(row[0] ?? "") ?? 0, tsMicros: Int64(row[1] ?? "") ?? 0, type: row[2] ?? "",
                clientID: row[3] ?? "", brokerID: row[4] ?? "", reasonCode: row[5].flatMap { Int($0) })
        }
    }

    static func storedStats(_ database: ScratchDatabase) throws -> [DailyStatsOracle.Key: DailyStatsOracle.Stats] {
        var stats: [DailyStatsOracle.Key: DailyStatsOracle.Stats] = [:]
        for row in try database.query("""
            SELECT day - date '1970-01-01', broker_id, client_id, connects, disconnects, unclean_disconnects, online_seconds
            FROM client_daily_stats
            """)
        {
            stats[.init(day: Int64(row[0] ?? "") ?? 0, brokerID: row[1] ?? "", clientID: row[2] ?? "")] = .init(
                connects: Int(row[3] ?? "") ?? -1, disconnects: Int(row[4] ?? "") ?? -1, unclean: Int(row[5] ?? "") ?? -1,
                onlineSeconds: Double(row[6] ?? "") ?? -1)
        }
        return stats
    }

    /// Compares the two, online seconds to a microsecond per piece.
    static func expectEqual(
        _ stored: [DailyStatsOracle.Key: DailyStatsOracle.Stats], _ expected: [DailyStatsOracle.Key: DailyStatsOracle.Stats]
    ) {
        #expect(Set(stored.keys) == Set(expected.keys))
        for key in expected.keys.sorted() {
            guard let got = stored[key], let want = expected[key] else { continue }
            #expect(got.connects == want.connects, "\(key)")
            #expect(got.disconnects == want.disconnects, "\(key)")
            #expect(got.unclean == want.unclean, "\(key)")
            #expect(abs(got.onlineSeconds - want.onlineSeconds) < 0.001, "\(key): \(got) vs \(want)")
        }
    }

    /// Real clients through a real broker: clean and unclean disconnects, a takeover, a client
    /// still connected; the incremental table equals the oracle over the raw rows.
    @Test func dailyStatsFromABrokerEqualAnAggregateOfTheRawRows() throws {
        let fixture = try ConnPluginFixture(label: "daily_stats", options: ["plugin_opt_conn_mode async"])
        for round in 0..<3 {
            for index in 0..<4 {
                let client = try fixture.client("daily-\(index)")
                if (index + round) % 2 == 0 { client.disconnect(waitForClose: true) } else { client.dropConnection() }
            }
        }
        let stays = try fixture.client("daily-stays")
        let first = try fixture.client("daily-takeover")
        let second = try fixture.client("daily-takeover")
        second.disconnect(waitForClose: true)
        first.dropConnection()
        // 4 clients x 3 rounds x 2 rows, 1 open connect, and the takeover's 4 (connect, the
        // taken-over connection's disconnect, connect, disconnect).
        try waitUntil(timeout: 30, "every event stored") {
            try fixture.database.intScalar("SELECT count(*) FROM client_conn_events") == 4 * 3 * 2 + 1 + 4
        }
        try waitUntil(timeout: 15, "the daily statistics caught up") {
            try fixture.database.intScalar("SELECT COALESCE(sum(connects + disconnects), 0) FROM client_daily_stats")
                == 4 * 3 * 2 + 1 + 4
        }
        let expected = DailyStatsOracle.compute(try Self.rawRows(fixture.database))
        Self.expectEqual(try Self.storedStats(fixture.database), expected)
        #expect(expected.values.reduce(0) { $0 + $1.unclean } >= 6)
        _ = stays
    }

    /// The fold itself, through the plugin's own store: sessions over midnight and over several
    /// days, a broker's disconnect that does not close another broker's session, a replayed batch
    /// that must not count twice, and a fold that no longer stands where the caller thought (another
    /// run of the broker moved it) counting nothing.
    @Test func dailyStatsSplitSessionsAtMidnightAndCountAReplayOnce() throws {
        let database = try ScratchDatabase.create(label: "daily_split")
        let store = PostgresEventStore(dsn: database.dsn, timeout: .seconds(10), logger: Logger(label: "daily-split-test"))
        let connection = try store.openWriterConnection(bootID: "00000000000000aa")
        defer { connection.close() }
        let hour: Int64 = 3_600_000_000
        let midnight: Int64 = 20_000 * 86_400_000_000  // 2024-10-04 00:00 UTC
        var sequence: Int64 = 0
        func event(_ kind: ConnEvent.Kind, _ at: Int64, _ client: String, broker: String = "a", reason: Int32? = nil)
            -> ConnEvent
        {
            sequence += 1
            return ConnEvent(
                kind: kind, timestampMicros: at, clientID: client, username: nil, peer: nil, protocol: "MQTT/3.1.1",
                reasonCode: reason, cause: kind == .disconnect ? .disconnect : nil,
                connection: ConnectionDetails(connectionSequence: sequence, listenerPort: nil, keepAliveSeconds: nil, cleanStart: true),
                origin: EventOrigin(brokerID: broker, bootID: "00000000000000aa", sequence: sequence))
        }
        let firstBatch = [
            event(.connect, midnight - 2 * hour, "night"),
            event(.connect, midnight - 30 * hour, "long"),
            event(.connect, midnight - hour, "two-brokers", broker: "a"),
            event(.connect, midnight - hour / 2, "two-brokers", broker: "b"),
        ]
        let secondBatch = [
            event(.disconnect, midnight + 3 * hour, "night", reason: 0),
            event(.disconnect, midnight + 50 * hour, "long", reason: 7),
            event(.disconnect, midnight + hour, "two-brokers", broker: "a", reason: 0),
            event(.disconnect, midnight + 2 * hour, "two-brokers", broker: "a", reason: 0),
        ]
        let startA = try #require(try connection.startDailyStatsFold(brokerID: "a"))
        let startB = try #require(try connection.startDailyStatsFold(brokerID: "b"))
        #expect(startA == 0 && startB == 0)
        try connection.write(firstBatch)
        let afterFirst = try connection.newestEventID()
        #expect(try connection.foldDailyStats(brokerID: "a", after: 0, through: afterFirst).advanced)
        try connection.write(secondBatch)
        try connection.write(secondBatch)  // a replay after an uncertain commit: stored once, counted once
        #expect(try database.intScalar("SELECT count(*) FROM client_conn_events") == 8)
        let newest = try connection.newestEventID()
        #expect(try connection.foldDailyStats(brokerID: "a", after: afterFirst, through: newest).rowsCounted == 4)
        #expect(try connection.foldDailyStats(brokerID: "b", after: 0, through: newest).rowsCounted == 1)
        // Stale: the fold of "a" stands at `newest` now.
        #expect(try connection.foldDailyStats(brokerID: "a", after: afterFirst, through: newest + 10)
            == DailyStatsFold(advanced: false, rowsCounted: 0))
        #expect(try connection.startDailyStatsFold(brokerID: "a") == newest)
        let expected = DailyStatsOracle.compute(try Self.rawRows(database))
        Self.expectEqual(try Self.storedStats(database), expected)
        let day = DailyStatsOracle.day(ofMicros: midnight)
        #expect(expected[.init(day: day - 1, brokerID: "a", clientID: "night")]?.onlineSeconds == 7200)
        #expect(expected[.init(day: day, brokerID: "a", clientID: "night")]?.onlineSeconds == 10800)
        #expect(expected[.init(day: day + 1, brokerID: "a", clientID: "long")]?.onlineSeconds == 86_400)
        #expect(expected[.init(day: day, brokerID: "b", clientID: "two-brokers")]?.onlineSeconds == nil)
        #expect(try database.intScalar("SELECT count(*) FROM top_droppers_week") == 0)  // 2024 is older than a week
    }
}
