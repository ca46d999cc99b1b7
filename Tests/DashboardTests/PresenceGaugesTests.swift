import Dashboard
import Logging
import ServiceLifecycle
import TestSupport
import Testing

/// The presence gauges' polling as a service. Its database is a socket directory that does not
/// exist, so each read fails at once, without a server or the network.
@Suite("PresenceGauges")
struct PresenceGaugesTests {
    private static let quiet = Logger(label: "presence-gauges-tests", factory: { _ in SwiftLogNoOpLogHandler() })

    @Test(
        "the service reads at once, shows a failed read as presence_up 0, and ends at the graceful shutdown, mid-interval",
        .timeLimit(.minutes(1)))
    func service() async throws {
        let capture = LogCapture()
        let reads = try ReadOnlyDatabase(dsn: "host=/nonexistent dbname=unused", workers: 1, logger: Self.quiet)
        defer { reads.stop() }
        // An hour between readings: the service ends only because the shutdown ends its wait.
        let gauges = PresenceGauges(store: DashboardStore(database: reads), interval: .seconds(3600), logger: capture.logger(label: "presence-gauges-tests"))
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [gauges], logger: Self.quiet))
        async let running: Void = group.run()

        while !capture.messages.contains("Cannot read the presence gauges.") {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(gauges.exposition() == "# TYPE sys_ingester_presence_up gauge\nsys_ingester_presence_up 0\n")
        await group.triggerGracefulShutdown()
        try await running
        #expect(capture.messages.filter { $0 == "Cannot read the presence gauges." }.count == 1)
    }
}
