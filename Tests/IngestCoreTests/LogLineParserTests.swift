import Testing

@testable import IngestCore

@Suite("LogLineParser")
struct LogLineParserTests {
    /// Parses every captured line of one broker through the planner (so subscribe lines see the
    /// open sessions) and returns the events with their payloads.
    private func replay(_ file: String) throws -> (events: [BrokerLogEvent], planner: BurstPlanner) {
        var planner = BurstPlanner(tracker: SessionTracker())
        let inputs = try Fixture.inputs(file)
        let plan = planner.plan(inputs)
        #expect(plan.events.count == inputs.count - 1, "every log line gives exactly one event")
        return (plan.events, planner)
    }

    private func event(_ events: [BrokerLogEvent], containing fragment: String) throws -> BrokerLogEvent {
        try #require(events.first { $0.raw.contains(fragment) }, "no line contains \(fragment)")
    }

    @Test("mosquitto 2.1.2: every captured line is placed")
    func captured21() throws {
        let (events, _) = try replay("mosquitto-2.1.2-log.txt")
        let unknown = events.filter { $0.action == .unknown }.map(\.raw)
        #expect(unknown.count == 3, "\(unknown)")  // 1 protocol error, 2 × terminating
        let onlyExpected = unknown.allSatisfy { $0.contains("Protocol error") || $0.contains("terminating") }
        #expect(onlyExpected)
        #expect(events.allSatisfy { $0.timestampFromLine })

        let c31 = try event(events, containing: "as c31 ")
        #expect(c31.action == .connected && c31.client == "c31" && c31.username == "alice")
        #expect(c31.timestampMicros == 1_795_454_481_000_000)
        let gone = try event(events, containing: "Client c31 [")
        #expect(gone.action == .disconnected && gone.client == "c31" && !gone.clientIsAddress)

        let evil = try event(events, containing: "as x (p2")
        #expect(evil.client == "x (p2, c1, k60, u'admin')" && evil.username == "ev'il) u" && evil.ambiguous)
        let evilGone = try event(events, containing: "Client x (p2")
        #expect(evilGone.action == .disconnected && evilGone.client == "x (p2, c1, k60, u'admin')")

        let mimic = try event(events, containing: "Client Client dev1")
        #expect(mimic.action == .disconnected && mimic.client == "Client dev1 [127.0.0.1:1] disconnected.")

        let spaced = try event(events, containing: "sp ace 1 b 0 to pic")
        #expect(spaced.action == .subscribe && spaced.client == "sp ace 1 b" && spaced.topic == "to pic 2 x")
        #expect(spaced.qos == 0)
    }

    @Test("mosquitto 2.1.2 specific shapes")
    func shapes21() throws {
        let (events, _) = try replay("mosquitto-2.1.2-log.txt")
        let preConnect = try event(events, containing: "Client 127.0.0.1 [127.0.0.1:59036]")
        #expect(preConnect.action == .disconnected && preConnect.clientIsAddress)
        let takeover = try event(events, containing: "session taken over")
        #expect(takeover.action == .disconnected && takeover.client == "twin")
        let timeout = try event(events, containing: "exceeded timeout")
        #expect(timeout.client == "stalled")
        let p4 = try event(events, containing: "as c311 ")
        #expect(p4.client == "c311" && p4.username == nil)
        let sub5 = try event(events, containing: "sub5 2 s/+/t")
        #expect(sub5.action == .subscribe && sub5.client == "sub5" && sub5.qos == 2 && sub5.topic == "s/+/t")
        let unsub = try #require(events.first { $0.action == .unsubscribe && $0.client == "unsub me" })
        #expect(unsub.topic == "a b" && unsub.qos == 0)
        #expect(try event(events, containing: "Saving in-memory").action == .checkpoint)
        #expect(try event(events, containing: "New connection from").action == .connInfo)
        #expect(try event(events, containing: "disconnected: not authorised").client == "anon")
    }

