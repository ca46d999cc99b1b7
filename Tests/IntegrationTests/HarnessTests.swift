import Foundation
import MQTTWire
import Storage
import Testing

/// The integration harness itself against real brokers and a real PostgreSQL: if these fail, every
/// other integration suite's failures are suspect.
@Suite(.enabled(if: TestEnvironment.shouldRun), .offCooperativePool)
struct HarnessTests {
    // MARK: - MQTTWireClient against mosquitto 2.1

    @Test(arguments: MQTTProtocolVersion.allCases)
    func connectsWithEveryProtocolVersion(version: MQTTProtocolVersion) throws {
        let broker = try BrokerProcess.start(.v21)
        let clientID = "harness-\(version.level)"
        let client = try MQTTWireClient(port: broker.port)
        let ack = try client.connect(clientID: clientID, protocol: version, keepAlive: 30)
        #expect(ack.isAccepted, "CONNACK code \(ack.returnCode)")
        #expect(!ack.sessionPresent)
        try client.ping()
        client.disconnect(waitForClose: true)
        #expect(!client.isOpen)
        // Mosquitto logs "Received DISCONNECT from <id>" only for a DISCONNECT packet (not a drop).
        try broker.waitForLog(containing: "Received DISCONNECT from \(clientID)")
        try broker.waitForLog(containing: "Client \(clientID) [")
        #expect(broker.log().contains("as \(clientID) (p\(version.level)"), Comment(rawValue: broker.log()))
    }

    @Test(arguments: [MQTTProtocolVersion.v311, .v5])
    func subscribesReceivesAndUnsubscribes(version: MQTTProtocolVersion) throws {
        let broker = try BrokerProcess.start(.v21)
        let subscriber = try MQTTWireClient(port: broker.port)
        try #require(try subscriber.connect(clientID: "sub", protocol: version).isAccepted)
        #expect(try subscriber.subscribe(topic: "harness/#", qos: 1) == [1])

        let publisher = try MQTTWireClient(port: broker.port)
        try #require(try publisher.connect(clientID: "pub", protocol: version).isAccepted)
        try publisher.publish(topic: "harness/one", payload: "hello 😀", qos: 1)
        let message = try #require(try subscriber.readPublish(timeoutMilliseconds: 10_000))
        #expect(message.topic == "harness/one")
        #expect(message.payloadText == "hello 😀")
        #expect(message.qos == 1)
        try subscriber.acknowledge(message)

        let codes = try subscriber.unsubscribe(topic: "harness/#")
        #expect(codes == (version == .v5 ? [0] : []))
        try publisher.publish(topic: "harness/two", payload: "after unsubscribe")
        // The ping round trip is ordered after the publish, so a delivery would already be queued.
        try publisher.ping()
        try subscriber.ping()
        #expect(try subscriber.readPublish(timeoutMilliseconds: 200) == nil)
        publisher.disconnect()
        subscriber.disconnect()
    }

    @Test(arguments: MQTTProtocolVersion.allCases)
    func secondConnectionWithTheSameClientIDTakesOver(version: MQTTProtocolVersion) throws {
        let broker = try BrokerProcess.start(.v21)
        let first = try MQTTWireClient(port: broker.port)
        try #require(try first.connect(clientID: "twin", protocol: version).isAccepted)
        let second = try MQTTWireClient(port: broker.port)
        try #require(try second.connect(clientID: "twin", protocol: version).isAccepted)
        #expect(first.waitForClose(timeoutMilliseconds: 15_000))
        if version == .v5 {
            #expect(first.serverDisconnectReasonCode == 0x8E)  // Session taken over
        }
        try second.ping()
        #expect(second.isOpen)
        second.disconnect()
    }

    @Test func brokerClosesASilentClientAfterItsKeepAlive() throws {
        let broker = try BrokerProcess.start(.v21)
        let client = try MQTTWireClient(port: broker.port)
        try #require(try client.connect(clientID: "sleepy", protocol: .v311, keepAlive: 1).isAccepted)
        // Mosquitto allows 1.5 × keepalive; never pinging must end the connection.
        #expect(client.waitForClose(timeoutMilliseconds: 15_000))
        try broker.waitForLog(containing: "sleepy")
    }

