import Foundation
import Testing

/// An idle broker keeps its `$SYS` schedule: mosquitto 2.1.2 alone publishes `$SYS` once and then
/// no more (its loop sleeps past the `sys_interval` boundaries); with the conn-plugin loaded, or
/// with the ingester's wake-ups, every round comes. Nothing but the subscriber runs.
@Suite("Idle brokers keep publishing $SYS", .enabled(if: TestEnvironment.shouldRun), .offCooperativePool)
struct IdleBrokerFreshnessTests {
    static let sysInterval = 2
    /// 4 × sys_interval and a little, so 4 rounds at least fall inside.
    static let watchSeconds = 9

    /// Consecutive uptimes `step` apart: the broker's uptime counts monotonic seconds while rounds
    /// follow the wall clock, so one step may read a second more or less; a skipped round reads
    /// twice the step.
    static func noRoundSkipped(_ uptimes: [Int], step: Int) -> Bool {
        zip(uptimes, uptimes.dropFirst()).allSatisfy { abs($1 - $0 - step) <= 1 }
    }

    /// The uptime values a subscriber receives in `watchSeconds`, the retained one first.
    private func uptimes(port: Int) throws -> [Int] {
        let result = try ProcessRunner.run(
            "mosquitto_sub",
            ["-h", "127.0.0.1", "-p", "\(port)", "-t", "$SYS/broker/uptime", "-W", "\(Self.watchSeconds)"],
            timeout: Double(Self.watchSeconds + 10))
        return result.output.split(separator: "\n").compactMap { Int($0.split(separator: " ").first ?? "") }
    }

    @Test(
        "with the conn-plugin loaded, whatever its status interval, every round of $SYS comes",
        arguments: ["1", "10", "0"])
    func withPlugin(statusInterval: String) throws {
        let fixture = try ConnPluginFixture(
            label: "idle_plugin", options: ["plugin_opt_conn_status_interval \(statusInterval)"],
            extraConfig: ["sys_interval \(Self.sysInterval)"])
        let values = try uptimes(port: fixture.broker.port)
        // The retained value, then one per round: at least 4 new rounds, none skipped.
        let rounds = Array(values.dropFirst())
        #expect(rounds.count >= Self.watchSeconds / Self.sysInterval - 1, "uptimes received: \(values)")
        #expect(Self.noRoundSkipped(rounds, step: Self.sysInterval), "uptimes received: \(values)")
    }

    @Test("the plugin's own status keeps its interval on an idle broker")
    func pluginStatus() throws {
        let fixture = try ConnPluginFixture(
            label: "idle_status", options: ["plugin_opt_conn_status_interval 2"],
            extraConfig: ["sys_interval \(Self.sysInterval)"])
        let result = try ProcessRunner.run(
            "mosquitto_sub",
            ["-h", "127.0.0.1", "-p", "\(fixture.broker.port)", "-t", "$SYS/broker/conn-plugin/events/seen",
             "-W", "\(Self.watchSeconds)"],
            timeout: Double(Self.watchSeconds + 10))
        let publications = result.output.split(separator: "\n").count
        #expect(publications >= 1 + Self.watchSeconds / 2 - 1, "\(result.output)")
    }

    /// The ingester alone (no plugin): its wake-ups keep an idle 2.1.2 broker publishing, and
    /// every round lands in broker_metrics. mosquitto 2.0 wakes itself every 100 ms but publishes
    /// only when more than sys_interval seconds have passed: every sys_interval + 1 seconds.
    @Test(
        "the ingester alone gets every $SYS round of an idle broker into broker_metrics",
        arguments: [BrokerProcess.Version.v21, .v20])
    func ingesterAlone(version: BrokerProcess.Version) throws {
        let database = try ScratchDatabase.create(label: "idle_ingester")
        defer { database.drop() }
        let broker = try BrokerProcess.start(version, extraConfig: ["log_dest topic", "sys_interval \(Self.sysInterval)"])
        let ingester = try SysIngesterProcess.start(broker: broker, database: database, brokerName: "idle")
        let started = try database.intScalar("SELECT count(*) FROM broker_metrics WHERE metric = 'uptime'") ?? 0
        Thread.sleep(forTimeInterval: Double(4 * Self.sysInterval + 3))
        let uptimes = try database.query(
            "SELECT value::bigint::text FROM broker_metrics WHERE broker = 'idle' AND metric = 'uptime' ORDER BY ts"
        ).compactMap { $0.first.flatMap { $0 }.flatMap { Int($0) } }
        let step = version == .v21 ? Self.sysInterval : Self.sysInterval + 1
        let rounds = Array(uptimes.dropFirst(started))
        #expect(rounds.count >= (4 * Self.sysInterval + 3) / step - 1, "uptimes stored: \(uptimes)")
        #expect(Self.noRoundSkipped(rounds, step: step), "uptimes stored: \(uptimes)")
        #expect(try database.intScalar("SELECT count(*) FROM ingest_gaps") == 0)
        _ = ingester.stop()
    }

    @Test("a broker that hangs is reported silent once, in the log and in ingest_gaps, and its recovery ends the gap")
    func silentBroker() throws {
        let database = try ScratchDatabase.create(label: "silent_broker")
        defer { database.drop() }
        let broker = try BrokerProcess.start(.v21, extraConfig: ["log_dest topic", "sys_interval 1"])
        let ingester = try SysIngesterProcess.start(broker: broker, database: database, brokerName: "hung")
        // Two rounds teach the ingester the interval (1 s): silent after 3 missed rounds and a second.
        try ingester.waitUntil("two uptime rounds stored") {
            try database.intScalar("SELECT count(*) FROM broker_metrics WHERE metric = 'uptime'") ?? 0 >= 3
        }
        broker.signal(SIGSTOP)
        try ingester.waitUntil("the silence recorded", timeout: 30) {
            try database.intScalar(
                "SELECT count(*) FROM ingest_gaps WHERE broker = 'hung' AND kind = 'broker_silent' AND ended_at IS NULL")
                == 1
        }
        #expect(ingester.lines(containing: "publishes no $SYS").count == 1)
        broker.signal(SIGCONT)
        try ingester.waitUntil("the silence ended", timeout: 30) {
            try database.intScalar(
                "SELECT count(*) FROM ingest_gaps WHERE broker = 'hung' AND kind = 'broker_silent' AND ended_at IS NOT NULL AND seconds > 3")
                == 1
        }
        #expect(ingester.lines(containing: "publishes $SYS again").count == 1)
        _ = ingester.stop()
    }
}
