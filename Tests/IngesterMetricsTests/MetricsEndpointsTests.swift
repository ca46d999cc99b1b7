import Testing

@testable import IngesterMetrics

@Suite("MetricsEndpoints")
struct MetricsEndpointsTests {
    @Test("routes, methods and readiness")
    func routes() {
        let metrics = IngesterMetrics(brokers: ["b1"])
        let endpoints = MetricsEndpoints(metrics: metrics)
        let scrape = endpoints.respond(method: "GET", uri: "/metrics")
        #expect(scrape.status == 200)
        #expect(scrape.contentType.hasPrefix("text/plain; version=0.0.4"))
        #expect(scrape.body == metrics.render())
        #expect(endpoints.respond(method: "GET", uri: "/metrics?x=1").status == 200)
        #expect(
            endpoints.respond(method: "GET", uri: "/healthz")
                == .init(status: 200, contentType: MetricsEndpoints.textContentType, body: "ok\n"))
        #expect(endpoints.respond(method: "GET", uri: "/readyz").status == 503)
        #expect(
            endpoints.respond(method: "GET", uri: "/readyz").body
                == "PostgreSQL is not connected; broker 'b1' is not connected\n")
        metrics.pgUp(true)
        metrics.brokerUp("b1", true)
        #expect(
            endpoints.respond(method: "GET", uri: "/readyz")
                == .init(status: 200, contentType: MetricsEndpoints.textContentType, body: "ready\n"))
        #expect(endpoints.respond(method: "POST", uri: "/metrics").status == 405)
        #expect(endpoints.respond(method: "HEAD", uri: "/healthz").status == 405)
        #expect(endpoints.respond(method: "GET", uri: "/").status == 404)
        #expect(endpoints.respond(method: "GET", uri: "/metrics/").status == 404)
        #expect(endpoints.respond(method: "DELETE", uri: "/nothing").status == 404)
    }

    @Test("the program's own readiness check")
    func customReadiness() {
        let endpoints = MetricsEndpoints(metrics: IngesterMetrics()) { (false, "starting") }
        #expect(
            endpoints.respond(method: "GET", uri: "/readyz")
                == .init(status: 503, contentType: MetricsEndpoints.textContentType, body: "starting\n"))
    }
}
