import Foundation
import Storage
import Testing

/// SIGTERM in the hard cases: while the broker keeps publishing faster than PostgreSQL takes it,
/// and while PostgreSQL is down with messages queued. Either way: exit status 0, without waiting
/// for the load to end.
@Suite("SysIngesterStop", .enabled(if: TestEnvironment.shouldRun), .offCooperativePool)
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
        let setup = try IngesterOnItsOwnDatabase(label: "sys-stop-outage")
        setup.postgres.stop()
        try setup.publish(3, prefix: "queued")
        try waitUntil(timeout: 20, "the ingester notices the outage") {
            setup.log().contains("PostgreSQL is unavailable")
        }
        setup.ingester.signal(SIGTERM)
        #expect(setup.ingester.waitForExit(timeout: 15) == 0, "\(setup.log().suffix(3000))")
        #expect(setup.log().contains("sys.lost="), "\(setup.log().suffix(3000))")
    }

    @Test("SIGTERM while PostgreSQL hangs mid-transaction abandons it after the stop's 2 s, exits 0 and counts the loss")
    func stopWhileDatabaseHangs() throws {
        let setup = try IngesterOnItsOwnDatabase(label: "sys-stop-frozen")
        // The server and its backends stop answering; the ingester's connection stays open, so
        // its next burst waits on a socket that will not speak for its 15 s statement timeout.
        try setup.postgres.freeze()
        defer { try? setup.postgres.thaw() }
        try setup.publish(3, prefix: "hung")
        Thread.sleep(forTimeInterval: 0.5)
        setup.ingester.signal(SIGTERM)
        // Well under the 15 s a wait for the silent server would otherwise take.
        #expect(setup.ingester.waitForExit(timeout: 10) == 0, "\(setup.log().suffix(3000))")
        #expect(setup.log().contains("sys.lost="), "\(setup.log().suffix(3000))")
    }
}

/// A 2.1 broker and the built `bin/sys-ingester` writing to a PostgreSQL of the test's own, which
/// the test may stop or freeze. Ready once the ingester has written its first rows.
private final class IngesterOnItsOwnDatabase {
    let postgres: OwnPostgres
    let broker: BrokerProcess
    let ingester: ChildProcess
    private let scratch: String
    private let output: String

    init(label: String) throws {
        postgres = try OwnPostgres(label: label)
        broker = try BrokerProcess.start(.v21, extraConfig: SysIngesterProcess.brokerConfig)
        scratch = try TestEnvironment.makeScratchDirectory(label: label)
        output = (scratch as NSString).appendingPathComponent("sys-ingester.out")
        ingester = try ChildProcess(
            executable: TestEnvironment.require(.sysIngester),
            arguments: ["--port", "\(broker.port)", "--burst-window-ms", "50", "--dsn", postgres.dsn],
            outputPath: output)
        try waitUntil(timeout: 20, "the ingester writes") { [postgres] in
            let connection = try PostgresConnection(conninfo: postgres.dsn, timeout: .seconds(5))
            defer { connection.close() }
            let rows = try connection.execute("SELECT count(*) FROM events", timeout: .seconds(10))
            return Int(rows.scalar ?? "") ?? 0 > 0
        }
    }

    deinit {
        ingester.kill9()
        try? FileManager.default.removeItem(atPath: scratch)
        postgres.stop()  // OwnPostgres removes its directory when released
    }

    func log() -> String { (try? String(contentsOfFile: output, encoding: .utf8)) ?? "" }

    /// `count` clients publish once each, so the broker logs lines for the ingester to write.
    func publish(_ count: Int, prefix: String) throws {
        for index in 1...count {
            let result = try ProcessRunner.run(
                "mosquitto_pub", ["-p", "\(broker.port)", "-i", "\(prefix)-\(index)", "-t", "t", "-m", "x"],
                timeout: 20)
            #expect(result.succeeded, "\(result.output)")
        }
    }
}