    @Test func droppedAndResetConnectionsAreSeenAsUnclean() throws {
        let broker = try BrokerProcess.start(.v21)
        let watcher = try MQTTWireClient(port: broker.port)
        try #require(try watcher.connect(clientID: "watcher", protocol: .v311).isAccepted)
        try watcher.subscribe(topic: "wills/#")

        let dropped = try MQTTWireClient(port: broker.port)
        try #require(
            try dropped.connect(
                clientID: "dropped", protocol: .v311, will: MQTTWill(topic: "wills/dropped", payload: [0x31])
            ).isAccepted)
        dropped.dropConnection()
        let reset = try MQTTWireClient(port: broker.port)
        try #require(
            try reset.connect(
                clientID: "reset", protocol: .v5, will: MQTTWill(topic: "wills/reset", payload: [0x32])
            ).isAccepted)
        reset.resetConnection()
        let clean = try MQTTWireClient(port: broker.port)
        try #require(
            try clean.connect(
                clientID: "clean", protocol: .v311, will: MQTTWill(topic: "wills/clean", payload: [0x33])
            ).isAccepted)
        clean.disconnect(waitForClose: true)

        // Wills are sent only for unclean ends: exactly the dropped and the reset connection.
        var topics: Set<String> = []
        while topics.count < 2, let message = try watcher.readPublish(timeoutMilliseconds: 15_000) {
            topics.insert(message.topic)
        }
        #expect(topics == ["wills/dropped", "wills/reset"])
        try watcher.ping()
        #expect(try watcher.readPublish(timeoutMilliseconds: 200) == nil, "no will for the clean disconnect")
        #expect(!dropped.isOpen && !reset.isOpen)
        #expect(throws: MQTTWireError.notConnected) { try dropped.ping() }
    }

    @Test func malformedPacketMakesTheBrokerClose() throws {
        let broker = try BrokerProcess.start(.v21)
        let client = try MQTTWireClient(port: broker.port)
        try #require(try client.connect(clientID: "garbage", protocol: .v311).isAccepted)
        try client.sendRaw([0x00, 0x00])  // packet type 0 is reserved
        #expect(client.waitForClose(timeoutMilliseconds: 15_000))
        #expect(throws: MQTTWireError.self) { try client.ping() }
    }

    @Test func connectBeforeAnyMQTTRefusesGarbage() throws {
        let broker = try BrokerProcess.start(.v21)
        let client = try MQTTWireClient(port: broker.port)
        try client.sendRaw(Array("GET / HTTP/1.1\r\n\r\n".utf8))
        #expect(client.waitForClose(timeoutMilliseconds: 15_000))
    }

    /// A client id / username under test, shown by a short label in test output.
    struct Identity: Sendable, CustomTestStringConvertible {
        let label: String
        let text: String
        var testDescription: String { label }
    }

    @Test(arguments: [
        Identity(label: "CJK", text: "客户端-设备-01"),
        Identity(label: "emoji", text: "emoji-😀-🚀"),
        Identity(label: "quotes", text: "quotes \"double\" 'single' \\ back"),
        Identity(label: "5000 ASCII", text: String(repeating: "x", count: 5000)),
        Identity(label: "5000 CJK (15000 bytes)", text: String(repeating: "界", count: 5000)),
    ])
    func arbitraryUTF8ClientIDsAndUsernamesAreAccepted(identity: Identity) throws {
        let broker = try BrokerProcess.start(.v21)
        for version in MQTTProtocolVersion.allCases where version != .v31 {
            let client = try MQTTWireClient(port: broker.port)
            let ack = try client.connect(
                clientID: identity.text, protocol: version, username: identity.text, password: "pw")
            #expect(ack.isAccepted, "\(version): CONNACK \(ack.returnCode)")
            try client.ping()
            client.disconnect(waitForClose: true)
        }
    }

    @Test func v5EmptyClientIDGetsAnAssignedIdentifier() throws {
        let broker = try BrokerProcess.start(.v21)
        let client = try MQTTWireClient(port: broker.port)
        let ack = try client.connect(clientID: "", protocol: .v5, sessionExpiry: 0)
        #expect(ack.isAccepted)
        #expect(ack.assignedClientIdentifier?.isEmpty == false)
        client.disconnect(reasonCode: 0)
    }

    @Test func persistentSessionIsPresentOnReconnect() throws {
        let broker = try BrokerProcess.start(.v21)
        let first = try MQTTWireClient(port: broker.port)
        try #require(
            try first.connect(clientID: "keeper", protocol: .v5, cleanSession: false, sessionExpiry: 600).isAccepted)
        try first.subscribe(topic: "keep/#", qos: 1)
        first.disconnect(waitForClose: true)
        let second = try MQTTWireClient(port: broker.port)
        let ack = try second.connect(clientID: "keeper", protocol: .v5, cleanSession: false, sessionExpiry: 600)
        #expect(ack.isAccepted && ack.sessionPresent)
        second.disconnect()
    }

    // MARK: - BrokerProcess

    @Test func debianBrokerAcceptsEveryProtocolVersion() throws {
        let broker = try BrokerProcess.start(.v20)
        for version in MQTTProtocolVersion.allCases {
            let client = try MQTTWireClient(port: broker.port)
            let ack = try client.connect(clientID: "debian-\(version.level)", protocol: version)
            #expect(ack.isAccepted, "\(version): CONNACK \(ack.returnCode)")
            client.disconnect(waitForClose: true)
        }
        try broker.waitForLog(containing: "mosquitto version 2.0")
    }

    @Test func restartKeepsThePortAndStopEndsTheProcess() throws {
        let broker = try BrokerProcess.start(.v21)
        let port = broker.port
        let before = try MQTTWireClient(port: port)
        try #require(try before.connect(clientID: "before", protocol: .v311).isAccepted)
        try broker.restart()
        #expect(broker.port == port)
        #expect(before.waitForClose(timeoutMilliseconds: 15_000))
        let after = try MQTTWireClient(port: port)
        #expect(try after.connect(clientID: "after", protocol: .v311).isAccepted)
        after.disconnect()

        broker.stop()
        #expect(!broker.isRunning)
        #expect(broker.exitCode == 0, "SIGTERM must reach the broker and end it cleanly")
        try broker.waitForLog(containing: "terminating")
        #expect(throws: MQTTWireError.self) { try MQTTWireClient(port: port) }
    }

    @Test func kill9EndsTheBrokerAbruptly() throws {
        let broker = try BrokerProcess.start(.v21)
        let client = try MQTTWireClient(port: broker.port)
        try #require(try client.connect(clientID: "victim", protocol: .v311).isAccepted)
        broker.kill9()
        #expect(!broker.isRunning)
        #expect(client.waitForClose(timeoutMilliseconds: 15_000))
        #expect(broker.exitCode == 128 + SIGKILL)
        #expect(!broker.log().contains("terminating"))
    }

    @Test func brokerThatCannotStartIsReportedWithItsLog() throws {
        let missing = "/nonexistent/harness-plugin.so"
        let (exitCode, log) = try BrokerProcess.startExpectingFailure(.v21, extraConfig: ["plugin \(missing)"])
        #expect(exitCode != 0)
        #expect(log.contains(missing), Comment(rawValue: log))
        #expect(throws: BrokerProcess.StartFailure.self) {
            try BrokerProcess.start(.v21, extraConfig: ["plugin \(missing)"])
        }
    }

    @Test func extraConfigAndEnvironmentReachTheBroker() throws {
        let broker = try BrokerProcess.start(
            .v21, extraConfig: ["sys_interval 1", "log_dest stdout"], environment: ["HARNESS_MARKER": "present"])
        let client = try MQTTWireClient(port: broker.port)
        try #require(try client.connect(clientID: "sys-reader", protocol: .v311).isAccepted)
        try client.subscribe(topic: "$SYS/broker/uptime")
        let uptime = try #require(try client.readPublish(timeoutMilliseconds: 15_000))
        #expect(uptime.payloadText.hasSuffix("seconds"))
        try waitUntil("stdout log") { broker.output().contains("sys-reader") }
        let environ = try String(contentsOfFile: "/proc/\(broker.processIdentifier)/environ", encoding: .utf8)
        #expect(environ.split(separator: "\0").contains("HARNESS_MARKER=present"))
        client.disconnect()
    }

    // MARK: - ProcessRunner with a real client

    @Test func mosquittoPubReachesAWireSubscriber() throws {
        let broker = try BrokerProcess.start(.v21)
        let subscriber = try MQTTWireClient(port: broker.port)
        try #require(try subscriber.connect(clientID: "listener", protocol: .v311).isAccepted)
        try subscriber.subscribe(topic: "cli/topic")
        let result = try ProcessRunner.run(
            "mosquitto_pub",
            ["-h", "127.0.0.1", "-p", "\(broker.port)", "-t", "cli/topic", "-m", "from cli", "-i", "cli-pub"])
        #expect(result.succeeded, Comment(rawValue: result.output))
        let message = try #require(try subscriber.readPublish(timeoutMilliseconds: 10_000))
        #expect(message.payloadText == "from cli")
        let failing = try ProcessRunner.run("mosquitto_pub", ["-h", "127.0.0.1", "-p", "1", "-t", "x", "-m", "y"])
        #expect(!failing.succeeded)
    }

    // MARK: - ScratchDatabase

    @Test func scratchDatabaseIsCreatedQueriedAndDropped() throws {
        let database = try ScratchDatabase.create(label: "Harness Test!")
        #expect(database.name.hasPrefix("t_harness_test__"))
        #expect(try database.scalar("SELECT current_database()") == database.name)
        try database.execute(script: "CREATE TABLE t (id int PRIMARY KEY, label text); CREATE INDEX ON t (label);")
        try database.query("INSERT INTO t VALUES ($1, $2), ($3, $4)", ["1", "客户端 😀 'q'", "2", nil])
        let rows = try database.query("SELECT id, label FROM t ORDER BY id")
        #expect(rows == [["1", "客户端 😀 'q'"], ["2", nil]])
        #expect(try database.intScalar("SELECT count(*) FROM t WHERE label IS NULL") == 1)

        // A second session (as a plugin would hold) must not prevent the drop.
        let other = try PostgresConnection(conninfo: database.dsn, timeout: .seconds(10))
        #expect(try other.execute("SELECT 1", timeout: .seconds(10)).scalar == "1")

        let admin = try PostgresConnection(conninfo: TestEnvironment.require(.pgDSN), timeout: .seconds(10))
        let exists = "SELECT count(*) FROM pg_database WHERE datname = $1"
        #expect(try admin.execute(exists, [.text(database.name)], timeout: .seconds(10)).scalar == "1")
        database.drop()
        #expect(try admin.execute(exists, [.text(database.name)], timeout: .seconds(10)).scalar == "0")
        #expect(throws: PostgresError.self) { try other.execute("SELECT 1", timeout: .seconds(10)) }
        #expect(throws: (any Error).self) { try database.scalar("SELECT 1") }
    }

    @Test func scratchDatabasesAreIsolated() throws {
        let first = try ScratchDatabase.create(label: "iso")
        let second = try ScratchDatabase.create(label: "iso")
        #expect(first.name != second.name)
        try first.execute(script: "CREATE TABLE only_here (x int)")
        #expect(try first.scalar("SELECT to_regclass('only_here')::text") == "only_here")
        #expect(try second.scalar("SELECT to_regclass('only_here')::text") == nil)
    }

    @Test func waitUntilPollsAndTimesOut() throws {
        var calls = 0
        try waitUntil(timeout: 15, "third call") {
            calls += 1
            return calls >= 3
        }
        #expect(calls == 3)
        #expect(throws: WaitTimeout.self) { try waitUntil(timeout: 0.2, "never") { false } }
    }

    // MARK: - SilentTCPServer

    @Test func silentServerAcceptsAndNeverAnswers() throws {
        let server = try SilentTCPServer()
        let client = try MQTTWireClient(port: server.port, timeoutMilliseconds: 300)
        #expect(throws: MQTTWireError.timeout) { try client.connect(clientID: "hung", protocol: .v311) }
        try waitUntil("accepted connection") { server.acceptedCount >= 1 }

        let conninfo = "host=127.0.0.1 port=\(server.port) dbname=mqtt user=postgres sslmode=disable"
        #expect {
            try PostgresConnection(conninfo: conninfo, timeout: .milliseconds(500))
        } throws: { error in
            (error as? PostgresError)?.kind == .timeout
        }
        server.stop()
        #expect(client.waitForClose(timeoutMilliseconds: 15_000))
    }

    @Test func interruptEndsWaitsOnASilentServerAndStaysTriggered() throws {
        let server = try SilentTCPServer()
        defer { server.stop() }
        let conninfo = "host=127.0.0.1 port=\(server.port) dbname=mqtt user=postgres sslmode=disable"
        let interrupt = try PostgresInterrupt()
        #expect(!interrupt.isTriggered)
        let trigger = Thread { [interrupt] in
            Thread.sleep(forTimeInterval: 0.3)
            interrupt.trigger()
        }
        trigger.start()
        // Without the interrupt this waits out the whole 60 s timeout.
        #expect {
            try PostgresConnection(conninfo: conninfo, timeout: .seconds(60), interrupt: interrupt)
        } throws: { error in
            (error as? PostgresError)?.kind == .interrupted
        }
        #expect(interrupt.isTriggered)
        interrupt.trigger()  // a second trigger is harmless
        #expect {
            try PostgresConnection(conninfo: conninfo, timeout: .seconds(60), interrupt: interrupt)
        } throws: { error in
            (error as? PostgresError)?.kind == .interrupted && "\(error)".contains("stopped while connecting")
        }
    }
}
