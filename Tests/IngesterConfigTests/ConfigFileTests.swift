import Foundation
import IngesterConfig
import Testing

/// `--config` files: decoding, defaults, and every refusal naming the entry and the field.
@Suite("ConfigFile")
struct ConfigFileTests {
    private let environment = ["PG_DSN": "host=127.0.0.1 dbname=mqtt", "LAB_PASSWORD": "env-secret"]

    private func load(_ yaml: String, environment: [String: String]? = nil) throws(ConfigError)
        -> IngesterSettings
    {
        try ConfigFile.parse(yaml: yaml).settings(
            validator: SettingsValidator(environment: environment ?? self.environment))
    }

    /// The error `yaml` is refused with.
    private func refusal(_ yaml: String, environment: [String: String]? = nil) -> ConfigError? {
        do {
            _ = try load(yaml, environment: environment)
            return nil
        } catch {
            return error
        }
    }

    /// A scratch file holding `contents`; removed by the caller.
    private func scratchFile(_ contents: String) throws -> String {
        let path = NSTemporaryDirectory() + "config-test-\(UUID().uuidString)"
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("a minimal file: one broker, the defaults, the database from PG_DSN")
    func minimal() throws {
        let settings = try load(
            """
            brokers:
              - name: local
                host: 127.0.0.1
            """)
        #expect(
            settings
                == IngesterSettings(
                    brokers: [
                        BrokerSettings(
                            name: "local", host: "127.0.0.1", port: 1883, clientID: StableClientID.make(
                                name: "local", host: "127.0.0.1", port: 1883, username: nil,
                                database: "host=127.0.0.1 dbname=mqtt"),
                            username: nil,
                            password: nil, protocolVersion: .mqttv311, keepalive: 60, tls: nil)
                    ], dsn: "host=127.0.0.1 dbname=mqtt"))
    }

