import Foundation
import Testing

/// sys-ingester against a broker with a password file (Debian's 2.0.11 and its mosquitto_passwd):
/// the password never shows in the output, a wrong one is one clear line however often it is retried.
@Suite("SysIngesterAuth", .enabled(if: TestEnvironment.shouldRun), .offCooperativePool)
struct SysIngesterAuthTests {
    static let password = "Pa55-w0rd-do-not-print"

    /// A 2.0.11 broker accepting only `watcher` / `password`.
    private func passwordBroker() throws -> (BrokerProcess, String) {
        let directory = try TestEnvironment.makeScratchDirectory(label: "sys-auth")
        let file = (directory as NSString).appendingPathComponent("passwords")
        let made = try ProcessRunner.run(
            "mosquitto_passwd", ["-c", "-b", file, "watcher", Self.password], timeout: 20)
        #expect(made.succeeded, "\(made.output)")
        let broker = try BrokerProcess.start(
            .v20,
            extraConfig: SysIngesterProcess.brokerConfig + [
                "password_file \(file)", "allow_anonymous false",
            ])
        return (broker, directory)
    }

    @Test("the password from SYS_INGESTER_PASSWORD works and is never printed, even at trace")
    func rightPassword() throws {
        let (broker, directory) = try passwordBroker()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let database = try ScratchDatabase.create(label: "sys_auth_ok")
        let ingester = try SysIngesterProcess.start(
            broker: broker, database: database,
            arguments: ["--username", "watcher", "--log-level", "trace"],
            environment: ["SYS_INGESTER_PASSWORD": Self.password])
        #expect(ingester.stop() == 0)
        #expect(ingester.output.contains("libmosquitto: "), "trace output is on")
        #expect(!ingester.output.contains(Self.password))
    }

    @Test(
        "a wrong password is logged once with the broker's reason, retried with backoff, never printed",
        arguments: [("mqttv311", "not authorised"), ("mqttv5", "Not authorized")])
    func wrongPassword(protocolVersion: String, reason: String) throws {
        let (broker, directory) = try passwordBroker()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let database = try ScratchDatabase.create(label: "sys_auth_wrong")
        let wrong = Self.password + "-wrong"
        let ingester = try SysIngesterProcess.launch(
            broker: broker, database: database,
            arguments: ["--username", "watcher", "--password", wrong, "--protocol", protocolVersion])
        try ingester.waitUntil("the refusal is logged") {
            ingester.output.contains("refused the connection")
        }
        if protocolVersion == "mqttv311" {
            // 3.1.1 refusals are retried by libmosquitto (1 s, 2 s, 4 s ...): wait for a few.
            try ingester.waitUntil("the broker refused three attempts", timeout: 30) {
                broker.log().components(separatedBy: "not authorised").count - 1 >= 3
            }
        } else {
            Thread.sleep(forTimeInterval: 3)
        }
        #expect(ingester.isRunning)
        #expect(ingester.output.contains(reason), "\(ingester.output.suffix(2000))")
        #expect(
            ingester.occurrences(of: "refused the connection") == 1, "\(ingester.output.suffix(3000))")
        #expect(
            ingester.occurrences(of: "Lost the broker connection") == 0, "\(ingester.output.suffix(3000))"
        )
        #expect(
            ingester.occurrences(of: "The MQTT connection failed") == 0, "\(ingester.output.suffix(3000))"
        )
        #expect(
            broker.log().components(separatedBy: "New connection from").count - 1 <= 6, "\(broker.log())")
        #expect(!ingester.output.contains(Self.password))
        #expect(ingester.stop() == 0)
    }
}
