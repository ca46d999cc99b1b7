import Foundation
import MQTTWire
import Testing

/// client_daily_stats folded off the write path: exactly once across a crash between the write and
/// the fold, a spool replay, and an upgrade from the release that counted in each write.
@Suite(.serialized, .offCooperativePool) struct ConnPluginDailyStatsTests {
    private static let rootDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    private static func connectAndLeave(_ fixture: ConnPluginFixture, prefix: String, count: Int) throws {
        for index in 0..<count {
            let client = try fixture.client("\(prefix)-\(index)")
            if index % 3 == 0 { client.dropConnection() } else { client.disconnect(waitForClose: true) }
        }
    }

    /// Waits until client_daily_stats counts every stored row, then compares it with the oracle.
    private static func expectStatsMatchHistory(_ database: ScratchDatabase) throws {
        try waitUntil(timeout: 30, "the daily statistics count every stored row") {
            try database.intScalar("SELECT COALESCE(sum(connects + disconnects), 0) FROM client_daily_stats")
                == database.intScalar("SELECT count(*) FROM client_conn_events")
        }
        let expected = DailyStatsOracle.compute(try ConnPluginRetentionTests.rawRows(database))
        ConnPluginRetentionTests.expectEqual(try ConnPluginRetentionTests.storedStats(database), expected)
    }

    /// The broker is killed after its rows are stored and before they can be folded (timeout_ms 3000:
    /// a row is folded 7 s after it is seen), then restarted while PostgreSQL is down, so the next
    /// events go to the spool and are replayed when it returns. Every row is counted once.
    @Test func aCrashBeforeTheFoldAndASpoolReplayAreCountedOnce() throws {
        let postgres = try OwnPostgres(label: "daily-crash")
        let database = try ScratchDatabase.create(label: "daily_crash", onServer: postgres.dsn)
        let fixture = try ConnPluginFixture(
            label: "daily_crash", options: ["plugin_opt_conn_mode async", "plugin_opt_conn_timeout_ms 3000"],
            database: database)
        try Self.connectAndLeave(fixture, prefix: "before-crash", count: 6)
        try waitUntil(timeout: 30, "the first 12 rows stored") {
            try database.intScalar("SELECT count(*) FROM client_conn_events") == 12
        }
        fixture.broker.kill9()
        let countedBeforeCrash = try database.intScalar("SELECT COALESCE(sum(connects + disconnects), 0) FROM client_daily_stats") ?? -1
        database.closeConnection()
        postgres.stop()
        try fixture.broker.restart()
        try Self.connectAndLeave(fixture, prefix: "spooled", count: 4)
        try fixture.broker.waitForLog(containing: "cannot write to PostgreSQL", timeout: 30)
        try postgres.start()
        try waitUntil(timeout: 60, "all 20 rows stored") {
            try database.intScalar("SELECT count(*) FROM client_conn_events") == 20
        }
        try Self.expectStatsMatchHistory(database)
        #expect(countedBeforeCrash < 12, "the crash came after the fold; the test proves less than it says")
        fixture.broker.stop()
    }

    /// A database written by release 5147132 (plugin and ingester, statistics counted in each write):
    /// today's plugin and ingester start on it with no manual step; the history stays, the old rows
    /// are not counted again and the new ones are counted once.
    @Test func aDatabaseOfTheReleaseBeforeKeepsItsHistoryAndIsNotCountedTwice() throws {
        let database = try ScratchDatabase.create(label: "upgrade")
        let dump = Self.rootDirectory + "/Tests/IntegrationTests/Fixtures/database-5147132.sql"
        let restored = try ProcessRunner.run(
            "psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", database.dsn, "-f", dump], timeout: 60)
        #expect(restored.succeeded, "\(restored.output)")
        #expect(try database.intScalar("SELECT count(*) FROM client_conn_events") == 16)
        #expect(try database.intScalar("SELECT sum(connects + disconnects) FROM client_daily_stats") == 16)
        #expect(try database.intScalar("SELECT count(*) FROM information_schema.tables WHERE table_name = 'client_daily_stats_folds'") == 0)

        let fixture = try ConnPluginFixture(
            label: "upgrade", options: ["plugin_opt_conn_mode async", "plugin_opt_conn_broker_id old-broker"],
            extraConfig: SysIngesterProcess.brokerConfig, database: database)
        // The old ingester's subscription is in the dump: wait for the new one's.
        let subscriptions = "SELECT count(*) FROM events WHERE topic = '$SYS/broker/#'"
        let oldSubscriptions = try database.intScalar(subscriptions) ?? 0
        let ingester = try SysIngesterProcess.launch(broker: fixture.broker, database: database, brokerName: "old-broker")
        try ingester.waitUntil("the new ingester records its own subscription") {
            try database.intScalar(subscriptions) ?? 0 > oldSubscriptions
        }
        try Self.connectAndLeave(fixture, prefix: "after-upgrade", count: 5)
        let returning = try fixture.client("old-client-1")
        returning.disconnect(waitForClose: true)
        // (The ingester's own connection is recorded too: its connect row, while it runs.)
        try waitUntil(timeout: 30, "the 12 new rows of the test's clients stored") {
            try database.intScalar("SELECT count(*) FROM client_conn_events WHERE id > 16 AND client_id NOT LIKE 'sys-ingester-%'") == 12
        }
        try Self.expectStatsMatchHistory(database)
        #expect(try database.intScalar("SELECT count(*) FROM client_conn_events WHERE id <= 16") == 16)
        #expect(try database.intScalar("SELECT folded_through FROM client_daily_stats_folds WHERE broker_id = 'old-broker'") ?? 0 >= 28)
        // The ingester still records what the broker says on the old tables.
        try waitUntil(timeout: 30, "the ingester records the new clients' sessions") {
            try database.intScalar("SELECT count(*) FROM sessions WHERE client LIKE 'after-upgrade-%'") ?? 0 >= 5
        }
        _ = ingester.stop()
        fixture.broker.stop()
    }
}
