import MQTTWire
import Testing

@testable import MQTTLoad

/// mqtt-load's command line: every option the scripts and tests pass, its default, and a refusal
/// that names the option at fault.
@Suite struct LoadOptionsTests {
    /// The message swift-argument-parser gives for `arguments`, or nil when they parse.
    private func refusal(_ arguments: [String]) -> String? {
        do {
            _ = try LoadOptions.parse(arguments)
            return nil
        } catch {
            return LoadOptions.message(for: error)
        }
    }

    @Test func onlyThePortIsRequiredAndTheDefaultsAreTheDocumentedOnes() throws {
        let options = try LoadOptions.parse(["--port", "1883"])
        #expect(options.port == 1883)
        #expect(options.host == "127.0.0.1")
        #expect(options.threads == 4)
        #expect(options.cycles == nil)
        #expect(options.seconds == 10)
        #expect(options.prefix == "load")
        #expect(options.protocolVersion == .v311)
        #expect(options.timeoutMilliseconds == 5000)
        #expect(options.keepAliveSeconds == 60)
        #expect(options.hold == nil)
        #expect(options.rounds == 1)
        #expect(options.sourceAddresses == 0)
        #expect(options.holdLimitSeconds == 900)
    }

    @Test func everyOptionTheScriptsPassIsRead() throws {
        let churn = try LoadOptions.parse([
            "--port", "18830", "--host", "localhost", "--threads", "8", "--cycles", "1000", "--seconds", "2.5",
            "--prefix", "bench-none", "--protocol", "5", "--timeout-ms", "250", "--keepalive", "0",
        ])
        #expect(churn.port == 18830 && churn.host == "localhost" && churn.threads == 8 && churn.cycles == 1000)
        #expect(churn.seconds == 2.5 && churn.prefix == "bench-none" && churn.protocolVersion == .v5)
        #expect(churn.timeoutMilliseconds == 250 && churn.keepAliveSeconds == 0)
        let hold = try LoadOptions.parse([
            "--port", "1", "--hold", "20000", "--rounds", "2", "--threads", "4", "--keepalive", "65535",
            "--hold-limit-s", "7200", "--prefix", "scale", "--source-addresses", "3",
        ])
        #expect(hold.port == 1 && hold.hold == 20000 && hold.rounds == 2 && hold.keepAliveSeconds == 65535)
        #expect(hold.holdLimitSeconds == 7200 && hold.prefix == "scale" && hold.sourceAddresses == 3)
        // The next argument is the value, even one that starts with a dash.
        #expect(try LoadOptions.parse(["--port", "1", "--prefix", "-x"]).prefix == "-x")
    }

    @Test(arguments: [
        ("3.1", MQTTProtocolVersion.v31), ("3.1.1", .v311), ("4", .v311), ("5", .v5), ("5.0", .v5),
    ])
    func protocolNames(text: String, version: MQTTProtocolVersion) throws {
        #expect(try LoadOptions.parse(["--port", "1883", "--protocol", text]).protocolVersion == version)
    }

    @Test(arguments: [
        (["--cycles", "1"], "--port"),
        (["--port", "1883", "--threads", "zero"], "--threads"),
        (["--port", "0"], "--port"),
        (["--port", "65536"], "--port"),
        (["--port", "1883", "--threads", "0"], "--threads"),
        (["--port", "1883", "--threads", "1025"], "--threads"),
        (["--port", "1883", "--cycles", "0"], "--cycles"),
        (["--port", "1883", "--seconds", "0"], "--seconds"),
        (["--port", "1883", "--seconds", "86401"], "--seconds"),
        (["--port", "1883", "--seconds", "soon"], "--seconds"),
        (["--port", "1883", "--seconds", "-1"], "--seconds"),
        (["--port", "1883", "--threads", "--cycles", "5"], "--threads"),
        (["--port", "1883", "--prefix", ""], "--prefix"),
        (["--port", "1883", "--prefix", String(repeating: "p", count: 201)], "--prefix"),
        (["--port", "1883", "--protocol", "6"], "--protocol"),
        (["--port", "1883", "--timeout-ms", "0"], "--timeout-ms"),
        (["--port", "1883", "--keepalive", "65536"], "--keepalive"),
        (["--port", "1883", "--hold", "0"], "--hold"),
        (["--port", "1883", "--rounds", "101"], "--rounds"),
        (["--port", "1883", "--source-addresses", "251"], "--source-addresses"),
        (["--port", "1883", "--hold-limit-s", "0"], "--hold-limit-s"),
        (["--port", "1883", "--threads"], "--threads"),
        (["--port", "1883", "--bogus", "1"], "--bogus"),
    ])
    func aRefusalNamesTheOptionAtFault(arguments: [String], option: String) throws {
        let message = try #require(refusal(arguments), "\(arguments) parsed")
        #expect(message.contains(option), "\(message)")
    }
}
