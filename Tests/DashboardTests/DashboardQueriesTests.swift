import DashboardStatements
import Foundation
import SchemaSQL
import Storage
import Testing

@testable import Dashboard

/// The dashboard's statement types: each variant of each file has its own name and its own SQL
/// without markers, binds exactly the `$n` its SQL uses, in order, and reads its rows by what they
/// mean, so no caller builds bindings or reads a row by position.
@Suite struct DashboardQueriesTests {
    // MARK: - Variants

    /// Data sources where exactly `present` of `relations` exist (the others are missing).
    private static func sources(_ relations: [String], present: Set<String>) -> DataSources {
        DataSources(
            missingRelations: DashboardStore.relations.filter { relations.contains($0) && !present.contains($0) },
            pluginReports: true, ingesterReports: true)
    }

    /// Every subset of `relations`.
    private static func subsets(_ relations: [String]) -> [Set<String>] {
        (0..<(1 << relations.count)).map { mask in
            Set(relations.indices.filter { mask & (1 << $0) != 0 }.map { relations[$0] })
        }
    }

    /// The files with `-- when <relation>` blocks.
    private static let variantFiles = [
        DashboardQuery.Fleet.file, DashboardQuery.PerMinute.file, DashboardQuery.Clients.file,
        DashboardQuery.Events.file,
    ]

    /// The `$n` an SQL text uses outside its comment lines.
    private static func parameters(_ sql: String) -> Set<Int> {
        var found: Set<Int> = []
        for line in sql.split(separator: "\n") where !line.drop(while: { $0 == " " }).hasPrefix("--") {
            var rest = line[...]
            while let dollar = rest.firstIndex(of: "$") {
                let digits = rest[rest.index(after: dollar)...].prefix { $0.isNumber }
                if let number = Int(digits) { found.insert(number) }
                rest = rest[rest.index(after: dollar)...]
            }
        }
        return found
    }

    @Test func everyVariantHasItsOwnNameAndNoMarkers() {
        #expect(DashboardQuery.Fleet.file.relations == ["client_presence", "ingest_gaps", "presence_drift", "broker_metrics"])
        #expect(DashboardQuery.PerMinute.file.relations == ["client_conn_events", "events", "broker_status"])
        #expect(DashboardQuery.Clients.file.relations == ["client_daily_stats"])
        #expect(DashboardQuery.Events.file.relations == ["client_session_ends"])
        var names: Set<String> = []
        var count = 0
        for file in Self.variantFiles {
            for present in Self.subsets(file.relations) {
                let statement = file.variant(where: present.contains)
                names.insert(statement.name)
                count += 1
                #expect(statement.name.hasPrefix(file.name + "_"))
                // PostgreSQL cuts names at 63 bytes; two variants must not meet there.
                #expect(statement.name.utf8.count <= 63)
                let markers = statement.sql.split(separator: "\n").filter { line in
                    let trimmed = line.drop { $0 == " " }
                    return trimmed.hasPrefix("-- when ") || trimmed == "-- else" || trimmed == "-- end"
                }
                #expect(markers.isEmpty, "\(statement.name)")
                // A relation that is missing is never read.
                for relation in file.relations where !present.contains(relation) {
                    #expect(!statement.sql.contains("FROM \(relation) ") && !statement.sql.contains("JOIN \(relation) "))
                }
            }
        }
        #expect(names.count == count)
        let fixed = [
            DashboardQuery.ConfigureSession.name, MissingRelations.name, DashboardQuery.Reporters.name,
            DashboardQuery.BrokerIDs.name, DashboardQuery.Daily.name, DashboardQuery.Droppers.name,
        ]
        #expect(Set(fixed).count == fixed.count && names.isDisjoint(with: fixed))
    }

