import ConnRecorder
import Foundation
import MQTTWire
import Testing

/// scripts/partition-conn-events.sh (daily partitions kept by pg_partman) on a history the running
/// plugin wrote: rows are kept, the plugin goes on writing each event once into the converted
/// table, and its event key still turns a replay away.
@Suite(.enabled(if: TestEnvironment.shouldRun))
struct ConnPluginPartitionTests {
    private static let rootDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    @Test func convertedTableKeepsRowsAndTakesEachEventOnce() throws {
        let fixture = try ConnPluginFixture(label: "partition")
        let database = fixture.database
        try fixture.client("before-conversion").disconnect(waitForClose: true)
        try fixture.waitForHistory("before-conversion", count: 2)
        // History older than any partition the conversion makes ahead: 10 and 40 days ago.
        try database.execute(script: """
            INSERT INTO client_conn_events (ts, event_type, client_id, reason_code, extra)
            SELECT now() - days * interval '1 day', 'disconnect', 'old-device', 7,
                   jsonb_build_object('event_key', 'old:' || days)
            FROM (VALUES (10), (40)) AS t(days);
            """)
        let rowsBefore = try database.query("SELECT id, ts, event_type, client_id, extra->>'event_key' FROM client_conn_events ORDER BY id")
        #expect(rowsBefore.count == 4)

        // The broker keeps running: the plugin's connection and prepared statements outlive the swap.
        let conversion = try ProcessRunner.run(
            "/bin/bash", [Self.rootDirectory + "/scripts/partition-conn-events.sh", "--premake", "3", database.dsn],
            timeout: 120)
        #expect(conversion.succeeded, "\(conversion.output)")

        #expect(try database.scalar("SELECT relkind::text FROM pg_class WHERE oid = 'client_conn_events'::regclass") == "p")
        let rowsAfter = try database.query("SELECT id, ts, event_type, client_id, extra->>'event_key' FROM client_conn_events ORDER BY id")
        #expect(rowsAfter == rowsBefore)
        // The names the plugin and the readers look for (sql/inspect_schema.sql) are the partitioned table's.
        let indexes = try database.query("""
            SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = 'client_conn_events'::regclass ORDER BY 1
            """).map { $0[0] ?? "" }
        #expect(indexes == [
            "client_conn_events_client_ts_idx", "client_conn_events_event_key_idx", "client_conn_events_pkey",
            "client_conn_events_ts_idx", "client_conn_events_unclean_ts_idx",
        ])
        // Daily partitions from the oldest row's day to 3 days ahead; the default partition is empty.
        let partitions = try #require(try database.intScalar("""
            SELECT count(*) FROM pg_partition_tree('client_conn_events') WHERE isleaf AND relid::text <> 'client_conn_events_default'
            """))
        #expect(partitions >= 44)
        #expect(try database.intScalar("SELECT count(*) FROM client_conn_events_default") == 0)

        // New events through the same running plugin land once, in today's partition.
        try fixture.client("after-conversion").disconnect(waitForClose: true)
        try fixture.waitForHistory("after-conversion", count: 2)
        let newRows = try database.query("""
            SELECT event_type, tableoid::regclass::text = 'client_conn_events_p' || to_char(now() AT TIME ZONE 'UTC', 'YYYY_MM_DD')
            FROM client_conn_events WHERE client_id = 'after-conversion' ORDER BY ts, id
            """)
        #expect(newRows == [["connect", "t"], ["disconnect", "t"]])
        #expect(try database.query("SELECT last_event_type FROM client_sessions WHERE client_id = 'after-conversion'")
            == [["disconnect"]])

        // A replay (same event, same ts) through the plugin's own statement is skipped by the key ...
        let stored = try #require(try database.query("""
            SELECT ARRAY[(extract(epoch FROM ts) * 1000000)::bigint]::text, ARRAY[event_type]::text,
                   ARRAY[client_id]::text, ARRAY[username]::text, ARRAY[peer]::text, ARRAY[protocol]::text,
                   ARRAY[reason_code]::text, ARRAY[extra]::text
            FROM client_conn_events WHERE client_id = 'after-conversion' AND event_type = 'connect'
            """).first)
        // (write_batch.sql's keyed variant: the file itself holds every variant's lines.)
        let written = try database.query(ConnStatements.writeBatch(idempotent: true).sql, stored)
        #expect(written.first?.first == "0", "the replayed event was stored again")
        // ... and a plain INSERT of it is rejected by the unique index.
        #expect(throws: (any Error).self) {
            try database.execute(script: """
                INSERT INTO client_conn_events (ts, event_type, client_id, extra)
                SELECT ts, event_type, client_id, extra FROM client_conn_events
                WHERE client_id = 'after-conversion' AND event_type = 'connect'
                """)
        }
        #expect(try database.intScalar("SELECT count(*) FROM client_conn_events WHERE client_id = 'after-conversion'") == 2)
        #expect(try database.intScalar("SELECT count(*) FROM client_conn_events") == 6)

        // Converting twice is refused without changing anything.
        let again = try ProcessRunner.run(
            "/bin/bash", [Self.rootDirectory + "/scripts/partition-conn-events.sh", database.dsn], timeout: 60)
        #expect(!again.succeeded)
        #expect(again.output.contains("already partitioned"))
        #expect(try database.intScalar("SELECT count(*) FROM client_conn_events") == 6)
    }
}
