import Foundation
import IngesterConfig
import IngesterMetrics
import NIOCore
import NIOPosix
import Testing

/// The metrics server over a real loopback socket: HTTP framing, the routes, and `/metrics` read
/// by a real Prometheus text-format parser (Python's prometheus_client) and a strict line check.
@Suite("Metrics endpoint (loopback HTTP)", .offCooperativePool)
struct MetricsEndpointTests {
    @Test("/metrics parses, drops a down broker's $SYS series; /readyz 503 with the reason, then 200")
    func scrape() async throws {
        let metrics = IngesterMetrics(brokers: ["b1", "b2"])
        let server = try await MetricsServer.start(
            at: ListenAddress(host: "127.0.0.1", port: 0), endpoints: MetricsEndpoints(metrics: metrics))
        defer { server.stop() }
        #expect(server.address.port > 0)

        var ready = try await HTTPExchange.get("/readyz", port: server.address.port)
        #expect(ready.status == 503)
        #expect(
            ready.body == "PostgreSQL is not connected; broker 'b1' is not connected; broker 'b2' is not connected\n")

        metrics.pgUp(true)
        for broker in ["b1", "b2"] {
            metrics.brokerUp(broker, true)
            metrics.messageReceived(broker: broker, atMicros: 1_700_000_000_000_000)
            metrics.sysMetric(broker: broker, topic: "$SYS/broker/clients/connected", value: 3)
            metrics.sysMetric(broker: broker, topic: "$SYS/broker/bytes/received", value: 4_294_967_296)
            metrics.sysMetric(broker: broker, topic: "$SYS/broker/retained messages/count", value: 7)
            metrics.sysMetric(broker: broker, topic: "$SYS/broker/conn-plugin/events/dead-lettered", value: 2)
            metrics.sysMetric(broker: broker, topic: "$SYS/broker/conn-plugin/write/latency-us", value: 812.5)
        }
        metrics.rowsWritten(table: "broker_metrics", count: 12)
        metrics.writeDuration(seconds: 0.004)
        ready = try await HTTPExchange.get("/readyz", port: server.address.port)
        #expect(ready.status == 200)
        #expect(ready.body == "ready\n")

        var scrape = try await HTTPExchange.get("/metrics", port: server.address.port)
        #expect(scrape.status == 200)
        #expect(scrape.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
        try TextFormat.checkStrictly(scrape.body)
        var samples = try TextFormat.parseWithPrometheusClient(scrape.body)
        if let samples {
            #expect(samples[#"mosquitto_clients_connected{broker="b1"}"#] == .init(type: "gauge", value: 3))
            #expect(
                samples[#"mosquitto_bytes_received_total{broker="b2"}"#]
                    == .init(type: "counter", value: 4_294_967_296))
            #expect(samples[#"mosquitto_retained_messages_count{broker="b1"}"#] == .init(type: "gauge", value: 7))
            #expect(
                samples[#"mosquitto_conn_plugin_events_dead_lettered_total{broker="b1"}"#]
                    == .init(type: "counter", value: 2))
            #expect(
                samples[#"mosquitto_conn_plugin_write_latency_us{broker="b2"}"#] == .init(type: "gauge", value: 812.5))
            #expect(samples[#"sys_ingester_broker_up{broker="b1"}"#] == .init(type: "gauge", value: 1))
            #expect(
                samples[#"sys_ingester_last_message_timestamp_seconds{broker="b1"}"#]
                    == .init(type: "gauge", value: 1_700_000_000))
            #expect(
                samples[#"sys_ingester_rows_written_total{table="broker_metrics"}"#]
                    == .init(type: "counter", value: 12))
            #expect(
                samples[#"sys_ingester_write_duration_seconds_bucket{le="0.005"}"#]
                    == .init(type: "histogram", value: 1))
            #expect(samples["sys_ingester_pg_up"] == .init(type: "gauge", value: 1))
        }

        // b1 goes down: its $SYS series leave the output, broker_up says 0, /readyz says why.
        metrics.brokerUp("b1", false)
        scrape = try await HTTPExchange.get("/metrics", port: server.address.port)
        try TextFormat.checkStrictly(scrape.body)
        #expect(!scrape.body.contains(#"mosquitto_clients_connected{broker="b1"}"#))
        #expect(!scrape.body.split(separator: "\n").contains { $0.hasPrefix("mosquitto_") && $0.contains(#""b1""#) })
        #expect(scrape.body.contains(#"mosquitto_clients_connected{broker="b2"} 3.0"#))
        samples = try TextFormat.parseWithPrometheusClient(scrape.body)
        if let samples {
            #expect(samples[#"sys_ingester_broker_up{broker="b1"}"#] == .init(type: "gauge", value: 0))
            #expect(samples.keys.filter { $0.hasPrefix("mosquitto_") && $0.contains(#""b1""#) }.isEmpty)
            #expect(samples.keys.filter { $0.hasPrefix("mosquitto_") }.count == 5)
        }
        ready = try await HTTPExchange.get("/readyz", port: server.address.port)
        #expect(ready.status == 503)
        #expect(ready.body == "broker 'b1' is not connected\n")
    }

