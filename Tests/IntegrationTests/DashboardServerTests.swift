import Dashboard
import Foundation
import IngesterConfig
import Logging
import ServiceLifecycle
import Synchronization
import Testing

/// The dashboard's server as a service of a `ServiceGroup`, over a real loopback socket, in this
/// process: it tells the address it bound, stops at the group's graceful shutdown, and a port it
/// cannot bind fails the group before the services behind it (`AfterListeningService`) run. The
/// pages it serves are tested through the program (DashboardAPITests, DashboardBrowserTests).
@Suite("DashboardServer (loopback HTTP)", .offCooperativePool)
struct DashboardServerTests {
    private static let logger = Logger(label: "dashboard-server-tests", factory: { _ in SwiftLogNoOpLogHandler() })

    /// A service that only records that it ran, then waits for the graceful shutdown.
    private final class Recorder: Service, Sendable {
        private let ran = Atomic<Bool>(false)
        var hasRun: Bool { ran.load(ordering: .acquiring) }

        func run() async throws {
            ran.store(true, ordering: .releasing)
            try? await gracefulShutdown()
        }
    }

    /// Read-only connections that are never opened: `/healthz` reads nothing, and no test here
    /// asks for a page.
    private func unusedDatabase() throws -> ReadOnlyDatabase {
        try ReadOnlyDatabase(dsn: "host=/nonexistent dbname=unused", workers: 1, logger: Self.logger)
    }

    @Test("port 0: it tells the bound port (also to onListening), answers there, and stops at the graceful shutdown")
    func servesAndStops() async throws {
        let reads = try unusedDatabase()
        defer { reads.stop() }
        let announced = Mutex<ListenAddress?>(nil)
        let server = DashboardServer(
            at: ListenAddress(host: "127.0.0.1", port: 0), store: DashboardStore(database: reads), token: nil,
            shared: nil, logger: Self.logger
        ) { address in announced.withLock { $0 = address } }
        let after = Recorder()
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [server, AfterListeningService(after, server: server)], logger: Self.logger))
        async let running: Void = group.run()

        let address = try await server.listening()
        #expect(address.host == "127.0.0.1" && address.port > 0)
        #expect(announced.withLock { $0 } == address)
        let health = try await HTTPExchange.get("/healthz", port: address.port)
        #expect(health.status == 200 && health.body == "ok\n")

        await group.triggerGracefulShutdown()
        try await running
        #expect(after.hasRun)
        await #expect(throws: (any Error).self) { try await HTTPExchange.get("/healthz", port: address.port) }
    }

    @Test("a taken port fails the group with an error naming the address, and the service after it never runs")
    func takenPort() async throws {
        let occupant = try LocalPorts.listeningSocket(backlog: 1)
        defer { close(occupant.fd) }
        let reads = try unusedDatabase()
        defer { reads.stop() }
        let announced = Mutex(false)
        let server = DashboardServer(
            at: ListenAddress(host: "127.0.0.1", port: occupant.port), store: DashboardStore(database: reads),
            token: nil, shared: nil, logger: Self.logger
        ) { _ in announced.withLock { $0 = true } }
        let after = Recorder()
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [server, AfterListeningService(after, server: server)], logger: Self.logger))

        let named: @Sendable (any Error) -> Bool = { error in
            error is DashboardServer.StartError
                && "\(error)".hasPrefix("Cannot serve the dashboard on 127.0.0.1:\(occupant.port): ")
                && "\(error)".contains("in use")
        }
        await #expect(performing: { try await group.run() }, throws: named)
        await #expect(performing: { _ = try await server.listening() }, throws: named)
        #expect(!after.hasRun)
        #expect(!announced.withLock { $0 })
    }
}
