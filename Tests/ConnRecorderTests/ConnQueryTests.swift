import Storage
import Testing

@testable import ConnRecorder

/// The plugin's statement types: each binds its fields in its file's `$n` order and reads its rows
/// by what they mean, so a caller never builds bindings or reads a row by position.
@Suite struct ConnQueryTests {
    @Test func eachTypeCarriesItsOwnFileAndAUniqueName() {
        let statements: [(name: String, sql: String)] = [
            (ConnQuery.RecordHeartbeat.name, ConnQuery.RecordHeartbeat.sql),
            (ConnQuery.KeptSessions.name, ConnQuery.KeptSessions.sql),
            (ConnQuery.StaleRuns.name, ConnQuery.StaleRuns.sql),
            (ConnQuery.StaleSessions.name, ConnQuery.StaleSessions.sql),
            (ConnQuery.StartDailyStatsFold.name, ConnQuery.StartDailyStatsFold.sql),
            (ConnQuery.NewestEventID.name, ConnQuery.NewestEventID.sql),
            (ConnQuery.FoldDailyStats.name, ConnQuery.FoldDailyStats.sql),
            (ConnQuery.PruneConnEvents.name, ConnQuery.PruneConnEvents.sql),
        ]
        #expect(Set(statements.map(\.name)).count == statements.count)
        #expect(Set(statements.map(\.sql)).count == statements.count)
        #expect(statements.allSatisfy { $0.name.hasPrefix("conn_") && !$0.sql.isEmpty })
        #expect(ConnQuery.RecordHeartbeat.sql.contains("INSERT INTO broker_status"))
        #expect(ConnQuery.FoldDailyStats.sql.contains("client_daily_stats_folds"))
    }

    @Test func bindingsFollowTheFilesParameterOrder() {
        let heartbeat = BrokerHeartbeat(
            brokerID: "edge-1", bootID: "0123456789abcdef", startedAtMicros: 42, intervalSeconds: 5, stopping: true,
            pluginVersion: "1.2")
        #expect(
            ConnQuery.RecordHeartbeat(heartbeat).bindings
                == [.text("edge-1"), .text("0123456789abcdef"), .int(42), .int(5), .text("true"), .text("1.2")])
        let fold = ConnQuery.FoldDailyStats(brokerID: "b", after: 10, through: 20)
        #expect(fold.bindings == [.text("b"), .int(10), .int(20)])
        #expect(ConnQuery.PruneConnEvents(retentionDays: 30, limit: 5000).bindings == [.int(30), .int(5000)])
        #expect(ConnQuery.StaleRuns(brokerID: "b", excluding: "run").bindings == [.text("b"), .text("run")])
        // A run's lock key is its boot id read as 64 bits; other text is hashed, never 0 for a name.
        #expect(ConnStatements.runLockKey("0123456789abcdef") == Int64(bitPattern: 0x0123_4567_89ab_cdef))
        #expect(ConnStatements.runLockKey("edge-1") == ConnStatements.runLockKey("edge-1"))
        #expect(ConnStatements.runLockKey("edge-1") != ConnStatements.runLockKey("edge-2"))
    }

    @Test func rowsAreReadByWhatTheyMean() {
        let folded = ConnQuery.FoldDailyStats.decode(PostgresRows(values: [["1", "37"]]))
        #expect(folded == DailyStatsFold(advanced: true, rowsCounted: 37))
        let stood = ConnQuery.FoldDailyStats.decode(PostgresRows(values: [["0", "0"]]))
        #expect(stood == DailyStatsFold(advanced: false, rowsCounted: 0))
        let noRow = ConnQuery.FoldDailyStats.decode(PostgresRows(values: []))
        #expect(noRow == DailyStatsFold(advanced: false, rowsCounted: 0))

        #expect(ConnQuery.NewestEventID.decode(PostgresRows(values: [["981"]])) == 981)
        #expect(ConnQuery.NewestEventID.decode(PostgresRows(values: [])) == 0)
        #expect(ConnQuery.StartDailyStatsFold.decode(PostgresRows(values: [["7"]])) == 7)
        #expect(ConnQuery.StartDailyStatsFold.decode(PostgresRows(values: [])) == nil)
        #expect(ConnQuery.KeptSessions.decode(PostgresRows(values: [["a"], [nil], ["b"]])) == ["a", "b"])

        let sessions = ConnQuery.StaleSessions.decode(
            PostgresRows(values: [
                ["c1", "user", "10.0.0.1:5000", "MQTT/5.0", "1700000000000000", "3"],
                ["c2", nil, nil, nil, "1700000000000001", nil],
                [nil, nil, nil, nil, "1", "1"],  // no client id: skipped
                ["c3", nil, nil, nil, nil, "1"],  // no time: skipped
            ]))
        #expect(
            sessions == [
                SessionLeftOpen(
                    clientID: "c1", username: "user", peer: "10.0.0.1:5000", protocol: "MQTT/5.0",
                    lastAliveMicros: 1_700_000_000_000_000, connectionSequence: 3),
                SessionLeftOpen(
                    clientID: "c2", username: nil, peer: nil, protocol: nil, lastAliveMicros: 1_700_000_000_000_001,
                    connectionSequence: 0),
            ])
    }
}
