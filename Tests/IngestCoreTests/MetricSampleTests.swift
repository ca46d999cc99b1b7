import Testing

@testable import IngestCore

@Suite("MetricSample")
struct MetricSampleTests {
    @Test(
        "numbers are parsed strictly",
        arguments: [
            ("42", 42.0), ("0.53", 0.53), ("12345 seconds", 12345.0), (" 7\n", 7.0), ("-1.5", -1.5),
            ("4294967294", 4_294_967_294.0), ("1e3", 1000.0),
        ])
    func numbers(payload: String, expected: Double) {
        #expect(MetricSample.number(payload) == expected)
    }

    @Test(
        "non-numbers are rejected",
        arguments: ["mosquitto version 2.1.2", "", "nan", "inf", "0x10", "1.2.3", "seconds", "12 minutes", ".", "-"])
    func nonNumbers(payload: String) {
        #expect(MetricSample.number(payload) == nil)
    }

    @Test("deprecated aliases are stored under the current name")
    func aliases() {
        #expect(
            MetricSample.parse(metric: "clients/active", payload: "3")
                == MetricSample(metric: "clients/connected", value: 3))
        #expect(MetricSample.parse(metric: "clients/inactive", payload: "1")?.metric == "clients/disconnected")
        #expect(MetricSample.parse(metric: "messages/stored", payload: "1")?.metric == "store/messages/count")
        #expect(
            MetricSample.parse(metric: "uptime", payload: "17 seconds") == MetricSample(metric: "uptime", value: 17))
    }

    @Test("captured $SYS bursts of both versions", arguments: ["mosquitto-2.1.2-sys.txt", "mosquitto-2.0.11-sys.txt"])
    func capturedBursts(file: String) throws {
        var planner = BurstPlanner(tracker: SessionTracker())
        let plan = planner.plan(try Fixture.inputs(file))
        let metrics = Set(plan.metrics.map(\.metric))
        // One row per metric per publication round (the captures hold several): aliases folded
        // into their current name, so a row per numeric message under a current name.
        let current = try Fixture.messages(file).filter { message in
            guard let path = message.topic.split(separator: "/", maxSplits: 2).last.map(String.init) else { return false }
            return MetricSample.deprecatedAliases[path] == nil
                && MetricSample.parse(metric: path, payload: message.payload) != nil
        }
        #expect(plan.metrics.count == current.count)
        for alias in MetricSample.deprecatedAliases.keys { #expect(!metrics.contains(alias)) }
        for expected in [
            "clients/total", "clients/connected", "load/messages/sent/1min", "uptime", "retained messages/count",
        ] {
            #expect(metrics.contains(expected), "\(expected) missing")
        }
        #expect(!metrics.contains("version"))
        #expect(plan.events.isEmpty)
        #expect(planner.tracker.dialect == (file.contains("2.1") ? .v21 : .v20))
    }
}