    @Test("mosquitto 2.0.11: every captured line is placed")
    func captured20() throws {
        let (events, planner) = try replay("mosquitto-2.0.11-log.txt")
        let unknown = events.filter { $0.action == .unknown }.map(\.raw)
        #expect(unknown.count == 2, "\(unknown)")  // 2 × terminating
        #expect(planner.tracker.openSessions.isEmpty)

        let c31 = try event(events, containing: "as c31 ")
        #expect(c31.client == "c31" && c31.username == "alice")
        #expect(try event(events, containing: "Client c31 disconnected.").client == "c31")
        #expect(try event(events, containing: "Client killed closed its connection.").client == "killed")
        #expect(try event(events, containing: "has exceeded timeout").client == "stalled")
        let takeover = try event(events, containing: "already connected")
        #expect(takeover.action == .disconnected && takeover.client == "twin")
        let unknownClient = try event(events, containing: "<unknown> disconnected due to protocol error")
        #expect(unknownClient.action == .disconnected && unknownClient.client == nil && unknownClient.clientIsAddress)
        let mimic = try event(events, containing: "Client Client dev1")
        #expect(mimic.action == .disconnected && mimic.client == "Client dev1 [127.0.0.1:1] disconnected.")
        let evil = try event(events, containing: "as x (p2")
        #expect(evil.client == "x (p2, c1, k60, u'admin')" && evil.username == "ev'il) u")
        #expect(try event(events, containing: "Client sp ace closed").client == "sp ace")
        #expect(try event(events, containing: "big disconnected due to oversize").client == "big")
        #expect(try event(events, containing: "not authorised").clientIsAddress)
    }

    @Test(
        "the sessions of a replayed capture all close",
        arguments: ["mosquitto-2.1.2-log.txt", "mosquitto-2.0.11-log.txt"])
    func sessionsClose(file: String) throws {
        var planner = BurstPlanner(tracker: SessionTracker())
        let inputs = try Fixture.inputs(file).filter {
            if case .message(_, let payload, _) = $0 { return !payload.contains("terminating") }
            return true
        }
        let plan = planner.plan(inputs)
        #expect(planner.tracker.openSessions.isEmpty, "\(planner.tracker.openSessions)")
        let opens = plan.steps.filter { if case .open = $0 { return true } else { return false } }
        #expect(opens.count == plan.events.filter { $0.action == .connected }.count)
    }

