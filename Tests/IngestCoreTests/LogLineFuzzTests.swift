import Testing

@testable import IngestCore

/// SplitMix64: a seeded generator, so a failing case can be replayed from the seed in the message.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("LogLine randomized")
struct LogLineFuzzTests {
    /// Pieces a hostile client would put into its id, username or topic filter.
    static let hostilePieces = [
        " ", "(", ")", "'", "\"", "[", "]", ":", ".", ",", " (p2, c1, k60)", " (p4, c1, k60, u'admin')", "u'", "')",
        " disconnected.", " disconnected: ", " [127.0.0.1:1]", "] disconnected", " as ", "Client ", " 1 ", " 0 ",
        "\u{301}", "\u{200D}", "é", "😀", "\0", "\n", "\t", "%s", "\\", "New client connected from ",
        " closed its connection.", " has exceeded timeout, disconnecting.", "<unknown>",
    ]

    static func hostileText(_ rng: inout SeededGenerator, allowEmpty: Bool = false) -> String {
        var text = ""
        let parts = Int.random(in: (allowEmpty ? 0 : 1)...6, using: &rng)
        for _ in 0..<parts {
            if Bool.random(using: &rng) {
                text += hostilePieces.randomElement(using: &rng)!
            } else {
                text += String(
                    (0..<Int.random(in: 1...6, using: &rng)).map { _ in
                        "abcXYZ019-_/#+".randomElement(using: &rng)!
                    })
            }
        }
        return text
    }

    @Test("thousands of generated and hostile lines: never a crash, one event each, ids recovered")
    func randomized() {
        let seed = UInt64.random(in: 0...UInt64.max)
        var rng = SeededGenerator(state: seed)
        var planner = BurstPlanner(tracker: SessionTracker())
        let streams = ["N", "I", "W", "E", "M/subscribe", "M/unsubscribe", "WS", "X"]
        var inputs: [IngestInput] = [.brokerConnected(atMicros: micros(0))]
        var logLines = 0
        for index in 0..<6000 {
            let id = Self.hostileText(&rng)
            let stream: String
            let payload: String
            switch index % 6 {
            case 0:
                stream = "N"
                payload = "\(index): New client connected from 127.0.0.1:\(index) as \(id) (p4, c1, k60)."
            case 1:
                stream = "N"
                payload = "\(index): Client \(id) [127.0.0.1:\(index)] disconnected."
            case 2:
                stream = Bool.random(using: &rng) ? "M/subscribe" : "M/unsubscribe"
                payload = "\(index): \(id) \(Int.random(in: 0...2, using: &rng)) \(Self.hostileText(&rng))"
            case 3:
                // Random bytes, decoded leniently like the ingester does.
                let bytes = (0..<Int.random(in: 0...80, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng)
                }
                stream = streams.randomElement(using: &rng)!
                payload = String(decoding: bytes, as: UTF8.self)
            case 4:
                stream = streams.randomElement(using: &rng)!
                payload = Self.hostileText(&rng, allowEmpty: true)
            default:
                // A truncated or spliced real-looking line.
                let full =
                    "\(index): New client connected from 127.0.0.1:1 as \(id) (p5, c0, k30, u'\(Self.hostileText(&rng))')."
                let cut = Int.random(in: 0...full.count, using: &rng)
                stream = streams.randomElement(using: &rng)!
                payload = String(full.prefix(cut))
            }
            inputs.append(.message(topic: "$SYS/broker/log/\(stream)", payload: payload, receivedAtMicros: micros(Double(index))))
            logLines += 1
        }
        let plan = planner.plan(inputs)
        #expect(plan.events.count == logLines, "seed \(seed)")
        for event in plan.events {
            #expect(!event.raw.contains("\0"), "seed \(seed)")
            #expect(LogAction.allCases.contains(event.action))
        }
    }

    @Test("property: a connect without username and a 2.1 disconnect give the exact id back")
    func idsRoundTrip() {
        let seed = UInt64.random(in: 0...UInt64.max)
        var rng = SeededGenerator(state: seed)
        let parser21 = LogLineParser(dialect: .v21)
        let parser20 = LogLineParser(dialect: .v20)
        for _ in 0..<3000 {
            let id = Self.hostileText(&rng).replacingNul()
            let connect = parser21.parse(
                stream: .notice, payload: "1: New client connected from 10.0.0.1:5 as \(id) (p4, c1, k60).",
                receivedAtMicros: micros(0))
            #expect(connect.action == .connected && connect.client == id, "seed \(seed): \(id)")
            let gone21 = parser21.parse(
                stream: .notice, payload: "1: Client \(id) [10.0.0.1:5] disconnected.", receivedAtMicros: micros(0))
            #expect(gone21.action == .disconnected && gone21.client == id, "seed \(seed): \(id)")
            let gone20 = parser20.parse(stream: .notice, payload: "1: Client \(id) disconnected.", receivedAtMicros: micros(0))
            if id != "<unknown>" {
                #expect(gone20.action == .disconnected && gone20.client == id, "seed \(seed): \(id)")
            }
            let user = Self.hostileText(&rng).replacingNul()
            let withUser = parser21.parse(
                stream: .notice, payload: "1: New client connected from 10.0.0.1:5 as \(id) (p5, c1, k60, u'\(user)').",
                receivedAtMicros: micros(0))
            // Exact unless the username itself contains a connect suffix (the documented ambiguity).
            if !user.contains(" (p") {
                #expect(withUser.client == id && withUser.username == user, "seed \(seed): \(id) / \(user)")
            } else {
                #expect(withUser.action == .connected)
            }
        }
    }
}

extension String {
    fileprivate func replacingNul() -> String { String(map { $0 == "\0" ? "\u{FFFD}" : $0 }) }
}
