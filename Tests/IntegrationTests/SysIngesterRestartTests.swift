import Foundation
import Testing

/// An ingester that restarts (or loses its broker connection) keeps its MQTT session: a stable
/// client id, clean session off, QoS 2 on the log topics. The broker queues the log lines of the
/// gap for up to their 20 s expiry; a longer gap is recorded in ingest_gaps.
@Suite("SysIngester restarts", .enabled(if: TestEnvironment.shouldRun), .offCooperativePool)
struct SysIngesterRestartTests {
    private func count(_ database: ScratchDatabase, _ sql: String) throws -> Int {
        try database.intScalar(sql) ?? -1
    }

    /// One client that connects, publishes and disconnects: a connect and a disconnect line.
    private func connectAndLeave(_ id: String, port: Int, version: String) throws {
        let result = try ProcessRunner.run(
            "mosquitto_pub",
            ["-h", "127.0.0.1", "-p", "\(port)", "-V", version, "-i", id, "-t", "t/\(id)", "-m", "x"], timeout: 20)
        #expect(result.succeeded, "\(result.output)")
    }

    @Test(
        "stopped for 5 s while 20 clients come and go, then restarted with the same arguments: all 40 lines stored once, no session left open",
        arguments: [BrokerProcess.Version.v21, .v20], ["mqttv311", "mqttv5"])
    func restartLosesNothing(version: BrokerProcess.Version, protocolVersion: String) throws {
        let database = try ScratchDatabase.create(label: "sys_restart")
        defer { database.drop() }
        let broker = try BrokerProcess.start(version, extraConfig: SysIngesterProcess.brokerConfig)
        let arguments = ["--protocol", protocolVersion]
        let first = try SysIngesterProcess.start(
            broker: broker, database: database, brokerName: "restart", arguments: arguments)
        #expect(first.stop() == 0)
        let stoppedAt = Date()
        for number in 0..<20 { try connectAndLeave("gap-\(number)", port: broker.port, version: "mqttv311") }
        let elapsed = Date().timeIntervalSince(stoppedAt)
        if elapsed < 5 { Thread.sleep(forTimeInterval: 5 - elapsed) }
        let second = try SysIngesterProcess.launch(
            broker: broker, database: database, brokerName: "restart", arguments: arguments)
        try second.waitUntil("the lines of the 20 clients stored") {
            try count(database, "SELECT count(*) FROM events WHERE client LIKE 'gap-%' AND action = 'disconnected'") >= 20
        }
        // Give a redelivery, if any, the time to land twice.
        Thread.sleep(forTimeInterval: 1)
        #expect(try count(database, "SELECT count(*) FROM events WHERE client LIKE 'gap-%' AND action = 'connected'") == 20)
        #expect(try count(database, "SELECT count(*) FROM events WHERE client LIKE 'gap-%' AND action = 'disconnected'") == 20)
        #expect(try count(database, "SELECT count(*) FROM sessions WHERE client LIKE 'gap-%'") == 20)
        #expect(try count(database, "SELECT count(*) FROM sessions WHERE client LIKE 'gap-%' AND end_ts IS NULL") == 0)
        #expect(try count(database, "SELECT count(*) FROM ingest_gaps") == 0)
        #expect(second.lines(containing: "session_present", "true").count >= 1, "\(second.output.suffix(3000))")
        #expect(second.stop() == 0)
    }

    @Test(
        "a gap longer than the log lines' 20 s expiry is recorded, and the sessions open before it are closed",
        arguments: [BrokerProcess.Version.v21, .v20])
    func gapLongerThanExpiry(version: BrokerProcess.Version) throws {
        let database = try ScratchDatabase.create(label: "sys_long_gap")
        defer { database.drop() }
        let broker = try BrokerProcess.start(version, extraConfig: SysIngesterProcess.brokerConfig)
        let scratch = try TestEnvironment.makeScratchDirectory(label: "sys-long-gap")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let first = try SysIngesterProcess.start(broker: broker, database: database, brokerName: "long-gap")
        let holder = try ChildProcess(
            executable: ProcessRunner.resolve("mosquitto_sub"),
            arguments: ["-h", "127.0.0.1", "-p", "\(broker.port)", "-i", "held", "-t", "hold/held"],
            outputPath: (scratch as NSString).appendingPathComponent("held.out"))
        defer { _ = holder.kill9() }
        try first.waitUntil("the held client's session open") {
            try count(database, "SELECT count(*) FROM sessions WHERE client = 'held' AND end_ts IS NULL") == 1
        }
        #expect(first.stop() == 0)
        try connectAndLeave("during-gap", port: broker.port, version: "mqttv311")
        Thread.sleep(forTimeInterval: 23)
        let second = try SysIngesterProcess.start(broker: broker, database: database, brokerName: "long-gap")
        try second.waitUntil("the gap recorded") {
            try count(
                database,
                "SELECT count(*) FROM ingest_gaps WHERE broker = 'long-gap' AND kind = 'longer_than_log_expiry' AND seconds > 20 AND sessions_closed = 1")
                == 1
        }
        #expect(try count(database, "SELECT count(*) FROM sessions WHERE broker = 'long-gap' AND end_ts IS NULL") == 0)
        #expect(try count(database, "SELECT count(*) FROM events WHERE client = 'during-gap'") == 0, "its lines expired")
        #expect(second.lines(containing: "ingest_gaps", "longer_than_log_expiry").count == 1)
        #expect(second.stop() == 0)
    }
}