    /// Fixtures/statements holds every statement's text, one file per prepared-statement name, as
    /// the dashboard prepared it before issue 18 moved the `-- when` blocks to Storage's
    /// `SQLComposition`: the composition must not change a byte of any variant, nor a name.
    @Test func everyStatementIsByteForByteTheCapturedText() throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/statements")
        var statements = [
            DashboardQuery.ConfigureSession.prepared, DashboardQuery.Reporters.prepared,
            DashboardQuery.BrokerIDs.prepared, DashboardQuery.Daily.prepared, DashboardQuery.Droppers.prepared,
        ]
        for file in Self.variantFiles {
            statements += Self.subsets(file.relations).map { file.variant(where: $0.contains) }
        }
        for statement in statements {
            let captured = try Data(contentsOf: directory.appendingPathComponent(statement.name + ".sql"))
            #expect(statement.sql.utf8.elementsEqual(captured), "\(statement.name): \(firstDifference(statement.sql, captured))")
        }
        // Every captured statement is still made (a renamed variant would leave its file unread).
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(Set(files) == Set(statements.map { $0.name + ".sql" }))
    }

    /// What `conn-sql dashboard-statement` serves the history bench: every file of sql/, once, as
    /// prepared where every relation exists (a variant's name ends in ones only).
    @Test func everyRelationPresentHasEveryFileOnce() throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/Ingester/DashboardStatements/sql")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        let listed = DashboardSQL.everyRelationPresent
        #expect(listed.map { $0.file + ".sql" }.sorted() == files.sorted())
        for (file, statement) in listed {
            let digits = statement.name.dropFirst(("dashboard_" + file).count)
            #expect(digits.isEmpty || (digits.first == "_" && digits.dropFirst().allSatisfy { $0 == "1" }), "\(file)")
        }
    }

    @Test func theFleetReadsOnlyWhatExists() {
        let file = DashboardQuery.Fleet.file
        let all = file.variant(where: { _ in true })
        #expect(all.name == "dashboard_fleet_1111")
        #expect(all.sql.contains("FROM client_presence GROUP BY broker_id"))
        #expect(all.sql.contains("FROM ingest_gaps g") && all.sql.contains("THEN 'silent'"))
        #expect(all.sql.contains("LEFT JOIN presence_drift d USING (broker_id)"))
        #expect(all.sql.contains("d.plugin_drift, d.ingester_drift, d.sys_connected,"))
        #expect(all.sql.contains("msg.value / 60.0,"))
        #expect(!all.sql.contains("WHERE false") && !all.sql.contains("NULL, NULL, NULL"))
        let none = file.variant(where: { _ in false })
        #expect(none.name == "dashboard_fleet_0000")
        #expect(none.sql.contains("WHERE false") && none.sql.contains("NULL, NULL, NULL,"))
        #expect(!none.sql.contains("'silent'") && !none.sql.contains("up.value"))
        // Only presence_drift present: its columns and join, nothing else's.
        let drift = DashboardQuery.Fleet(Self.sources(file.relations, present: ["presence_drift"])).prepared
        #expect(drift.name == "dashboard_fleet_0010")
        #expect(drift.sql.contains("LEFT JOIN presence_drift d") && drift.sql.contains("WHERE false"))
        #expect(DashboardQuery.Fleet(Self.sources([], present: [])).bindings.isEmpty)
    }

    @Test func thePerMinuteCountsJoinTheirPartsOnlyWhereBothExist() throws {
        let relations = DashboardQuery.PerMinute.file.relations
        #expect(DashboardQuery.PerMinute(Self.sources(relations, present: ["broker_status"])) == nil)
        let both = try #require(DashboardQuery.PerMinute(Self.sources(relations, present: Set(relations))))
        #expect(both.prepared.sql.contains("\nUNION ALL\n"))
        #expect(both.prepared.sql.contains("AND broker NOT IN (SELECT broker_id FROM broker_status"))
        let plugin = try #require(
            DashboardQuery.PerMinute(Self.sources(relations, present: ["client_conn_events", "broker_status"])))
        #expect(plugin.prepared.sql.contains("FROM client_conn_events") && !plugin.prepared.sql.contains("UNION"))
        #expect(!plugin.prepared.sql.contains("FROM events"))
        let ingester = try #require(DashboardQuery.PerMinute(Self.sources(relations, present: ["events"])))
        #expect(ingester.prepared.sql.contains("FROM events") && !ingester.prepared.sql.contains("UNION"))
        #expect(!ingester.prepared.sql.contains("broker_status") && ingester.prepared.sql.hasSuffix("GROUP BY 1, 2"))
        #expect(Set([both.prepared.name, plugin.prepared.name, ingester.prepared.name]).count == 3)
    }

    @Test func eachStatementBindsExactlyTheParametersItsSQLUses() {
        let query = ClientListQuery(
            broker: "b", state: .sessionKept, prefix: "dev-", username: "u", limit: 10,
            after: Cursor.Client(clientID: "c", brokerID: "b2"))
        let event = EventQuery(
            from: Timestamp(microseconds: 1), to: Timestamp(microseconds: 2), limit: 5,
            after: Cursor.Event(ts: Timestamp(microseconds: 3), source: 1, id: 4))
        var checked: [(PreparedStatement, [PostgresValue?])] = [
            (DashboardQuery.ConfigureSession.prepared, DashboardQuery.ConfigureSession(statementTimeout: .seconds(5)).bindings),
            (MissingRelations.prepared, MissingRelations(DashboardStore.relations).bindings),
            (DashboardQuery.Reporters.prepared, DashboardQuery.Reporters().bindings),
            (DashboardQuery.BrokerIDs.prepared, DashboardQuery.BrokerIDs().bindings),
            (DashboardQuery.Daily.prepared, DashboardQuery.Daily(clientID: "c", days: 7).bindings),
            (DashboardQuery.Droppers.prepared, DashboardQuery.Droppers(days: 1, limit: 50).bindings),
        ]
        for present in Self.subsets(["client_daily_stats"]) {
            let statement = DashboardQuery.Clients(query, Self.sources(["client_daily_stats"], present: present))
            checked.append((statement.prepared, statement.bindings))
        }
        for present in Self.subsets(["client_session_ends"]) {
            let statement = DashboardQuery.Events(
                clientID: "c", event, Self.sources(["client_session_ends"], present: present))
            checked.append((statement.prepared, statement.bindings))
        }
        for (statement, bindings) in checked {
            #expect(
                Self.parameters(statement.sql) == Set(bindings.indices.map { $0 + 1 }),
                "\(statement.name) binds \(bindings.count) values")
        }
    }

    // MARK: - Bindings

    @Test func bindingsFollowTheFilesParameterOrder() {
        let page = ClientListQuery(
            broker: "edge-1", state: .sessionKept, prefix: "dev-", username: "alice", limit: 10,
            after: Cursor.Client(clientID: "dev-9", brokerID: "edge-0"))
        #expect(
            DashboardQuery.Clients(page, Self.sources([], present: [])).bindings == [
                .text("edge-1"), .text("session_kept"), .text("dev-"), .text("alice"), .text("dev-9"), .text("edge-0"),
                .int(11),
            ])
        // Filters not given are NULL, so the file's `$n IS NULL OR ...` lets every row through.
        #expect(
            DashboardQuery.Clients(ClientListQuery(limit: 100), Self.sources([], present: [])).bindings == [
                nil, nil, nil, nil, nil, nil, .int(101),
            ])
        let range = EventQuery(
            from: Timestamp(microseconds: 100), to: Timestamp(microseconds: 200), limit: 25,
            after: Cursor.Event(ts: Timestamp(microseconds: 150), source: 1, id: 42))
        #expect(
            DashboardQuery.Events(clientID: "c1", range, Self.sources([], present: [])).bindings == [
                .text("c1"), .int(100), .int(200), .int(150), .int(1), .int(42), .int(26),
            ])
        #expect(
            DashboardQuery.Events(clientID: "c1", EventQuery(limit: 3), Self.sources([], present: [])).bindings == [
                .text("c1"), nil, nil, nil, nil, nil, .int(4),
            ])
        #expect(DashboardQuery.Daily(clientID: "c1", days: 30).bindings == [.text("c1"), .int(30)])
        #expect(DashboardQuery.Droppers(days: 7, limit: 50).bindings == [.int(7), .int(50)])
        #expect(MissingRelations(["a", "b\"c"]).bindings == [.arrayLiteral("{\"a\",\"b\\\"c\"}")])
        #expect(DashboardQuery.ConfigureSession(statementTimeout: .seconds(5)).bindings == [.text("5000")])
        #expect(DashboardQuery.ConfigureSession(statementTimeout: .milliseconds(1500)).bindings == [.text("1500")])
    }

    // MARK: - Decoding

    @Test func fleetRowsAreReadByWhatTheyMean() throws {
        let row: [String?] = [
            "edge-1", "up", "3", "2", "1", "-1", nil, "7", "2026-12-03T08:00:00Z", "2026-12-01T00:00:00Z", nil,
            "3600.5", "12.25", "9",
        ]
        let broker = try #require(DashboardQuery.Fleet.decode(PostgresRows(values: [row])).first)
        #expect(broker.brokerID == "edge-1" && broker.state == "up")
        #expect(broker.online == 3 && broker.sessionKept == 2 && broker.unknown == 1 && broker.offline == 9)
        #expect(broker.pluginDrift == -1 && broker.ingesterDrift == nil && broker.sysConnected == 7)
        #expect(broker.lastSeen == "2026-12-03T08:00:00Z" && broker.startedAt == "2026-12-01T00:00:00Z")
        #expect(broker.stoppedAt == nil)
        #expect(broker.uptimeSeconds == 3600.5 && broker.messagesPerSecond == 12.25)
        #expect(broker.connectsPerMinute == Array(repeating: 0, count: 60))
        #expect(broker.disconnectsPerMinute.count == 60)
        // NULL counts are 0, a NULL state is "unknown".
        let empty = try #require(
            DashboardQuery.Fleet.decode(PostgresRows(values: [Array(repeating: nil, count: 14)])).first)
        #expect(empty.brokerID == "" && empty.state == "unknown" && empty.online == 0 && empty.offline == 0)
        #expect(empty.uptimeSeconds == nil && empty.messagesPerSecond == nil)
    }

    @Test func perMinuteRowsWithoutABrokerOrMinuteAreSkipped() {
        let counts = DashboardQuery.PerMinute.decode(
            PostgresRows(values: [["edge-1", "0", "5", "4"], [nil, "1", "1", "1"], ["edge-2", nil, "1", "1"], ["edge-2", "59", nil, "2"]]))
        #expect(
            counts == [
                .init(brokerID: "edge-1", minutesAgo: 0, connects: 5, disconnects: 4),
                .init(brokerID: "edge-2", minutesAgo: 59, connects: 0, disconnects: 2),
            ])
    }

    @Test func clientEventDailyAndDropperRowsAreReadByWhatTheyMean() throws {
        let client = try #require(
            DashboardQuery.Clients.decode(
                PostgresRows(values: [
                    ["dev-1", "edge-1", "online", "2026-12-03T08:00:00Z", "10.0.0.1:5000", "MQTT 5", nil, nil, "2", "5"]
                ])
            ).first)
        #expect(client.clientID == "dev-1" && client.brokerID == "edge-1" && client.state == "online")
        #expect(client.since == "2026-12-03T08:00:00Z" && client.peer == "10.0.0.1:5000" && client.protocol == "MQTT 5")
        #expect(client.username == nil && client.lastEventTs == nil && client.dropsToday == 2 && client.dropsWeek == 5)

        let event = try #require(
            DashboardQuery.Events.decode(
                PostgresRows(values: [
                    ["1764748800000001", "1", "77", "session_end", "edge-1", nil, nil, nil, nil, "expired"]
                ])
            ).first)
        #expect(event.ts == Timestamp(microseconds: 1_764_748_800_000_001) && event.eventType == "session_end")
        #expect(event.brokerID == "edge-1" && event.reasonCode == nil && event.cause == "expired")
        #expect(event.key == Cursor.Event(ts: Timestamp(microseconds: 1_764_748_800_000_001), source: 1, id: 77))
        let connect = try #require(
            DashboardQuery.Events.decode(
                PostgresRows(values: [["5", "0", "8", "disconnect", "edge-1", "142", "p", "MQTT 3.1.1", "u", nil]])
            ).first)
        #expect(connect.reasonCode == 142 && connect.peer == "p" && connect.protocol == "MQTT 3.1.1")
        #expect(connect.username == "u" && connect.key == Cursor.Event(ts: Timestamp(microseconds: 5), source: 0, id: 8))

        let day = try #require(DashboardQuery.Daily.decode(PostgresRows(values: [["2026-12-03", "4", "3600.5"]])).first)
        #expect(day.day == "2026-12-03" && day.uncleanDisconnects == 4 && day.onlineSeconds == 3600.5)

        let dropper = try #require(DashboardQuery.Droppers.decode(PostgresRows(values: [["dev-2", "9", "12", "13"]])).first)
        #expect(dropper.clientID == "dev-2" && dropper.unclean == 9 && dropper.disconnects == 12 && dropper.connects == 13)
    }

    @Test func sourcesRowsAreReadByWhatTheyMean() {
        #expect(MissingRelations.decode(PostgresRows(values: [["events"], ["ingest_gaps"]])) == [
            "events", "ingest_gaps",
        ])
        let both = DashboardQuery.Reporters.decode(PostgresRows(values: [["t", "t"]]))
        #expect(both.plugin && both.ingester)
        let plugin = DashboardQuery.Reporters.decode(PostgresRows(values: [["t", "f"]]))
        #expect(plugin.plugin && !plugin.ingester)
        let none = DashboardQuery.Reporters.decode(PostgresRows(values: []))
        #expect(!none.plugin && !none.ingester)
        #expect(DashboardQuery.BrokerIDs.decode(PostgresRows(values: [["a"], [nil], ["b"]])) == ["a", "b"])
    }

    /// Where `sql` first differs from `captured`: the line number and both lines.
    private func firstDifference(_ sql: String, _ captured: Data) -> String {
        let made = sql.split(separator: "\n", omittingEmptySubsequences: false)
        let kept = String(decoding: captured, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        for index in 0..<max(made.count, kept.count) {
            let line = index < made.count ? String(made[index]) : "(end)"
            let old = index < kept.count ? String(kept[index]) : "(end)"
            if line != old { return "line \(index + 1) is \"\(line)\", was \"\(old)\"" }
        }
        return "the same lines"
    }
}
