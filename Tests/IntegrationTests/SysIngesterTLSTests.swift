import Foundation
import Testing

/// sys-ingester over TLS: certificates made with the openssl CLI for each test, a mosquitto 2.1
/// broker with a second listener that speaks TLS, and the built `bin/sys-ingester`.
@Suite("SysIngesterTLS", .enabled(if: TestEnvironment.shouldRun), .offCooperativePool)
struct SysIngesterTLSTests {
    /// A throwaway CA, a server certificate for 127.0.0.1, a client certificate, and the wrong
    /// things: a second CA and a server certificate for another host name.
    struct Certificates {
        let directory: String
        func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
        var ca: String { path("ca.crt") }
        var otherCA: String { path("other-ca.crt") }
        var clientCert: String { path("client.crt") }
        var clientKey: String { path("client.key") }

        static func make() throws -> Certificates {
            let directory = try TestEnvironment.makeScratchDirectory(label: "sys-tls")
            let certificates = Certificates(directory: directory)
            func openssl(_ arguments: [String]) throws {
                let result = try ProcessRunner.run("openssl", arguments, timeout: 60)
                guard result.succeeded else {
                    throw ProcessRunner.Failure(
                        message: "openssl \(arguments.first ?? "") failed", output: result.output)
                }
            }
            func selfSigned(_ name: String, subject: String) throws {
                try openssl([
                    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", subject,
                    "-keyout", certificates.path("\(name).key"), "-out", certificates.path("\(name).crt"),
                ])
            }
            /// A certificate signed by ca.crt; `san` adds subjectAltName (none: only the CN).
            func signed(_ name: String, subject: String, san: String?) throws {
                try openssl([
                    "req", "-newkey", "rsa:2048", "-nodes", "-subj", subject, "-keyout",
                    certificates.path("\(name).key"),
                    "-out", certificates.path("\(name).csr"),
                ])
                var arguments = [
                    "x509", "-req", "-in", certificates.path("\(name).csr"), "-CA", certificates.ca, "-CAkey",
                    certificates.path("ca.key"), "-CAcreateserial", "-days", "2", "-out",
                    certificates.path("\(name).crt"),
                ]
                if let san {
                    let extensions = certificates.path("\(name).ext")
                    try "subjectAltName=\(san)\n".write(toFile: extensions, atomically: true, encoding: .utf8)
                    arguments += ["-extfile", extensions]
                }
                try openssl(arguments)
            }
            try selfSigned("ca", subject: "/CN=sys-ingester test CA")
            try selfSigned("other-ca", subject: "/CN=another CA")
            try signed("server", subject: "/CN=localhost", san: "IP:127.0.0.1,DNS:localhost")
            try signed("wronghost", subject: "/CN=wronghost.invalid", san: nil)
            try signed("client", subject: "/CN=sys-ingester", san: nil)
            return certificates
        }
    }

    /// A 2.1 broker with its plain listener (BrokerProcess) and a TLS listener.
    /// - Returns: the broker and the TLS port.
    private func tlsBroker(
        _ certificates: Certificates, server: String = "server", requireCertificate: Bool
    ) throws -> (BrokerProcess, Int) {
        let tlsPort = try LocalPorts.free()
        let broker = try BrokerProcess.start(
            .v21,
            extraConfig: SysIngesterProcess.brokerConfig + [
                "listener \(tlsPort) 127.0.0.1",
                "cafile \(certificates.ca)",
                "certfile \(certificates.path("\(server).crt"))",
                "keyfile \(certificates.path("\(server).key"))",
                "require_certificate \(requireCertificate)",
            ])
        try waitUntil(timeout: 15, "the TLS listener") {
            LocalPorts.isListening(tlsPort, processIdentifier: broker.processIdentifier)
        }
        return (broker, tlsPort)
    }

    @Test("--cafile with a client certificate connects over TLS and ingests")
    func clientCertificate() throws {
        let certificates = try Certificates.make()
        defer { try? FileManager.default.removeItem(atPath: certificates.directory) }
        let (broker, tlsPort) = try tlsBroker(certificates, requireCertificate: true)
        let database = try ScratchDatabase.create(label: "sys_tls_cert")
        let ingester = try SysIngesterProcess.start(
            broker: broker, database: database, brokerName: "tls", port: tlsPort,
            arguments: [
                "--cafile", certificates.ca, "--cert", certificates.clientCert, "--key",
                certificates.clientKey,
            ])

        // A TLS client is recorded like any other.
        let published = try ProcessRunner.run(
            "mosquitto_pub",
            [
                "-h", "127.0.0.1", "-p", "\(tlsPort)", "--cafile", certificates.ca, "--cert",
                certificates.clientCert,
                "--key", certificates.clientKey, "-i", "tls-device", "-t", "t/tls", "-m", "x",
            ], timeout: 20)
        #expect(published.succeeded, "\(published.output)")
        try ingester.waitUntil("the TLS client's session and metrics are recorded") {
            try database.intScalar(
                "SELECT count(*) FROM sessions WHERE client = 'tls-device' AND broker = 'tls' AND end_ts IS NOT NULL"
            )
                == 1
                && database.intScalar(
                    "SELECT count(*) FROM latest_metrics WHERE broker = 'tls' AND metric = 'uptime'")
                    == 1
        }
        #expect(ingester.stop() == 0, "\(ingester.output.suffix(2000))")
        #expect(ingester.occurrences(of: " error ") == 0, "\(ingester.output.suffix(2000))")
    }

