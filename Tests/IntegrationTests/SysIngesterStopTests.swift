import Foundation
import Storage
import Testing

/// SIGTERM in the hard cases: while the broker keeps publishing faster than PostgreSQL takes it,
/// and while PostgreSQL is down with messages queued. Either way: exit status 0, without waiting
/// for the load to end.
@Suite("SysIngesterStop", .enabled(if: TestEnvironment.shouldRun))
struct SysIngesterStopTests {
    @Test("SIGTERM under sustained connect load exits 0 while the load still runs")
    func stopUnderLoad() throws {
        let database = try ScratchDatabase.create(label: "sys_stop_load")
        let broker = try BrokerProcess.start(.v21, extraConfig: SysIngesterProcess.brokerConfig)
        let ingester = try SysIngesterProcess.start(
            broker: broker, database: database, brokerName: "load")
        let scratch = try TestEnvironment.makeScratchDirectory(label: "sys-stop-load")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let load = try ChildProcess(
            executable: TestEnvironment.require(.mqttLoad),
            arguments: [
                "--port", "\(broker.port)", "--threads", "8", "--seconds", "90", "--prefix", "stop",
            ],
            outputPath: (scratch as NSString).appendingPathComponent("load.out"))
        defer { load.kill9() }
        try ingester.waitUntil("the load is being written", timeout: 30) {
            try database.intScalar("SELECT count(*) FROM events WHERE client LIKE 'stop-%'") ?? 0 > 2000
        }
        // The broker keeps publishing until the ingester disconnects; the queue never runs empty.
        #expect(ingester.stop(grace: 30) == 0, "\(ingester.output.suffix(3000))")
        #expect(load.isRunning, "the ingester waited for the load to end")
        #expect(ingester.output.contains("Stopped."), "\(ingester.output.suffix(3000))")
        // Each burst is one transaction: every session row has the connect event it came from.
        #expect(
            try database.intScalar(
                """
                SELECT count(*) FROM sessions s WHERE NOT EXISTS (
                  SELECT 1 FROM events e WHERE e.action = 'connected' AND e.client = s.client)
                """) == 0)
    }

    @Test("SIGTERM while PostgreSQL is down and messages are queued exits 0 and counts what is lost")
    func stopDuringOutage() throws {
        let postgres = try OwnPostgres(label: "sys-stop-outage")
        defer {
            postgres.stop()
            try? FileManager.default.removeItem(
                atPath: (postgres.directory as NSString).deletingLastPathComponent)
        }
        let broker = try BrokerProcess.start(.v21, extraConfig: SysIngesterProcess.brokerConfig)
        let scratch = try TestEnvironment.makeScratchDirectory(label: "sys-stop-outage")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let output = (scratch as NSString).appendingPathComponent("sys-ingester.out")
        let ingester = try ChildProcess(
            executable: TestEnvironment.require(.sysIngester),
            arguments: ["--port", "\(broker.port)", "--burst-window-ms", "50", "--dsn", postgres.dsn],
            outputPath: output)
        defer { ingester.kill9() }
        func log() -> String { (try? String(contentsOfFile: output, encoding: .utf8)) ?? "" }
        try waitUntil(timeout: 20, "the ingester writes") {
            let connection = try PostgresConnection(conninfo: postgres.dsn, timeout: .seconds(5))
            defer { connection.close() }
            let rows = try connection.execute("SELECT count(*) FROM events", timeout: .seconds(10))
            return Int(rows.scalar ?? "") ?? 0 > 0
        }
        postgres.stop()
        for index in 1...3 {
            let result = try ProcessRunner.run(
                "mosquitto_pub", ["-p", "\(broker.port)", "-i", "queued-\(index)", "-t", "t", "-m", "x"],
                timeout: 20)
            #expect(result.succeeded, "\(result.output)")
        }
        try waitUntil(timeout: 20, "the ingester notices the outage") {
            log().contains("PostgreSQL is unavailable")
        }
        ingester.signal(SIGTERM)
        #expect(ingester.waitForExit(timeout: 15) == 0, "\(log().suffix(3000))")
        #expect(log().contains("sys.lost="), "\(log().suffix(3000))")
    }

    @Test("SIGTERM while PostgreSQL hangs mid-transaction abandons it after the stop's 2 s, exits 0 and counts the loss")
    func stopWhileDatabaseHangs() throws {
        let postgres = try OwnPostgres(label: "sys-stop-frozen")
        var thawed = false
        defer {
            if !thawed { try? postgres.thaw() }
            postgres.stop()
            try? FileManager.default.removeItem(
                atPath: (postgres.directory as NSString).deletingLastPathComponent)
        }
        let broker = try BrokerProcess.start(.v21, extraConfig: SysIngesterProcess.brokerConfig)
        let scratch = try TestEnvironment.makeScratchDirectory(label: "sys-stop-frozen")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let output = (scratch as NSString).appendingPathComponent("sys-ingester.out")
        let ingester = try ChildProcess(
            executable: TestEnvironment.require(.sysIngester),
            arguments: ["--port", "\(broker.port)", "--burst-window-ms", "50", "--dsn", postgres.dsn],
            outputPath: output)
        defer { ingester.kill9() }
        func log() -> String { (try? String(contentsOfFile: output, encoding: .utf8)) ?? "" }
        try waitUntil(timeout: 20, "the ingester writes") {
            let connection = try PostgresConnection(conninfo: postgres.dsn, timeout: .seconds(5))
            defer { connection.close() }
            let rows = try connection.execute("SELECT count(*) FROM events", timeout: .seconds(10))
            return Int(rows.scalar ?? "") ?? 0 > 0
        }
        // The server and its backends stop answering; the ingester's connection stays open, so
        // its next burst waits on a socket that will not speak for its 15 s statement timeout.
        try postgres.freeze()
        for index in 1...3 {
            let result = try ProcessRunner.run(
                "mosquitto_pub", ["-p", "\(broker.port)", "-i", "hung-\(index)", "-t", "t", "-m", "x"],
                timeout: 20)
            #expect(result.succeeded, "\(result.output)")
        }
        Thread.sleep(forTimeInterval: 0.5)
        ingester.signal(SIGTERM)
        // Well under the 15 s a wait for the silent server would otherwise take.
        #expect(ingester.waitForExit(timeout: 10) == 0, "\(log().suffix(3000))")
        #expect(log().contains("sys.lost="), "\(log().suffix(3000))")
        try postgres.thaw()
        thawed = true
    }
}
