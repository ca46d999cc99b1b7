import Foundation
import Testing

/// One ingester watching three brokers, its `/metrics` scraped by Debian's real Prometheus server
/// (started here on loopback) and queried through Prometheus's HTTP API: series per broker, a
/// stopped broker's `$SYS` series dropped while `sys_ingester_broker_up` goes to 0, `/readyz`
/// 503 with the reason and back to 200.
@Suite(.enabled(if: TestEnvironment.shouldRun), .offCooperativePool)
struct PrometheusScrapeTests {
    /// `curl -s` of a loopback URL: (HTTP status, body).
    static func get(_ url: String) throws -> (status: Int, body: String) {
        let result = try ProcessRunner.run(
            "curl", ["-s", "-m", "5", "-w", "\n%{http_code}", url], timeout: 10)
        var lines = result.output.split(separator: "\n", omittingEmptySubsequences: false)
        let status = Int(lines.popLast() ?? "") ?? 0
        return (status, lines.joined(separator: "\n"))
    }

    /// The samples of a PromQL instant query: labels → value.
    static func query(_ prometheus: Int, _ promql: String) throws -> [([String: String], Double)] {
        let encoded = promql.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? promql
        let answer = try get("http://127.0.0.1:\(prometheus)/api/v1/query?query=\(encoded)")
        guard let object = try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any],
            let data = object["data"] as? [String: Any], let result = data["result"] as? [[String: Any]]
        else { return [] }
        return result.compactMap { sample in
            guard let labels = sample["metric"] as? [String: String], let value = sample["value"] as? [Any],
                value.count == 2, let text = value[1] as? String, let number = Double(text)
            else { return nil }
            return (labels, number)
        }
    }

    @Test func aRealPrometheusScrapesEveryBrokerAndSeesOneGoDownAndComeBack() throws {
        let database = try ScratchDatabase.create(label: "prometheus")
        let brokerA = try BrokerProcess.start(.v21, extraConfig: SysIngesterProcess.brokerConfig)
        let brokerB = try BrokerProcess.start(.v21, extraConfig: SysIngesterProcess.brokerConfig)
        let portC = try LocalPorts.free()
        let metricsPort = try LocalPorts.free()
        let yaml = """
            metrics_listen: 127.0.0.1:\(metricsPort)
            burst_window_ms: 50
            brokers:
              - {name: a, host: 127.0.0.1, port: \(brokerA.port)}
              - {name: b, host: 127.0.0.1, port: \(brokerB.port)}
              - {name: c, host: 127.0.0.1, port: \(portC)}
            """
        let ingester = try SysIngesterProcess.launch(config: yaml, environment: ["PG_DSN": database.dsn])
        defer { _ = ingester.stop() }
        // Broker c is down: not ready, and the reason names it.
        let notReady = try waitForValue(timeout: 20, "/readyz naming broker c only") {
            let answer = try Self.get("http://127.0.0.1:\(metricsPort)/readyz")
            return answer.status == 503 && answer.body.contains("c") && !answer.body.contains("PostgreSQL")
                && !answer.body.contains("'a'") ? answer : nil
        }
        print("readyz while c is down: \(notReady.status) \(notReady.body)")
        #expect(try Self.get("http://127.0.0.1:\(metricsPort)/healthz").status == 200)

        let prometheus = try PrometheusServer.start(scraping: metricsPort)
        defer { prometheus.stop() }
        try waitUntil(timeout: 40, "Prometheus has scraped both brokers' $SYS series") {
            try Self.query(prometheus.port, "sys_ingester_broker_up == 1").count == 2
                && Self.query(prometheus.port, "mosquitto_uptime").count == 2
        }
        let upQuery = "sum by (broker) (sys_ingester_broker_up)"
        let up = try Self.query(prometheus.port, upQuery)
        print("PromQL \(upQuery): \(up.map { "\($0.0["broker"] ?? "?")=\($0.1)" }.sorted())")
        #expect(up.map { "\($0.0["broker"] ?? "?")=\(Int($0.1))" }.sorted() == ["a=1", "b=1", "c=0"])
        let connected = try Self.query(prometheus.port, "mosquitto_clients_connected")
        #expect(Set(connected.compactMap { $0.0["broker"] }) == ["a", "b"])
        #expect(try Self.query(prometheus.port, "sys_ingester_pg_up").map(\.1) == [1])
        #expect(try Self.query(prometheus.port, "sys_ingester_messages_received_total{broker=\"a\"} > 0").count == 1)
        #expect(try !Self.query(prometheus.port, "sys_ingester_rows_written_total{table=\"broker_metrics\"}").isEmpty)

        // b stops: its $SYS series leave the scrape (Prometheus marks them stale), broker_up 0.
        brokerB.stop()
        try waitUntil(timeout: 40, "b down in Prometheus, its $SYS series gone") {
            try Self.query(prometheus.port, "sys_ingester_broker_up{broker=\"b\"} == 0").count == 1
                && Self.query(prometheus.port, "mosquitto_uptime{broker=\"b\"}").isEmpty
                && Self.query(prometheus.port, "mosquitto_uptime{broker=\"a\"}").count == 1
        }
        let scrape = try Self.get("http://127.0.0.1:\(metricsPort)/metrics").body
        #expect(!scrape.contains("mosquitto_uptime{broker=\"b\"}"))
        #expect(scrape.contains("sys_ingester_broker_up{broker=\"b\"} 0"))

        // b back, and c started at last: every broker flows, the ingester is ready.
        try brokerB.restart()
        let brokerC = try BrokerProcess.start(.v21, extraConfig: SysIngesterProcess.brokerConfig, port: portC)
        try waitUntil(timeout: 60, "b and c up in Prometheus with $SYS series") {
            try Self.query(prometheus.port, "sys_ingester_broker_up == 1").count == 3
                && Self.query(prometheus.port, "mosquitto_uptime").count == 3
        }
        try waitUntil(timeout: 20, "/readyz 200") {
            try Self.get("http://127.0.0.1:\(metricsPort)/readyz").status == 200
        }
        _ = (brokerA, brokerC)
    }
}

/// Debian's Prometheus server on loopback with a scratch data directory, scraping one target
/// every second.
final class PrometheusServer {
    let port: Int
    private let process: ChildProcess
    private let directory: String

    private init(port: Int, process: ChildProcess, directory: String) {
        self.port = port
        self.process = process
        self.directory = directory
    }

    static func start(scraping target: Int) throws -> PrometheusServer {
        let binary = "/usr/bin/prometheus"
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw TestEnvironment.MissingPrerequisite(
                variable: "prometheus", problem: "\(binary) is missing: apt-get install prometheus (scripts/bootstrap.sh does)")
        }
        let directory = try TestEnvironment.makeScratchDirectory(label: "prometheus")
        let config = directory + "/prometheus.yml"
        try """
            global: {scrape_interval: 1s, evaluation_interval: 1s}
            scrape_configs:
              - job_name: sys-ingester
                static_configs: [{targets: ['127.0.0.1:\(target)']}]
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let port = try LocalPorts.free()
        let process = try ChildProcess(
            executable: binary,
            arguments: [
                "--config.file=\(config)", "--storage.tsdb.path=\(directory)/data",
                "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn",
            ],
            environment: [:], outputPath: directory + "/prometheus.out")
        let server = PrometheusServer(port: port, process: process, directory: directory)
        try waitUntil(timeout: 30, "Prometheus ready") {
            try PrometheusScrapeTests.get("http://127.0.0.1:\(port)/-/ready").status == 200
        }
        return server
    }

    func stop() {
        _ = process.kill9()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