    @Test("the README example decodes field by field")
    func example() throws {
        let passwordFile = try scratchFile("file-secret\n")
        let caFile = try scratchFile("not really a certificate")
        defer {
            try? FileManager.default.removeItem(atPath: passwordFile)
            try? FileManager.default.removeItem(atPath: caFile)
        }
        let settings = try load(
            """
            dsn_env: PG_DSN
            log_level: notice
            burst_window_ms: 100
            max_burst: 500
            max_queue: 1000
            metrics_listen: 127.0.0.1:9464
            brokers:
              - name: prod-1
                host: mqtt1.example.net
                port: 8883
                protocol: mqttv5
                keepalive: 30
                client_id: watcher-prod-1
                username: watcher
                password_file: \(passwordFile)
                tls:
                  cafile: \(caFile)
                  insecure: false
              - name: lab
                host: 10.0.0.7
                username: watcher
                password_env: LAB_PASSWORD
            """)
        #expect(settings.logLevel == "notice" && settings.burstWindowMs == 100)
        #expect(settings.maxBurst == 500 && settings.maxQueue == 1000)
        #expect(settings.metricsListen == ListenAddress(host: "127.0.0.1", port: 9464))
        #expect(settings.brokers.map(\.name) == ["prod-1", "lab"])
        let prod = settings.brokers[0]
        #expect(prod.password == "file-secret", "the trailing newline is not part of it")
        #expect(prod.port == 8883 && prod.protocolVersion == .mqttv5 && prod.keepalive == 30)
        #expect(prod.clientID == "watcher-prod-1" && prod.username == "watcher")
        #expect(
            prod.tls
                == BrokerSettings.TLS(
                    caFile: caFile, caPath: nil, certFile: nil, keyFile: nil, insecure: false))
        let lab = settings.brokers[1]
        #expect(lab.password == "env-secret" && lab.port == 1883 && lab.tls == nil)
        #expect(lab.clientID.hasPrefix(StableClientID.prefix) && lab.clientID.utf8.count == 21)
        #expect(settings.warnings.isEmpty)
    }

    @Test("an inline dsn is used; one with a password gets a warning that does not quote it")
    func inlineDSN() throws {
        let plain = try load(
            "dsn: host=db dbname=mqtt\nbrokers: [{name: a, host: h}]", environment: [:])
        #expect(plain.dsn == "host=db dbname=mqtt" && plain.warnings.isEmpty)
        let secret = try load(
            "dsn: host=db password=hunter2\nbrokers: [{name: a, host: h}]", environment: [:])
        #expect(secret.warnings.count == 1 && !secret.warnings[0].contains("hunter2"))
    }

    @Test("dsn_file and dsn_env name the database; a file's trailing newline is dropped")
    func dsnSources() throws {
        let file = try scratchFile("host=from-file dbname=mqtt\n")
        defer { try? FileManager.default.removeItem(atPath: file) }
        #expect(
            try load("dsn_file: \(file)\nbrokers: [{name: a, host: h}]").dsn
                == "host=from-file dbname=mqtt")
        #expect(
            try load(
                "dsn_env: OTHER\nbrokers: [{name: a, host: h}]", environment: ["OTHER": "host=other"]
            ).dsn
                == "host=other")
    }

    @Test(
        "bad files are refused naming the entry and the field",
        arguments: [
            (
                "brokers:\n  - name: a\n    host: h\n    prot: mqttv5",
                "brokers[0] (name 'a'): unknown field 'prot'"
            ),
            ("brokers:\n  - name: a\n    port: 1883", "brokers[0] (name 'a'): host is missing."),
            (
                "brokers:\n  - name: a\n    host: h\n    port: 0",
                "brokers[0] (name 'a'): port must be between 1 and 65535"
            ),
            (
                "brokers:\n  - name: a\n    host: h\n    port: many",
                "brokers[0] (name 'a'): port must be a whole number."
            ),
            (
                "brokers:\n  - {name: a, host: h}\n  - {name: b, host: h}\n  - {name: a, host: i}",
                "brokers[2] (name 'a'): name 'a' is also brokers[0]'s"
            ),
            (
                "brokers:\n  - {name: a, host: h, username: u, password_file: /nonexistent/pw}",
                "brokers[0] (name 'a'): password_file /nonexistent/pw: no readable file there."
            ),
            (
                "brokers:\n  - {name: a, host: h, username: u, password_env: UNSET_VARIABLE}",
                "brokers[0] (name 'a'): password_env: the environment variable UNSET_VARIABLE is not set."
            ),
            (
                "brokers:\n  - {name: a, host: h, password: x}",
                "brokers[0] (name 'a'): password: not read from the file"
            ),
            (
                "brokers:\n  - {name: a, host: h, password_env: LAB_PASSWORD}",
                "password_env needs username."
            ),
            (
                "brokers:\n  - {name: a, host: h, protocol: mqttv4}",
                "protocol must be mqttv31, mqttv311 or mqttv5"
            ),
            ("brokers:\n  - {host: h}", "brokers[0]: name is missing."),
            (
                "brokers:\n  - {name: a, host: h, tls: {cert: /etc/hostname}}",
                "tls.cert and tls.key must be given together."
            ),
            (
                "brokers:\n  - {name: a, host: h, tls: {cafile: /nonexistent}}",
                "tls.cafile /nonexistent: no readable"
            ),
            ("brokers:\n  - {name: a, host: h, tls: {cafil: x}}", "unknown field 'tls.cafil'"),
            (
                "brokers:\n  - {name: a, host: h, protocol: mqttv31, client_id: abcdefghijklmnopqrstuvwxyz}",
                "client_id must be at most 23 bytes"
            ),
            ("brokers:\n  - {name: a, host: h}\n  - name: [b", "not valid YAML"),
            ("brokers: []", "brokers must list at least one broker."),
            ("name: a\nhost: h", "unknown field 'name'"),
            ("max_queue: 5\nbrokers: [{name: a, host: h}]", "max_queue must be 100-10000000, not 5."),
            ("log_level: loud\nbrokers: [{name: a, host: h}]", "log_level must be trace"),
            ("metrics_listen: 9464\nbrokers: [{name: a, host: h}]", "metrics_listen '9464': no port; expected HOST:PORT"),
            ("dsn: a\ndsn_env: B\nbrokers: [{name: a, host: h}]", "dsn and dsn_env exclude each other"),
            (
                "dsn: \"host='open\"\nbrokers: [{name: a, host: h}]", "dsn is not a valid connection string"
            ),
            ("brokers: {name: a}", "brokers must be a list of broker entries."),
            (
                "brokers:\n  - {name: a, host: h}\n  - {name: b, host: h, keepalive: 2}",
                "brokers[1] (name 'b'): keepalive"
            ),
        ])
    func refused(yaml: String, message: String) {
        let error = refusal(yaml)
        #expect(error?.description.contains(message) == true, "\(String(describing: error))")
    }

    @Test("no database anywhere names PG_DSN")
    func noDatabase() {
        let error = refusal("brokers: [{name: a, host: h}]", environment: [:])
        #expect(error?.description.contains("PG_DSN") == true, "\(String(describing: error))")
    }

    @Test("a refusal never quotes a password or a YAML line holding one")
    func secretsStayOut() throws {
        let secret = "s3cr3t-value"
        let empty = try scratchFile("\n")
        defer { try? FileManager.default.removeItem(atPath: empty) }
        let cases = [
            "dsn: \"host=x password=\(secret)\" [\nbrokers: []",
            "dsn: \"password=\(secret) host='\"\nbrokers: [{name: a, host: h}]",
            "brokers:\n  - {name: a, host: h, password: \(secret)}",
            "brokers:\n  - {name: a, host: h, username: u, password_file: \(empty)}",
        ]
        for yaml in cases {
            let error = refusal(yaml)
            #expect(error != nil)
            #expect(error?.description.contains(secret) == false, "\(String(describing: error))")
        }
    }

    @Test(
        "listen addresses",
        arguments: [
            ("127.0.0.1:9464", ListenAddress(host: "127.0.0.1", port: 9464)),
            ("[::1]:80", ListenAddress(host: "::1", port: 80)),
            ("localhost:0", nil), (":80", nil), ("::1:80", nil), ("host", nil),
        ])
    func listen(text: String, expected: ListenAddress?) {
        #expect(ListenAddress(text) == expected)
    }

    @Test("retention: keep everything by default, hourly maintenance; the file's keys set them")
    func retention() throws {
        let defaults = try load("brokers:\n  - name: local\n    host: 127.0.0.1\n")
        #expect(defaults.retentionDays == 0)
        #expect(defaults.rollupRetentionDays == 0)
        #expect(defaults.maintenanceIntervalSeconds == 3600)
        let set = try load(
            """
            retention_days: 30
            rollup_retention_days: 400
            maintenance_interval: 60
            brokers:
              - name: local
                host: 127.0.0.1
            """)
        #expect(set.retentionDays == 30)
        #expect(set.rollupRetentionDays == 400)
        #expect(set.maintenanceIntervalSeconds == 60)
    }

    @Test(
        "retention values out of range or not whole numbers name the field",
        arguments: [
            ("retention_days: -1", "retention_days"), ("retention_days: 36501", "retention_days"),
            ("rollup_retention_days: -3", "rollup_retention_days"), ("maintenance_interval: 0", "maintenance_interval"),
            ("retention_days: soon", "retention_days"), ("retention_days: 1.5", "retention_days"),
        ])
    func retentionRefusals(line: String, field: String) {
        let error = refusal(line + "\nbrokers:\n  - name: local\n    host: 127.0.0.1\n")
        #expect(error?.field == field, "\(String(describing: error))")
        #expect(error?.description.contains(field) == true, "\(String(describing: error))")
    }
}