    @Test(
        "a broker certificate that does not verify is a clear, logged-once error; the ingester keeps running",
        arguments: [
            // A CA that did not sign the broker's certificate.
            (["--cafile", "other-ca.crt"], "server", false, ["certificate verify failed"]),
            // The right CA but a certificate for another host name.
            (["--cafile", "ca.crt"], "wronghost", false, ["host name verification failed"]),
            // The broker requires a client certificate and gets none. Its TLS 1.3 alert can be
            // overtaken by its close, and then the hint stands in for OpenSSL's reason.
            (["--cafile", "ca.crt"], "server", true, ["certificate required", "pass --cert and --key"]),
        ])
    func verificationFails(
        arguments: [String], server: String, requireCertificate: Bool, details: [String]
    ) throws {
        let certificates = try Certificates.make()
        defer { try? FileManager.default.removeItem(atPath: certificates.directory) }
        let (broker, tlsPort) = try tlsBroker(
            certificates, server: server, requireCertificate: requireCertificate)
        let database = try ScratchDatabase.create(label: "sys_tls_fail")
        let ingester = try SysIngesterProcess.launch(
            broker: broker, database: database, port: tlsPort,
            arguments: [arguments[0], certificates.path(arguments[1])])
        try ingester.waitUntil("the TLS failure is logged with OpenSSL's reason or the hint") {
            ingester.output.contains("The MQTT connection failed") && details.contains { ingester.output.contains($0) }
        }
        // Give a tight retry loop time to show itself: the failure is retried after 30 s, not at once.
        Thread.sleep(forTimeInterval: 4)
        #expect(ingester.isRunning)
        #expect(
            ingester.occurrences(of: "The MQTT connection failed") == 1, "\(ingester.output.suffix(3000))"
        )
        #expect(
            ingester.occurrences(of: "Lost the broker connection") == 0, "\(ingester.output.suffix(3000))"
        )
        #expect(
            broker.log().components(separatedBy: "New connection from").count - 1 <= 3, "\(broker.log())")
        #expect(
            try database.intScalar("SELECT count(*) FROM events WHERE topic = '$SYS/broker/#'") == 0)
        #expect(ingester.stop() == 0, "\(ingester.output.suffix(2000))")
    }

    @Test("SIGTERM while TLS traffic flows exits 0, every time (the disconnect must not race the loop thread)")
    func stopDuringTLSTraffic() throws {
        let certificates = try Certificates.make()
        defer { try? FileManager.default.removeItem(atPath: certificates.directory) }
        let (broker, tlsPort) = try tlsBroker(certificates, requireCertificate: true)
        let database = try ScratchDatabase.create(label: "sys_tls_stop")
        let tls = ["--cafile", certificates.ca, "--cert", certificates.clientCert, "--key", certificates.clientKey]
        // Log lines and metrics every few milliseconds: the loop thread is mostly inside SSL_read.
        let scratch = try TestEnvironment.makeScratchDirectory(label: "sys-tls-stop")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let traffic = try ChildProcess(
            executable: "/bin/bash",
            arguments: [
                "-c",
                "while true; do mosquitto_pub -h 127.0.0.1 -p \(tlsPort) --cafile \(certificates.ca) --cert "
                    + "\(certificates.clientCert) --key \(certificates.clientKey) -t t -m x; done",
            ], outputPath: (scratch as NSString).appendingPathComponent("traffic.out"))
        defer { traffic.kill9() }  // a mosquitto_pub still running ends by itself within a second
        // A race: without mosquitto_threaded_set about 1 stop in 20 crashed (SIGSEGV, 139).
        for round in 1...20 {
            let ingester = try SysIngesterProcess.launch(
                broker: broker, database: database, brokerName: "tls-stop", port: tlsPort, arguments: tls)
            try ingester.waitUntil("round \(round): connected") {
                ingester.output.contains("event=session_ready")
            }
            Thread.sleep(forTimeInterval: Double(round % 5) * 0.1)
            let status = ingester.stop()
            #expect(status == 0, "round \(round): \(ingester.output.suffix(3000))")
            if status != 0 { break }
        }
    }

    @Test("--tls-insecure accepts a certificate for another host name, as documented")
    func insecure() throws {
        let certificates = try Certificates.make()
        defer { try? FileManager.default.removeItem(atPath: certificates.directory) }
        let (broker, tlsPort) = try tlsBroker(
            certificates, server: "wronghost", requireCertificate: false)
        let database = try ScratchDatabase.create(label: "sys_tls_insecure")
        let ingester = try SysIngesterProcess.start(
            broker: broker, database: database, brokerName: "insecure", port: tlsPort,
            arguments: ["--cafile", certificates.ca, "--tls-insecure"])
        try ingester.waitUntil("metrics arrive over TLS") {
            try database.intScalar("SELECT count(*) FROM broker_metrics WHERE broker = 'insecure'") ?? 0
                > 0
        }
        #expect(ingester.stop() == 0, "\(ingester.output.suffix(2000))")
    }
}
