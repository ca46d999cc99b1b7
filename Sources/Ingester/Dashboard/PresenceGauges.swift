import Foundation
import Locking
import Logging
import ServiceLifecycle

/// The presence gauges `/metrics` gains from the database (docs/metrics.md, "Presence"): clients
/// per broker and state, each broker's state, and the presence drift. Read every `interval` on
/// the dashboard's read-only connections (`--ui-dsn` when given) by the gauges' own service, so a
/// scrape never waits for PostgreSQL: it gets the last reading, and `sys_ingester_presence_up 0`
/// when the last read failed.
///
/// As a service, `run()` reads until the graceful shutdown (or a cancellation); a read in flight
/// then ends first (within the read's timeout). Put it after the service that stops the read-only
/// connections in the `ServiceGroup`, which stops its services in reverse order.
package final class PresenceGauges: Service, Sendable, CustomStringConvertible {
    private struct Reading: Sendable {
        var text: String = ""
        var up: Bool = false
    }

    private let reading = ConditionLocked(Reading())
    private let store: DashboardStore
    private let interval: Duration
    private let logger: Logger
    package var description: String { "presence gauges" }

    /// - Parameters:
    ///   - store: where to read.
    ///   - interval: between the end of one reading and the start of the next.
    ///   - logger: for the first failure of each outage.
    package init(store: DashboardStore, interval: Duration = .seconds(5), logger: Logger) {
        self.store = store
        self.interval = interval
        self.logger = logger
    }

    /// Reads at once, then every `interval`, until the graceful shutdown or a cancellation.
    package func run() async {
        try? await cancelWhenGracefulShutdown { [self] in
            var failing = false
            while true {
                failing = await read(failing: failing)
                try await Task.sleep(for: interval)
            }
        }
    }

    /// One reading; returns whether it failed (the first failure of an outage is logged).
    private func read(failing: Bool) async -> Bool {
        do {
            let sources = try await store.sources()
            let text = Self.render(try await store.brokers(sources, perMinute: false))
            reading.withLock {
                $0.text = text
                $0.up = true
            }
            return false
        } catch {
            reading.withLock { $0.up = false }
            if !failing {
                logger.warning("Cannot read the presence gauges.", metadata: ["ui.error": "\(error)"])
            }
            return true
        }
    }

    /// The exposition lines to append to `/metrics`.
    package func exposition() -> String {
        reading.withLock { reading in
            "# TYPE sys_ingester_presence_up gauge\nsys_ingester_presence_up \(reading.up ? 1 : 0)\n" + reading.text
        }
    }

    /// The gauges of `brokers` in the Prometheus text format (families sorted by name).
    package static func render(_ brokers: [BrokerSummary]) -> String {
        var state = "# TYPE sys_ingester_broker_state gauge\n"
        var clients = "# TYPE sys_ingester_presence_clients gauge\n"
        var drift = "# TYPE sys_ingester_presence_drift gauge\n"
        for broker in brokers.sorted(by: { $0.brokerID < $1.brokerID }) {
            let name = label(broker.brokerID)
            for candidate in ["lost", "silent", "stopped", "up"] {
                state += "sys_ingester_broker_state{broker=\"\(name)\",state=\"\(candidate)\"} \(broker.state == candidate ? 1 : 0)\n"
            }
            for (stateName, count) in [
                ("offline", broker.offline), ("online", broker.online), ("session_kept", broker.sessionKept),
                ("unknown", broker.unknown),
            ] {
                clients += "sys_ingester_presence_clients{broker=\"\(name)\",state=\"\(stateName)\"} \(count)\n"
            }
            if let value = broker.ingesterDrift {
                drift += "sys_ingester_presence_drift{broker=\"\(name)\",source=\"ingester\"} \(value)\n"
            }
            if let value = broker.pluginDrift {
                drift += "sys_ingester_presence_drift{broker=\"\(name)\",source=\"plugin\"} \(value)\n"
            }
        }
        return state + clients + drift
    }

    /// A label value escaped as the text format wants: backslash, double quote and line feed.
    package static func label(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