/// The committed example (`sys-ingester.example.yaml`, shown in the README) stays a valid file.
@Suite("ConfigExample")
struct ConfigExampleTests {
    @Test("the example file decodes, every field known")
    func example() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let text = try String(
            contentsOf: root.appendingPathComponent("sys-ingester.example.yaml"), encoding: .utf8)
        let file = try ConfigFile.parse(yaml: text)
        #expect(file.brokers?.map(\.name) == ["prod-1", "lab", "edge-2.0"])
        #expect(file.brokers?.first?.tls?.cafile == "/etc/ssl/certs/mqtt-ca.pem")
        #expect(file.dsnEnv == "PG_DSN" && file.maxQueue == 200_000)
    }

}

@Suite struct StableClientIDTests {
    let database = "host=db dbname=mqtt user=ingest"

    @Test("the same configuration gives the same id; another broker, name or database another")
    func stableAndDistinct() {
        let id = StableClientID.make(name: "prod", host: "mq1", port: 1883, username: nil, database: database)
        #expect(id == StableClientID.make(name: "prod", host: "mq1", port: 1883, username: nil, database: database))
        #expect(id.hasPrefix("sys-ingester-") && id.utf8.count == 21, "fits MQTT 3.1's 23 bytes")
        let others = [
            StableClientID.make(name: "prod-2", host: "mq1", port: 1883, username: nil, database: database),
            StableClientID.make(name: "prod", host: "mq2", port: 1883, username: nil, database: database),
            StableClientID.make(name: "prod", host: "mq1", port: 8883, username: nil, database: database),
            StableClientID.make(name: "prod", host: "mq1", port: 1883, username: "w", database: database),
            StableClientID.make(name: "prod", host: "mq1", port: 1883, username: nil, database: "host=db dbname=other"),
        ]
        #expect(Set(others + [id]).count == 6)
    }

    @Test("a new database password keeps the id (and so the broker session)")
    func passwordIsNotPartOfIt() {
        #expect(
            StableClientID.make(name: "p", host: "h", port: 1, username: nil, database: database + " password=a")
                == StableClientID.make(name: "p", host: "h", port: 1, username: nil, database: database + " password=b"))
    }
}

