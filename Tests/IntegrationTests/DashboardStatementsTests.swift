import Dashboard
import Logging
import SchemaSQL
import Testing

/// Every variant of the dashboard's statements against a real PostgreSQL: a database with every
/// schema file, read through `DashboardStore` as each combination of missing relations would read
/// it (each variant prepared under its own name on the read-only sessions). The pages' own tests
/// run against the schemas the programs create; this one reaches the variants they never meet.
@Suite("DashboardStatements", .enabled(if: TestEnvironment.shouldRun), .offCooperativePool)
struct DashboardStatementsTests {
    /// Every subset of `relations`.
    private static func subsets(_ relations: [String]) -> [[String]] {
        (0..<(1 << relations.count)).map { mask in relations.indices.filter { mask & (1 << $0) != 0 }.map { relations[$0] } }
    }

    @Test("every variant of every statement runs and reads the rows it should")
    func everyVariantRuns() async throws {
        let database = try ScratchDatabase.create(label: "ui_variants")
        for (_, sql) in SchemaFiles.all { try database.execute(script: sql) }
        // A status interval of a day: the broker stays "up" however long the test takes (lost after
        // 3 intervals without a heartbeat).
        try database.execute(
            script: """
                INSERT INTO broker_status (broker_id, started_at, last_seen, status_interval_s, plugin_version)
                VALUES ('variant-broker', now() - interval '1 hour', now(), 86400, 'test');
                INSERT INTO client_daily_stats (client_id, broker_id, day, connects, disconnects, unclean_disconnects,
                                                online_seconds)
                VALUES ('variant-client', 'variant-broker', (now() AT TIME ZONE 'UTC')::date, 3, 3, 2, 60);
                """)
        let reads = try ReadOnlyDatabase(dsn: database.dsn, workers: 1, logger: Logger(label: "dashboard-variants"))
        defer { reads.stop() }
        let store = DashboardStore(database: reads)
        let all = try await store.sources()
        #expect(all.missingRelations.isEmpty, "\(all.missingRelations)")
        #expect(all.pluginReports && !all.ingesterReports)

        // The fleet and its per-minute counts: every combination of their optional relations.
        let optional = ["client_presence", "ingest_gaps", "presence_drift", "broker_metrics", "client_conn_events", "events"]
        for missing in Self.subsets(optional) {
            let sources = DataSources(missingRelations: missing, pluginReports: true, ingesterReports: true)
            let brokers = try await store.brokers(sources)
            #expect(brokers.map(\.brokerID) == ["variant-broker"], "missing \(missing)")
            #expect(brokers.first?.state == "up" && brokers.first?.connectsPerMinute.count == 60, "missing \(missing)")
            #expect(brokers.first?.uptimeSeconds ?? 0 > 3000, "missing \(missing)")
        }
        for missing in Self.subsets(["client_daily_stats", "client_session_ends"]) {
            let sources = DataSources(missingRelations: missing, pluginReports: true, ingesterReports: true)
            #expect(try await store.clients(ClientListQuery(broker: "variant-broker"), sources).clients.isEmpty)
            #expect(try await store.events(clientID: "variant-client", EventQuery(), sources).events.isEmpty)
        }
        // Read by the day the row was written on or the next (a run across UTC midnight).
        let daily = try await store.daily(clientID: "variant-client", days: 7, all)
        #expect(daily.count == 7 && daily.suffix(2).contains { $0.uncleanDisconnects == 2 && $0.onlineSeconds == 60 })
        let droppers = try await store.droppers(limit: 10, all)
        #expect(droppers.week.map(\.clientID) == ["variant-client"] && droppers.week.first?.connects == 3)
        #expect(try await store.brokerIDs(all) == ["variant-broker"])
    }
}