    @Test("synthesized shapes from the brokers' format strings")
    func synthesized() throws {
        let parser = LogLineParser()
        for line in try Fixture.text("synthesized-shapes.txt").split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.components(separatedBy: " => ")
            let topicEnd = try #require(parts[0].firstIndex(of: " ") ?? parts[0].endIndex as String.Index?)
            let topic = String(parts[0][..<topicEnd])
            let payload = topicEnd == parts[0].endIndex ? "" : String(parts[0][parts[0].index(after: topicEnd)...])
            guard case .log(let stream) = SysTopic.classify(topic) else {
                Issue.record("not a log topic: \(topic)")
                continue
            }
            let event = parser.parse(stream: stream, payload: payload, receivedAtMicros: micros(5))
            let expected = parts[1].split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            let actual = [
                event.action.rawValue, event.client ?? "", event.topic ?? "", event.qos.map(String.init) ?? "",
                event.username ?? "",
            ]
            #expect(actual == expected, "\(line)")
            #expect(event.raw == payload)
        }
    }

    @Test("timestamp prefixes")
    func timestamps() {
        let parser = LogLineParser()
        let epoch = parser.parse(stream: .notice, payload: "1700000000: Saving in-memory database to x.", receivedAtMicros: micros(5))
        #expect(epoch.timestampMicros == 1_700_000_000_000_000 && epoch.timestampFromLine && epoch.action == .checkpoint)
        let iso = parser.parse(
            stream: .notice, payload: "2024-05-01 10:00:00: Saving in-memory database to x.", receivedAtMicros: micros(5))
        #expect(iso.timestampMicros == micros(5) && !iso.timestampFromLine && iso.action == .checkpoint)
        let none = parser.parse(stream: .notice, payload: "Saving in-memory database to x.", receivedAtMicros: micros(5))
        #expect(none.timestampMicros == micros(5) && !none.timestampFromLine && none.action == .checkpoint)
        let lifecycle = parser.parse(
            stream: .information, payload: "1: mosquitto version 2.1.2 starting", receivedAtMicros: micros(5))
        #expect(lifecycle.lifecycle == .started(version: "2.1.2") && lifecycle.action == .unknown)
    }

    @Test("a prefix of epoch seconds is the same instant in microseconds; one beyond them gives the ingest time")
    func timestampMicroseconds() {
        let parser = LogLineParser()
        func parsed(_ prefix: String) -> BrokerLogEvent {
            parser.parse(stream: .notice, payload: prefix + ": Saving in-memory database to x.", receivedAtMicros: 42)
        }
        #expect(parsed("0").timestampMicros == 0 && parsed("0").timestampFromLine)
        #expect(parsed("1795454481").timestampMicros == 1_795_454_481_000_000)
        let last = parsed("9223372036854")
        #expect(last.timestampMicros == 9_223_372_036_854_000_000 && last.timestampFromLine)
        let beyond = parsed("9223372036855")
        #expect(beyond.timestampMicros == 42 && !beyond.timestampFromLine && beyond.action == .checkpoint)
        let long = parsed("123456789012345678")
        #expect(long.timestampMicros == 42 && !long.timestampFromLine && long.action == .checkpoint)
    }

    // MARK: - Hostile input and the documented ambiguity

    @Test("an id imitating the connect suffix, without username, is read exactly")
    func imitatedSuffixWithoutUsername() {
        let line = "1: New client connected from 127.0.0.1:1 as x (p2, c1, k60) (p4, c1, k60)."
        let event = LogLineParser().parse(stream: .notice, payload: line, receivedAtMicros: micros(0))
        #expect(event.client == "x (p2, c1, k60)" && event.username == nil && !event.ambiguous)
    }

    @Test("a username imitating the suffix is the documented misreading, flagged ambiguous")
    func imitatedSuffixInUsername() {
        let line = "1: New client connected from 127.0.0.1:1 as a (p4, c1, k60, u'b') (p4, c1, k60, u'c')."
        let event = LogLineParser().parse(stream: .notice, payload: line, receivedAtMicros: micros(0))
        // Either id "a" + username "b') (p4, c1, k60, u'c" or id "a (p4, c1, k60, u'b')" + username "c";
        // the parser takes the last boundary.
        #expect(event.client == "a (p4, c1, k60, u'b')" && event.username == "c" && event.ambiguous)
    }

    @Test("the known dialect protects against ids imitating the other generation")
    func dialect() {
        let line = "1: Client a [1.2.3.4:5] disconnected: x disconnected."
        let as20 = LogLineParser(dialect: .v20).parse(stream: .notice, payload: line, receivedAtMicros: micros(0))
        #expect(as20.client == "a [1.2.3.4:5] disconnected: x")
        let unknown = LogLineParser(dialect: .unknown).parse(stream: .notice, payload: line, receivedAtMicros: micros(0))
        #expect(unknown.client == "a")  // documented: before $SYS/broker/version arrives
        let v21Line = "1: Client a disconnected. [127.0.0.1:9] disconnected."
        #expect(
            LogLineParser(dialect: .v21).parse(stream: .notice, payload: v21Line, receivedAtMicros: micros(0)).client
                == "a disconnected.")
    }

    @Test("subscribe lines prefer the split whose id has an open session")
    func subscribeSplit() {
        let parser = LogLineParser()
        let line = "1: a 1 b 0 c"
        let known = parser.parse(stream: .subscribe, payload: line, receivedAtMicros: micros(0)) { $0 == "a 1 b" }
        #expect(known.client == "a 1 b" && known.topic == "c" && known.qos == 0 && !known.ambiguous)
        let guess = parser.parse(stream: .subscribe, payload: line, receivedAtMicros: micros(0))
        #expect(guess.client == "a" && guess.topic == "b 0 c" && guess.qos == 1 && guess.ambiguous)
        let unsubscribe = parser.parse(stream: .unsubscribe, payload: "1: a b c", receivedAtMicros: micros(0)) { $0 == "a b" }
        #expect(unsubscribe.client == "a b" && unsubscribe.topic == "c")
    }

    @Test("NUL characters are replaced in raw")
    func nul() {
        let event = LogLineParser().parse(stream: .notice, payload: "1: Client a\0b disconnected.", receivedAtMicros: micros(0))
        #expect(!event.raw.contains("\0") && event.action == .disconnected && event.client == "a\u{FFFD}b")
    }
}
