import Foundation
import SchemaSQL
import Storage
import Testing

/// sys-ingester's --retention-days, --rollup-retention-days and broker_metrics_rollup, with a
/// real broker, ingester and PostgreSQL.
@Suite(.enabled(if: TestEnvironment.shouldRun), .offCooperativePool)
struct SysIngesterRetentionTests {
    /// Old and recent rows in every table the ingester prunes (timestamps are UTC TIMESTAMPs).
    static func databaseWithOldRows(label: String) throws -> ScratchDatabase {
        let database = try ScratchDatabase.create(label: label)
        for (_, sql) in SchemaFiles.all { try database.execute(script: sql) }
        try database.execute(script: """
            CREATE TEMP VIEW t AS SELECT (now() AT TIME ZONE 'UTC') AS now;
            INSERT INTO broker_metrics (broker, metric, value, ts)
            SELECT 'old', 'load/x', n, (SELECT now FROM t) - interval '40 days' + n * interval '1 second'
            FROM generate_series(1, 7000) AS n;
            INSERT INTO broker_metrics (broker, metric, value, ts)
            SELECT 'old', 'load/x', n, (SELECT now FROM t) - interval '1 day' FROM generate_series(1, 4) AS n;
            INSERT INTO events (ts, action, client, raw)
            SELECT (SELECT now FROM t) - interval '40 days', 'connected', 'old-' || n, 'old line' FROM generate_series(1, 6) AS n;
            INSERT INTO events (ts, action, client, raw)
            VALUES ((SELECT now FROM t) - interval '1 day', 'connected', 'recent', 'recent line');
            INSERT INTO sessions (client, start_ts, end_ts, broker) VALUES
              ('closed-old', (SELECT now FROM t) - interval '41 days', (SELECT now FROM t) - interval '40 days', 'old'),
              ('open-old', (SELECT now FROM t) - interval '41 days', NULL, 'old'),
              ('closed-recent', (SELECT now FROM t) - interval '41 days', (SELECT now FROM t) - interval '1 day', 'old');
            INSERT INTO subscriptions (client, topic, active, created_at, updated_at) VALUES
              ('s', 'inactive/old', false, (SELECT now FROM t) - interval '41 days', (SELECT now FROM t) - interval '40 days'),
              ('s', 'active/old', true, (SELECT now FROM t) - interval '41 days', (SELECT now FROM t) - interval '40 days'),
              ('s', 'inactive/recent', false, (SELECT now FROM t) - interval '41 days', (SELECT now FROM t) - interval '1 day');
            INSERT INTO broker_metrics_rollup (broker, metric, bucket_width, bucket_start, samples, min, max, sum, last, last_ts) VALUES
              ('old', 'load/x', interval '1 hour', date_trunc('hour', (SELECT now FROM t) - interval '70 days'), 1, 1, 1, 1, 1,
               date_trunc('hour', (SELECT now FROM t) - interval '70 days')),
              ('old', 'load/x', interval '1 hour', date_trunc('hour', (SELECT now FROM t) - interval '40 days'), 1, 1, 1, 1, 1,
               date_trunc('hour', (SELECT now FROM t) - interval '40 days'));
            """)
        return database
    }

