import SchemaSQL
import Storage
import Testing

@testable import IngestCore

@Suite("IngestStatements")
struct IngestStatementsTests {
    private static let touch = ClientTouch(
        client: "c", firstSeenMicros: micros(1), lastSeenMicros: micros(2), setsUsername: true, username: nil, createIfMissing: true)

    /// One value of every statement the ingester runs.
    private static let all: [any PostgresStatement] = [
        MissingRelations(["a", "b"]), SchemaLock(), OpenClients(broker: "b"), LastUptime(broker: "b"),
        InsertMetrics(broker: "b", metrics: [("uptime", 5, 1_500_000)]),
        InsertEvents(
            broker: "b",
            events: [
                BrokerLogEvent(action: .connected, client: "c", raw: "line", timestampMicros: micros(1), timestampFromLine: true)
            ]),
        UpsertClient(touch), TouchClient(client: "c", lastSeenMicros: micros(2)), CloseSession(broker: "b", client: "c", atMicros: 3),
        OpenSession(broker: "b", client: "c", username: nil, atMicros: 3), CloseAllSessions(broker: "b", keep: ["c"], atMicros: 4),
        Subscribe(broker: "b", client: "c", topic: "t/#", qos: 1, atMicros: 5),
        Unsubscribe(broker: "b", client: "c", topic: "t/#", atMicros: 6),
    ]

    /// The highest `$n` of `sql`.
    private static func parameterCount(_ sql: String) -> Int {
        var highest = 0
        var digits: Int?
        for byte in sql.utf8 + [0] {
            if let value = digits, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                digits = value * 10 + Int(byte - UInt8(ascii: "0"))
            } else {
                highest = max(highest, digits ?? 0)
                digits = byte == UInt8(ascii: "$") ? 0 : nil
            }
        }
        return highest
    }

    @Test("each statement binds exactly the parameters its SQL file takes")
    func bindingsMatchSQL() {
        for statement in Self.all {
            let type = type(of: statement)
            #expect(Self.parameterCount(type.sql) == statement.bindings.count, "\(type.name)")
            #expect(
                type.sql.hasPrefix("-- sys-ingester: ") || type.sql.hasPrefix("-- Both programs: "),
                "\(type.name): the file's header says who runs it and what it does")
        }
        #expect(Set(Self.all.map { type(of: $0).name }).count == Self.all.count, "names are unique")
    }

    @Test("a burst's rows travel as arrays in their order")
    func arrays() {
        let metrics = InsertMetrics(broker: "b", metrics: [("m1", 1.5, 10_000_000), ("m2", -2, 11_000_001)]).bindings
        #expect(
            metrics == [
                .text("b"), .arrayLiteral("{\"m1\",\"m2\"}"), .arrayLiteral("{\"1.5\",\"-2.0\"}"),
                .arrayLiteral("{10000000,11000001}"),
            ])
        #expect(
            CloseAllSessions(broker: "b", keep: [], atMicros: 4).bindings == [.text("b"), .arrayLiteral("{}"), .int(4)])
        #expect(
            UpsertClient(Self.touch).bindings == [.text("c"), nil, .int(1_000_000), .int(2_000_000), .bool(true)])
        let line = BrokerLogEvent(action: .checkpoint, raw: "x", timestampMicros: 1_700_000_000_000_001, timestampFromLine: false)
        #expect(InsertEvents(broker: "b", events: [line]).bindings[1] == .arrayLiteral("{1700000000000001}"))
        #expect(
            TouchBrokerStatus(broker: "b", seenAtMicros: 1_700_000_000_500_000).bindings[1] == .int(1_700_000_000_500_000))
    }
}
