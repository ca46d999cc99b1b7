/// What the metrics server answers, as a pure function of the request line.
///
/// - `GET /metrics`: 200, the Prometheus text format (version 0.0.4);
/// - `GET /healthz`: 200 while the process runs;
/// - `GET /readyz`: 200 while the readiness check passes, 503 with its reason otherwise;
/// - any other path: 404; any other method: 405 (with `Allow: GET`). A query string is ignored.
package struct MetricsEndpoints: Sendable {
    /// The readiness check: `ready`, and the reason shown when not ready.
    package typealias Readiness = @Sendable () -> (ready: Bool, reason: String)

    /// One response: status code, content type and body.
    package struct Response: Equatable, Sendable {
        package let status: Int
        package let contentType: String
        package let body: String
    }

    /// The content type of `/metrics`: the Prometheus text exposition format.
    package static let metricsContentType = "text/plain; version=0.0.4; charset=utf-8"
    package static let textContentType = "text/plain; charset=utf-8"

    private let metrics: IngesterMetrics
    private let readiness: Readiness
    /// More exposition text appended to `/metrics` (the presence gauges read from the database).
    private let more: @Sendable () -> String

    /// - Parameters:
    ///   - metrics: what `/metrics` serves.
    ///   - readiness: the check behind `/readyz`; nil: `metrics.readiness()` (PostgreSQL and every
    ///     known broker connected).
    ///   - more: exposition text appended to `/metrics` (whole families, `# TYPE` lines included).
    package init(metrics: IngesterMetrics, readiness: Readiness? = nil, more: @escaping @Sendable () -> String = { "" }) {
        self.metrics = metrics
        self.readiness = readiness ?? { metrics.readiness() }
        self.more = more
    }

    /// The response to one request.
    ///
    /// - Parameters:
    ///   - method: the request's method (`GET`).
    ///   - uri: the request target (`/metrics`, `/readyz?verbose`).
    package func respond(method: String, uri: String) -> Response {
        let path = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let known = ["/metrics", "/healthz", "/readyz"].contains(path)
        guard known else { return Response(status: 404, contentType: Self.textContentType, body: "not found\n") }
        guard method == "GET" else {
            return Response(status: 405, contentType: Self.textContentType, body: "only GET is supported\n")
        }
        switch path {
        case "/metrics":
            return Response(status: 200, contentType: Self.metricsContentType, body: metrics.render() + more())
        case "/healthz":
            return Response(status: 200, contentType: Self.textContentType, body: "ok\n")
        default:
            let (ready, reason) = readiness()
            return Response(status: ready ? 200 : 503, contentType: Self.textContentType, body: reason + "\n")
        }
    }
}