    @Test func historyOlderThanTheRetentionGoesAtStartOpenSessionsAndActiveSubscriptionsStay() throws {
        let database = try Self.databaseWithOldRows(label: "ingester_retention")
        let broker = try BrokerProcess.start(.v21, extraConfig: SysIngesterProcess.brokerConfig)
        let ingester = try SysIngesterProcess.start(
            broker: broker, database: database, brokerName: "retention",
            arguments: ["--retention-days", "30", "--rollup-retention-days", "60"])
        try ingester.waitUntil("the first retention run", timeout: 30) {
            try database.intScalar(
                "SELECT count(*) FROM maintenance_runs WHERE job = 'ingester_retention' AND outcome = 'done'") == 1
        }
        #expect(try database.intScalar("SELECT count(*) FROM broker_metrics WHERE broker = 'old'") == 4)
        #expect(try database.intScalar("SELECT count(*) FROM events WHERE raw = 'old line'") == 0)
        #expect(try database.intScalar("SELECT count(*) FROM events WHERE raw = 'recent line'") == 1)
        #expect(try database.query("SELECT client FROM sessions WHERE broker = 'old' ORDER BY client").map { $0[0] }
            == ["closed-recent", "open-old"])
        #expect(try database.query("SELECT topic FROM subscriptions WHERE client = 's' ORDER BY topic").map { $0[0] }
            == ["active/old", "inactive/recent"])
        #expect(try database.intScalar("SELECT count(*) FROM broker_metrics_rollup WHERE broker = 'old'") == 1)
        #expect(try database.intScalar("SELECT rows_deleted FROM maintenance_runs WHERE job = 'ingester_retention'")
            == 7000 + 6 + 1 + 1 + 1)
        #expect(ingester.lines(containing: "retention: deleted 7000 rows of broker_metrics older than 30 days, 6 rows of events").count == 1)
        // The ingester keeps writing: its own $SYS samples land after the run.
        try ingester.waitUntil("samples after the run") {
            try database.intScalar("""
                SELECT count(*) FROM broker_metrics
                WHERE broker = 'retention' AND ts > (SELECT finished_at AT TIME ZONE 'UTC' FROM maintenance_runs LIMIT 1)
                """) ?? 0 > 0
        }
        _ = ingester.stop()
    }

    /// One maintainer at a time: while the job's lock is held elsewhere (here by the test, as
    /// another ingester would), the ingester skips its runs; once free, it prunes.
    @Test func aHeldMaintenanceLockMakesTheIngesterSkipItsRun() throws {
        let database = try Self.databaseWithOldRows(label: "ingester_lock")
        #expect(try database.scalar("SELECT pg_try_advisory_lock(7231403360217471)") == "t")
        let broker = try BrokerProcess.start(.v21, extraConfig: SysIngesterProcess.brokerConfig)
        let ingester = try SysIngesterProcess.start(
            broker: broker, database: database, brokerName: "lock",
            arguments: ["--retention-days", "30", "--maintenance-interval", "1"])
        try ingester.waitUntil("a run skipped for the held lock", timeout: 30) {
            ingester.output.contains("holds the maintenance lock")
        }
        #expect(try database.intScalar("SELECT count(*) FROM maintenance_runs") == 0)
        #expect(try database.intScalar("SELECT count(*) FROM events WHERE raw = 'old line'") == 6)
        #expect(try database.scalar("SELECT pg_advisory_unlock(7231403360217471)") == "t")
        try ingester.waitUntil("a run once the lock is free", timeout: 30) {
            try database.intScalar("SELECT count(*) FROM maintenance_runs WHERE outcome = 'done'") ?? 0 >= 1
        }
        #expect(try database.intScalar("SELECT count(*) FROM events WHERE raw = 'old line'") == 0)
        _ = ingester.stop()
        broker.stop()
    }

    @Test func aRoleWithoutDeleteRightsOnOneTableGetsOneWarningAndTheRestIsPruned() throws {
        let database = try Self.databaseWithOldRows(label: "ingester_nodelete")
        let role = "ingester_nodelete_\(UInt32.random(in: 0...UInt32.max))"
        try database.execute(script: """
            CREATE ROLE \(role) LOGIN;
            GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO \(role);
            REVOKE DELETE ON events FROM \(role);
            GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO \(role);
            """)
        defer {
            _ = try? database.query("DROP OWNED BY \(role)")
            _ = try? database.query("DROP ROLE \(role)")
        }
        var options = try ConnectionString.parse(database.dsn)
        options["user"] = role
        let broker = try BrokerProcess.start(.v21, extraConfig: SysIngesterProcess.brokerConfig)
        let ingester = try SysIngesterProcess.start(
            broker: broker, database: database, brokerName: "nodelete",
            arguments: ["--retention-days", "30", "--maintenance-interval", "1"],
            environment: ["PG_DSN": ScratchDatabase.keywordValueString(options)])
        try ingester.waitUntil("two runs refused on events", timeout: 30) {
            try database.intScalar("SELECT count(*) FROM maintenance_runs WHERE outcome = 'no_privilege'") ?? 0 >= 2
        }
        #expect(ingester.occurrences(of: "lacks the DELETE right on table events") == 1)
        #expect(try database.intScalar("SELECT count(*) FROM events WHERE raw = 'old line'") == 6)
        #expect(try database.intScalar("SELECT count(*) FROM broker_metrics WHERE broker = 'old'") == 4)
        #expect(try database.scalar("SELECT detail FROM maintenance_runs WHERE outcome = 'no_privilege' LIMIT 1")?
            .contains("lacks the DELETE right on table events") == true)
        _ = ingester.stop()
        broker.stop()
    }

    /// broker_metrics_rollup, kept burst by burst, equals the same aggregate computed from the
    /// raw broker_metrics rows at once.
    @Test func rollupsEqualAnAggregateOfTheRawSamples() throws {
        let database = try ScratchDatabase.create(label: "ingester_rollups")
        let broker = try BrokerProcess.start(.v21, extraConfig: SysIngesterProcess.brokerConfig)
        let ingester = try SysIngesterProcess.start(broker: broker, database: database, brokerName: "rollups")
        // sys_interval 1: a few publications of every metric, so buckets get several samples.
        try ingester.waitUntil("three samples of uptime", timeout: 30) {
            try database.intScalar("SELECT count(*) FROM broker_metrics WHERE metric = 'uptime'") ?? 0 >= 3
        }
        #expect(ingester.stop() == 0)
        let mismatches = try database.query("""
            WITH raw AS (
                SELECT broker, metric, w.width, date_trunc(w.unit, ts) AS bucket_start, count(*) AS samples,
                       min(value) AS min, max(value) AS max, sum(value) AS sum,
                       (array_agg(value ORDER BY ts DESC, id DESC))[1] AS last, max(ts) AS last_ts
                FROM broker_metrics
                CROSS JOIN (VALUES ('minute', interval '1 minute'), ('hour', interval '1 hour')) AS w (unit, width)
                GROUP BY broker, metric, w.width, date_trunc(w.unit, ts)
            )
            SELECT COALESCE(raw.metric, r.metric), COALESCE(raw.width, r.bucket_width)::text
            FROM raw FULL JOIN broker_metrics_rollup r
              ON r.broker = raw.broker AND r.metric = raw.metric AND r.bucket_width = raw.width
             AND r.bucket_start = raw.bucket_start
            WHERE r.broker IS NULL OR raw.broker IS NULL OR r.samples <> raw.samples OR r.min <> raw.min
               OR r.max <> raw.max OR abs(r.sum - raw.sum) > 1e-9 * greatest(1, abs(raw.sum))
               OR abs(r.avg - raw.sum / raw.samples) > 1e-9 * greatest(1, abs(raw.sum))
               OR r.last <> raw.last OR r.last_ts <> raw.last_ts
            """)
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
        #expect(try database.intScalar("SELECT count(*) FROM broker_metrics_rollup WHERE samples > 1") ?? 0 > 0)
        #expect(try database.intScalar("SELECT count(DISTINCT bucket_width) FROM broker_metrics_rollup") == 2)
        broker.stop()
    }
}