    @Test("routes, methods, pipelined keep-alive requests, and a clean stop")
    func http() async throws {
        let metrics = IngesterMetrics()
        let server = try await MetricsServer.start(
            at: ListenAddress(host: "127.0.0.1", port: 0), endpoints: MetricsEndpoints(metrics: metrics))
        let port = server.address.port
        #expect(try await HTTPExchange.get("/healthz", port: port).status == 200)
        #expect(try await HTTPExchange.get("/healthz", port: port).body == "ok\n")
        #expect(try await HTTPExchange.get("/nothing", port: port).status == 404)
        let post = try await HTTPExchange.send(
            "POST /metrics HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi", port: port)
        #expect(post.first?.status == 405)
        #expect(post.first?.headers["allow"] == "GET")
        let pipelined = try await HTTPExchange.send(
            "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\nGET /metrics HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
            port: port)
        #expect(pipelined.map(\.status) == [200, 200])
        #expect(pipelined.last?.body == metrics.render())
        let malformed = try await HTTPExchange.send("NOT HTTP\r\n\r\n", port: port)
        #expect(malformed.first?.status == 400)

        await server.stop()
        await #expect(throws: (any Error).self) { try await HTTPExchange.get("/healthz", port: port) }
    }

    @Test("a taken port is an error naming the address")
    func bindError() throws {
        let first = try MetricsServer.start(
            at: ListenAddress(host: "127.0.0.1", port: 0), endpoints: MetricsEndpoints(metrics: IngesterMetrics()))
        defer { first.stop() }
        let taken = first.address
        #expect {
            try MetricsServer.start(at: taken, endpoints: MetricsEndpoints(metrics: IngesterMetrics())).stop()
        } throws: { error in
            "\(error)".hasPrefix("Cannot serve metrics on 127.0.0.1:\(taken.port): ")
                && "\(error)".contains("in use")
        }
    }
}

// MARK: - A minimal HTTP/1.1 client over NIO

/// Sends raw request bytes over one TCP connection and reads responses until the server closes it.
enum HTTPExchange {
    struct Response {
        let status: Int
        /// Header names in lower case.
        let headers: [String: String]
        let body: String
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// `GET path` with `Connection: close`; the one response.
    static func get(_ path: String, port: Int) async throws -> Response {
        let responses = try await send("GET \(path) HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", port: port)
        guard responses.count == 1, let response = responses.first else {
            throw Failure(description: "expected one response, got \(responses.count)")
        }
        return response
    }

    /// Sends `request` as it is and parses every response in what comes back before the close.
    static func send(_ request: String, port: Int) async throws -> [Response] {
        let group = MultiThreadedEventLoopGroup.singleton
        let done = group.next().makePromise(of: ByteBuffer.self)
        let bytes: ByteBuffer
        do {
            let channel = try await ClientBootstrap(group: group)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(Collector(done: done))
                    }
                }
                .connect(host: "127.0.0.1", port: port).get()
            // The request is written before the guard is armed, with no suspension point between
            // the two, so the guard times the server alone. It is only for a server that never
            // closes, not a timing check: an exchange takes milliseconds. (Both tests once failed
            // with "no close within 10 s", 243 s after they started: the write came after an await
            // that waited for one of Swift's cooperative threads, which blocking integration tests
            // held. Those tests, and this suite, now run off that pool: `.offCooperativePool`.)
            channel.writeAndFlush(ByteBuffer(string: request)).whenFailure { done.fail($0) }
            let timeout = channel.eventLoop.scheduleTask(in: .seconds(10)) {
                done.fail(Failure(description: "no close within 10 s"))
                channel.close(promise: nil)
            }
            bytes = try await done.futureResult.get()
            timeout.cancel()
        } catch {
            done.fail(error)  // a promise nobody completes traps in NIO's debug builds
            throw error
        }
        return try parse(String(buffer: bytes))
    }

    /// Splits `text` into responses, each framed by its Content-Length.
    private static func parse(_ text: String) throws -> [Response] {
        var rest = Substring(text)
        var responses: [Response] = []
        while !rest.isEmpty {
            guard let end = rest.range(of: "\r\n\r\n") else { throw Failure(description: "no header end in \(rest)") }
            let lines = rest[..<end.lowerBound].components(separatedBy: "\r\n")
            let statusWords = lines[0].split(separator: " ")
            guard statusWords.count >= 2, statusWords[0] == "HTTP/1.1", let status = Int(statusWords[1]) else {
                throw Failure(description: "bad status line \(lines[0])")
            }
            var headers: [String: String] = [:]
            for line in lines.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { throw Failure(description: "bad header \(line)") }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                    in: .whitespaces)
            }
            guard let length = headers["content-length"].flatMap({ Int($0) }) else {
                throw Failure(description: "no Content-Length in \(lines)")
            }
            let body = rest[end.upperBound...].utf8.prefix(length)
            guard body.count == length else { throw Failure(description: "body shorter than \(length)") }
            responses.append(Response(status: status, headers: headers, body: String(decoding: body, as: UTF8.self)))
            rest = Substring(rest[end.upperBound...].utf8.dropFirst(length))
        }
        return responses
    }

    /// Collects every byte the server sends; completes when the connection closes.
    private final class Collector: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        private var received = ByteBuffer()
        private let done: EventLoopPromise<ByteBuffer>

        init(done: EventLoopPromise<ByteBuffer>) { self.done = done }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var bytes = unwrapInboundIn(data)
            received.writeBuffer(&bytes)
        }

        func channelInactive(context: ChannelHandlerContext) {
            done.succeed(received)
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            done.fail(error)
            context.close(promise: nil)
        }
    }
}

