import ConnRecorder
import Foundation
import SchemaSQL
import Storage
import Testing

@Suite struct ConnStatementsTests {
    private static let schemaDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("schema")

    @Test func everySchemaFileIsListed() throws {
        // SwiftPM embeds every file of schema/; a file missing from SchemaFiles.all would never be applied.
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.schemaDirectory.path).filter { $0.hasSuffix(".sql") }
        #expect(Set(files.map { "schema/" + $0 }) == Set(SchemaFiles.all.map(\.file)))
    }

    @Test func seedTablesAreVerbatim() {
        let tables = SchemaFiles.connPluginTables
        #expect(tables.contains("event_type  TEXT NOT NULL CHECK (event_type IN ('connect', 'disconnect'))"))
        #expect(tables.contains("client_id           TEXT PRIMARY KEY"))
    }

    @Test func batchParametersAreArraysInEventOrderAndSQLHasNoValues() {
        let events = [("a\"b", ConnEvent.Kind.connect), ("c,d", .disconnect)].enumerated().map { index, item in
            ConnEvent(
                kind: item.1, timestampMicros: 10 + Int64(index), clientID: item.0, username: nil, peer: "1.2.3.4",
                protocol: "MQTT/5.0", reasonCode: item.1 == .disconnect ? 0 : nil, cause: nil,
                connection: ConnectionDetails(connectionSequence: 1, listenerPort: nil, keepAliveSeconds: nil, cleanStart: nil),
                origin: EventOrigin(brokerID: "b", bootID: "k", sequence: Int64(index + 1)))
        }
        let parameters = ConnStatements.batchParameters(events)
        #expect(parameters.count == 8)
        #expect(parameters[0] == .arrayLiteral("{10,11}"))
        #expect(parameters[1] == .arrayLiteral("{\"connect\",\"disconnect\"}"))
        #expect(parameters[2] == .arrayLiteral("{\"a\\\"b\",\"c,d\"}"))
        #expect(parameters[3] == .arrayLiteral("{NULL,NULL}"))
        #expect(parameters[6] == .arrayLiteral("{NULL,0}"))
        let sql = ConnStatements.writeBatch(idempotent: true).sql
        #expect(!sql.contains("a\"b"))
        #expect(sql.contains("ON CONFLICT DO NOTHING"))
        let unkeyed = ConnStatements.writeBatch(idempotent: false).sql
        #expect(!unkeyed.contains("ON CONFLICT DO NOTHING"))
        // Only the ON CONFLICT line of sql/write_batch.sql differs.
        #expect(unkeyed.split(separator: "\n").count == sql.split(separator: "\n").count - 1)
    }

    /// The batch's one statement with presence is write_batch.sql up to its SELECT, then the CTEs
    /// of write_presence.sql and, only for a batch with session_end events, those of
    /// write_session_ends.sql: one statement, so one round trip and one transaction.
    @Test func writeEventsIsWriteBatchWithThePresencePartInOneStatement() {
        for keyed in [true, false] {
            let batch = ConnStatements.writeBatch(idempotent: keyed).sql
            var batchLines = batch.split(separator: "\n", omittingEmptySubsequences: false)
            while batchLines.last?.isEmpty == true { batchLines.removeLast() }
            #expect(batchLines.last?.hasPrefix("SELECT ") == true)
            let head = batchLines.dropLast().joined(separator: "\n")
            for sessionEnds in [true, false] {
                let events = ConnStatements.writeEvents(idempotent: keyed, sessionEnds: sessionEnds).sql
                #expect(events.hasPrefix(head + ",\n"))
                #expect(events.contains("INSERT INTO client_broker_presence"))
                #expect(events.contains("INSERT INTO client_session_ends") == sessionEnds)
                #expect(events.contains("UPDATE client_sessions") == sessionEnds)
                // The history insert skips stored keys only where the event-key index exists; the
                // session-end insert skips its duplicates in both (client_session_ends' own unique key).
                #expect(events.ranges(of: "ON CONFLICT DO NOTHING").count == (keyed ? 1 : 0) + (sessionEnds ? 1 : 0))
                // One statement: no statement separator outside comments, and one closing SELECT
                // (its first line the only line that starts with SELECT).
                let code = events.split(separator: "\n").filter { !$0.drop { $0 == " " }.hasPrefix("--") }
                #expect(!code.contains { $0.contains(";") })
                #expect(code.filter { $0.hasPrefix("SELECT ") }.count == 1)
                #expect(code.last?.contains(sessionEnds ? "FROM ended" : "FROM per_broker") == true)
            }
        }
    }

    /// Fixtures/statements holds the six write statements, one file per prepared-statement name, as
    /// the plugin sent them before issue 18 composed them with Storage's `SQLComposition`: the
    /// plugin's write path must not change by a byte, nor its names.
    @Test func everyWriteVariantIsByteForByteTheCapturedText() throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/statements")
        var statements = [true, false].map { ConnStatements.writeBatch(idempotent: $0) }
        for keyed in [true, false] {
            statements += [true, false].map { ConnStatements.writeEvents(idempotent: keyed, sessionEnds: $0) }
        }
        for statement in statements {
            let captured = try Data(contentsOf: directory.appendingPathComponent(statement.name + ".sql"))
            #expect(statement.sql.utf8.elementsEqual(captured), "\(statement.name): \(firstDifference(statement.sql, captured))")
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(Set(files) == Set(statements.map { $0.name + ".sql" }))
        #expect(files.count == 6)
    }

    /// An event of `kind` by client c of broker b.
    private func event(_ kind: ConnEvent.Kind) -> ConnEvent {
        ConnEvent(
            kind: kind, timestampMicros: 1, clientID: "c", username: nil, peer: nil, protocol: nil, reasonCode: nil,
            cause: nil,
            connection: ConnectionDetails(connectionSequence: 1, listenerPort: nil, keepAliveSeconds: nil, cleanStart: nil),
            origin: EventOrigin(brokerID: "b", bootID: "r", sequence: 1))
    }

    /// The plugin sends the session-end part only with the batches that need it.
    @Test func theWriteForABatchHasTheSessionEndPartOnlyWhenItHoldsASessionEnd() {
        let plain = ConnStatements.writeEvents(for: [event(.connect), event(.disconnect)], idempotent: true)
        let withEnd = ConnStatements.writeEvents(for: [event(.disconnect), event(.sessionEnd)], idempotent: true)
        #expect(plain.name == ConnStatements.writeEvents(idempotent: true, sessionEnds: false).name)
        #expect(withEnd.name == ConnStatements.writeEvents(idempotent: true, sessionEnds: true).name)
        #expect(plain.name != withEnd.name)
        #expect(Set([true, false].flatMap { keyed in
            [true, false].map { ConnStatements.writeEvents(idempotent: keyed, sessionEnds: $0).name }
        }).count == 4)
    }

    /// The write as one value: the variant the schema and the batch call for, the batch's arrays.
    @Test func aWriteIsTheVariantItsSchemaAndBatchCallForWithTheBatchAsParameters() {
        let batch = [event(.connect), event(.sessionEnd)]
        let full = ConnStatements.Write(batch, presence: true, idempotent: true)
        #expect(full.prepared.name == ConnStatements.writeEvents(idempotent: true, sessionEnds: true).name)
        #expect(full.bindings == ConnStatements.batchParameters(batch))
        let seedOnly = ConnStatements.Write(batch, presence: false, idempotent: false)
        #expect(seedOnly.prepared.name == ConnStatements.writeBatch(idempotent: false).name)
        #expect(!seedOnly.prepared.sql.contains("client_broker_presence"))
        #expect(ConnStatements.Write([], presence: true, idempotent: true).prepared.name
            == ConnStatements.writeEvents(idempotent: true, sessionEnds: false).name)
    }

    @Test func extraCarriesIdentityAndKey() {
        let event = ConnEvent(
            kind: .disconnect, timestampMicros: 1, clientID: "x", username: nil, peer: nil, protocol: nil, reasonCode: 7,
            cause: .clientOffline,
            connection: ConnectionDetails(
                connectionSequence: 9, listenerPort: 1883, keepAliveSeconds: 60, cleanStart: false,
                sessionOutlivesConnection: true, websockets: false, clientCertificate: true),
            origin: EventOrigin(brokerID: "edge \"1\"", bootID: "abc", sequence: 42))
        let json = event.extraJSON
        #expect(json.contains("\"broker_id\":\"edge \\\"1\\\"\""))
        #expect(json.contains("\"event_key\":\"abc:42\""))
        #expect(json.contains("\"cause\":\"client_offline\""))
        #expect(json.contains("\"session_persists\":true"))
        #expect(json.contains("\"listener_port\":1883"))
        #expect(json.contains("\"transport\":\"tcp\""))
        #expect(json.contains("\"client_certificate\":true"))
    }

    @Test(arguments: [(3, "MQTT/3.1"), (4, "MQTT/3.1.1"), (5, "MQTT/5.0")])
    func protocolNames(_ version: Int, _ name: String) {
        #expect(protocolName(forVersion: version) == name)
    }

    @Test func jsonObjectHasEveryMemberOnce() {
        var object = JSONObjectWriter()
        object.add("n", -42)
        object.add("min", Int64.min)
        object.add("zero", 0)
        object.add("ok", true)
        object.add("k\"ey", "设备 🚀")
        #expect(object.finish() == "{\"n\":-42,\"min\":-9223372036854775808,\"zero\":0,\"ok\":true,\"k\\\"ey\":\"设备 🚀\"}")
        var empty = JSONObjectWriter()
        #expect(empty.finish() == "{}")
    }

    @Test func jsonEscapesControlCharacters() {
        var text = ""
        JSONObjectWriter.appendString("a\u{01}\"\\\n", to: &text)
        #expect(text == "\"a\\u0001\\\"\\\\\\n\"")
    }

    /// The escaping copies runs of bytes between the ones it escapes: the same output as escaping
    /// byte by byte, with escapes first, last, adjacent, alone, and around multi-byte characters.
    @Test(arguments: [
        "", "plain", "\"", "\\", "\"\"", "\\\"\\", "\"start", "end\\", "a\u{00}b\u{1f}c\u{7f}", "\n\r\t",
        "设备\"🚀\\x", "🚀", "é\u{01}é", String(repeating: "x\"", count: 300),
    ])
    func jsonEscapingMatchesEscapingByteByByte(_ value: String) {
        var bytes: [UInt8] = []
        JSONObjectWriter.appendString(value, to: &bytes)
        var expected: [UInt8] = [UInt8(ascii: "\"")]
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): expected += [UInt8(ascii: "\\"), byte]
            case UInt8(ascii: "\n"): expected += Array("\\n".utf8)
            case UInt8(ascii: "\r"): expected += Array("\\r".utf8)
            case UInt8(ascii: "\t"): expected += Array("\\t".utf8)
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                expected += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            default: expected.append(byte)
            }
        }
        expected.append(UInt8(ascii: "\""))
        #expect(bytes == expected)
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
