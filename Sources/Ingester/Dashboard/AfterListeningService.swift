import ServiceLifecycle

/// Runs a service only once the dashboard listens: when its address cannot be bound, the program
/// ends with that error before the service ever ran (no broker connects, no write happens).
///
/// Put it after the `DashboardServer` in the `ServiceGroup`, so it also stops before it.
package struct AfterListeningService: Service, CustomStringConvertible {
    private let server: DashboardServer
    private let service: any Service

    package init(_ service: any Service, server: DashboardServer) {
        self.service = service
        self.server = server
    }

    package var description: String {
        (service as? any CustomStringConvertible)?.description ?? "\(type(of: service))"
    }

    /// - Throws: the dashboard's `DashboardServer.StartError` (without running the service), or
    ///   what the service throws.
    package func run() async throws {
        _ = try await server.listening()
        try await service.run()
    }
}