// MARK: - Reading the text format

private enum TextFormat {
    /// One sample as the parser read it.
    struct Sample: Equatable {
        let type: String
        let value: Double
    }

    struct Violation: Error, CustomStringConvertible {
        let description: String
    }

    /// Checks every line against the text format 0.0.4: `# TYPE name counter|gauge|histogram` once per
    /// family and before its samples, then `name{label="value",...} number` lines of that family.
    static func checkStrictly(_ text: String) throws {
        guard text.hasSuffix("\n") else { throw Violation(description: "no final line feed") }
        let typeLine = #/# TYPE (?<name>[a-zA-Z_:][a-zA-Z0-9_:]*) (?<type>counter|gauge|histogram)/#
        let sampleLine =
            #/(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="(\\[\\"n]|[^"\\\n])*"(,[a-zA-Z_][a-zA-Z0-9_]*="(\\[\\"n]|[^"\\\n])*")*\})? (?<value>\S+)/#
        var typed: [String: String] = [:]
        var current: (name: String, type: String)?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            if let match = line.wholeMatch(of: typeLine) {
                let family = String(match.name)
                guard typed[family] == nil else { throw Violation(description: "second TYPE line for \(family)") }
                typed[family] = String(match.type)
                current = (family, String(match.type))
            } else if line.hasPrefix("# HELP ") {
                continue
            } else if let match = line.wholeMatch(of: sampleLine) {
                guard let current else { throw Violation(description: "sample before any TYPE: \(line)") }
                let suffixes = current.type == "histogram" ? ["_bucket", "_sum", "_count"] : [""]
                guard suffixes.contains(where: { match.name == current.name + $0 }) else {
                    throw Violation(description: "\(line) is not in family \(current.name)")
                }
                let value = String(match.value)
                guard Double(value) != nil || ["+Inf", "-Inf", "NaN"].contains(value) else {
                    throw Violation(description: "bad value in \(line)")
                }
            } else {
                throw Violation(description: "not a text-format line: '\(line)'")
            }
        }
    }

    /// Parses `text` with `prometheus_client.parser.text_string_to_metric_families`.
    ///
    /// - Returns: every sample by `name{labels}` (labels sorted, `le` included); nil when no python3
    ///   with prometheus_client is found outside `make test`.
    /// - Throws: when the parser rejects the text, or (under `make test`) when it is missing.
    static func parseWithPrometheusClient(_ text: String) throws -> [String: Sample]? {
        let python = TestEnvironment.value(.python3) ?? "/usr/bin/python3"
        let probe = try? ProcessRunner.run(python, ["-c", "import prometheus_client"])
        guard probe?.succeeded == true else {
            guard !TestEnvironment.isRequired else {
                throw Violation(description: "\(python) cannot import prometheus_client: \(probe?.output ?? "")")
            }
            return nil
        }
        let directory = try TestEnvironment.makeScratchDirectory(label: "metrics-scrape")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let input = directory + "/metrics.txt"
        try text.write(toFile: input, atomically: true, encoding: .utf8)
        let script = """
            import json, sys
            from prometheus_client.parser import text_string_to_metric_families
            out = {}
            for family in text_string_to_metric_families(open(sys.argv[1]).read()):
                for s in family.samples:
                    labels = ",".join('%s="%s"' % (k, v) for k, v in sorted(s.labels.items()))
                    key = s.name + ("{%s}" % labels if labels else "")
                    if key in out: raise SystemExit("duplicate sample " + key)
                    out[key] = [family.type, s.value]
            print(json.dumps(out))
            """
        let result = try ProcessRunner.run(python, ["-c", script, input])
        guard result.succeeded, let data = result.output.data(using: .utf8),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: [Any]]
        else { throw Violation(description: "prometheus_client rejected the text: \(result.output)") }
        var samples: [String: Sample] = [:]
        for (key, pair) in object {
            guard pair.count == 2, let type = pair[0] as? String, let value = pair[1] as? Double else {
                throw Violation(description: "unexpected parser output for \(key)")
            }
            samples[key] = Sample(type: type, value: value)
        }
        return samples
    }
}
