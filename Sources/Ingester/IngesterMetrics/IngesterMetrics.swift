internal import CoreMetrics
import Foundation
import Locking

/// The ingester's Prometheus metrics: its own state per broker and of PostgreSQL, and every
/// numeric `$SYS` metric of every broker it watches.
///
/// Thread-safe: the broker loops, the writer and the HTTP server call it from their own threads.
/// Each instance keeps its series in a registry of its own (see `PrometheusExposition`); nothing
/// is registered with the global `MetricsSystem`.
///
/// The series (all `broker`-labelled ones exist for every broker named at `init` or seen since):
/// - `sys_ingester_broker_up{broker}` (1/0), `sys_ingester_broker_reconnects_total{broker}`,
///   `sys_ingester_messages_received_total{broker}`, `sys_ingester_last_message_timestamp_seconds{broker}`
///   (from the broker's first message on);
/// - `sys_ingester_pg_up`, `sys_ingester_rows_written_total{table}`, `sys_ingester_write_duration_seconds`
///   (histogram), `sys_ingester_queue_depth`, `sys_ingester_lost_total`;
/// - `mosquitto_<path>{broker}` for each numeric `$SYS/broker/<path>` (`SysMetricName`), only while
///   the broker is up: when it goes down its `$SYS` series are removed, not frozen at their last value.
package final class IngesterMetrics: Sendable {
    // MARK: - Names

    package static let brokerUpName = "sys_ingester_broker_up"
    package static let brokerReconnectsName = "sys_ingester_broker_reconnects_total"
    package static let messagesReceivedName = "sys_ingester_messages_received_total"
    package static let lastMessageName = "sys_ingester_last_message_timestamp_seconds"
    package static let pgUpName = "sys_ingester_pg_up"
    package static let rowsWrittenName = "sys_ingester_rows_written_total"
    package static let writeDurationName = "sys_ingester_write_duration_seconds"
    package static let queueDepthName = "sys_ingester_queue_depth"
    package static let lostName = "sys_ingester_lost_total"

    /// Buckets of `sys_ingester_write_duration_seconds`: one burst's transaction, 1 ms to 30 s.
    package static let writeDurationBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2.5), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
        .seconds(2.5), .seconds(5), .seconds(10), .seconds(30),
    ]

    // MARK: - State

    private let exposition: PrometheusExposition
    private let pgUpGauge: Gauge
    private let writeDurationTimer: CoreMetrics.Timer
    private let queueDepthGauge: Gauge
    private let lostCounter: Counter
    private let state: ConditionLocked<State>

    /// Everything that changes after `init`, inside one lock.
    private struct State: Sendable {
        var brokers: [String: BrokerSeries] = [:]
        var pgUp = false
        var rowsWritten: [String: Counter] = [:]
        /// Which `$SYS` path owns each `mosquitto_*` name: two paths that sanitise to one name
        /// (`a-b`, `a b`) must not fight over a series, and one name must keep one type.
        var sysNameOwners: [String: String] = [:]
    }

    /// The series of one broker.
    private struct BrokerSeries: Sendable {
        var isUp = false
        let up: Gauge
        let reconnects: Counter
        let received: Counter
        var lastMessage: Gauge?
        /// The broker's `$SYS` series by Prometheus name.
        var sys: [String: SysSeries] = [:]
    }

    /// One `$SYS` series. A counter remembers the broker's last value: Prometheus counters only
    /// grow, so a new value is added as the difference (and a smaller one, after a broker restart,
    /// resets the counter first).
    private enum SysSeries: Sendable {
        case counter(FloatingPointCounter, last: Double)
        case gauge(Gauge)

        func destroy() {
            switch self {
            case .counter(let counter, _): counter.destroy()
            case .gauge(let gauge): gauge.destroy()
            }
        }
    }

    // MARK: - Creating

    /// Creates the metrics with every unlabelled series at zero and each broker down.
    ///
    /// - Parameter brokers: the broker names (the `broker` label, as in the `broker` column) this
    ///   process is configured for. They are exported as down until `brokerUp(_:_:)` says otherwise,
    ///   and `readiness()` waits for each of them. Brokers first named later are added then.
    package init(brokers: [String] = []) {
        let exposition = PrometheusExposition(durationBuckets: [Self.writeDurationName: Self.writeDurationBuckets])
        let factory = exposition.factory
        self.exposition = exposition
        pgUpGauge = Gauge(label: Self.pgUpName, factory: factory)
        pgUpGauge.record(0)
        writeDurationTimer = CoreMetrics.Timer(label: Self.writeDurationName, factory: factory)
        queueDepthGauge = Gauge(label: Self.queueDepthName, factory: factory)
        queueDepthGauge.record(0)
        lostCounter = Counter(label: Self.lostName, factory: factory)
        var initial = State()
        for broker in brokers where initial.brokers[broker] == nil {
            initial.brokers[broker] = Self.makeSeries(broker: broker, factory: factory)
        }
        state = ConditionLocked(initial)
    }

    private static func makeSeries(broker: String, factory: any MetricsFactory) -> BrokerSeries {
        let dimensions = [("broker", broker)]
        let up = Gauge(label: brokerUpName, dimensions: dimensions, factory: factory)
        up.record(0)
        return BrokerSeries(
            up: up,
            reconnects: Counter(label: brokerReconnectsName, dimensions: dimensions, factory: factory),
            received: Counter(label: messagesReceivedName, dimensions: dimensions, factory: factory))
    }

    /// Runs `body` on the broker's series, creating them when the broker is new.
    private func withBroker<T>(_ broker: String, _ body: (inout BrokerSeries, inout State) -> T) -> T {
        state.withLock { state in
            var series = state.brokers[broker] ?? Self.makeSeries(broker: broker, factory: exposition.factory)
            let result = body(&series, &state)
            state.brokers[broker] = series
            return result
        }
    }

    // MARK: - Brokers

    /// Records that the MQTT connection to a broker is established (`true`) or lost (`false`).
    ///
    /// Going down removes the broker's `$SYS` series; they come back with the first `$SYS` values
    /// after it is up again.
    package func brokerUp(_ broker: String, _ isUp: Bool) {
        withBroker(broker) { series, _ in
            series.isUp = isUp
            series.up.record(isUp ? 1 : 0)
            if !isUp { Self.dropSys(of: &series) }
        }
    }

    /// Counts one reconnection to a broker (each connection after the first).
    package func brokerReconnected(_ broker: String) {
        withBroker(broker) { series, _ in series.reconnects.increment() }
    }

    /// Counts one message received from a broker (metric or log line) and records when it came.
    /// - Parameter atMicros: when, in epoch microseconds; the gauge holds epoch seconds (Prometheus's unit).
    package func messageReceived(broker: String, atMicros: Int64 = Clocks.wallMicroseconds()) {
        let factory = exposition.factory
        withBroker(broker) { series, _ in
            series.received.increment()
            let gauge =
                series.lastMessage
                ?? Gauge(label: Self.lastMessageName, dimensions: [("broker", broker)], factory: factory)
            series.lastMessage = gauge
            gauge.record(Double(atMicros) / 1e6)
        }
    }

    // MARK: - $SYS metrics

    /// Exports one numeric `$SYS` value of a broker as `mosquitto_<path>{broker="..."}`.
    ///
    /// - Parameters:
    ///   - broker: the broker's name.
    ///   - topic: `$SYS/broker/clients/connected`, or the path after `$SYS/broker/`.
    ///   - value: the number the broker published (`MetricSample.value`).
    /// - Returns: false when the value is not exported: the topic is not a metric
    ///   (`SysMetricName.map`), the value is not finite, a counter's value is negative, the broker
    ///   is not up (a late message must not bring back the series its going down removed), or
    ///   another path already owns the series name.
    @discardableResult
    package func sysMetric(broker: String, topic: String, value: Double) -> Bool {
        guard let mapped = SysMetricName.map(topic), value.isFinite else { return false }
        if mapped.kind == .counter && value < 0 { return false }
        let factory = exposition.factory
        return withBroker(broker) { series, state in
            guard series.isUp else { return false }
            guard state.sysNameOwners[mapped.name, default: mapped.path] == mapped.path else { return false }
            state.sysNameOwners[mapped.name] = mapped.path
            let dimensions = [("broker", broker)]
            switch (series.sys[mapped.name], mapped.kind) {
            case (.counter(let counter, let last)?, _):
                if value >= last {
                    counter.increment(by: value - last)
                } else {
                    counter.reset()
                    counter.increment(by: value)
                }
                series.sys[mapped.name] = .counter(counter, last: value)
            case (.gauge(let gauge)?, _):
                gauge.record(value)
            case (nil, .counter):
                let counter = FloatingPointCounter(label: mapped.name, dimensions: dimensions, factory: factory)
                counter.increment(by: value)
                series.sys[mapped.name] = .counter(counter, last: value)
            case (nil, .gauge):
                let gauge = Gauge(label: mapped.name, dimensions: dimensions, factory: factory)
                gauge.record(value)
                series.sys[mapped.name] = .gauge(gauge)
            }
            return true
        }
    }

    /// Removes every `$SYS` series of a broker (`brokerUp(broker, false)` does this too).
    package func dropSysMetrics(broker: String) {
        withBroker(broker) { series, _ in Self.dropSys(of: &series) }
    }

    private static func dropSys(of series: inout BrokerSeries) {
        for sys in series.sys.values { sys.destroy() }
        series.sys.removeAll()
    }

    // MARK: - PostgreSQL

    /// Records whether the connection to PostgreSQL is up.
    package func pgUp(_ isUp: Bool) {
        state.withLock { state in
            state.pgUp = isUp
            pgUpGauge.record(isUp ? 1 : 0)
        }
    }

    /// Counts rows written to a table (committed).
    package func rowsWritten(table: String, count: Int) {
        guard count > 0 else { return }
        state.withLock { state in
            let counter =
                state.rowsWritten[table]
                ?? Counter(label: Self.rowsWrittenName, dimensions: [("table", table)], factory: exposition.factory)
            state.rowsWritten[table] = counter
            counter.increment(by: count)
        }
    }

    /// Records how long one write (a burst's transaction) took.
    package func writeDuration(seconds: Double) {
        guard seconds.isFinite, seconds >= 0 else { return }
        writeDurationTimer.recordSeconds(seconds)
    }

    /// Records how many messages wait in memory for PostgreSQL.
    package func queueDepth(_ depth: Int) {
        queueDepthGauge.record(Int64(depth))
    }

    /// Counts messages that were not written and never will be (queue full, dropped at a stop).
    package func lost(_ count: Int) {
        guard count > 0 else { return }
        lostCounter.increment(by: count)
    }

    // MARK: - Reading

    /// Whether the ingester is ready: PostgreSQL and every known broker are connected.
    ///
    /// - Returns: `ready` and, when not ready, every reason (`PostgreSQL is not connected; broker
    ///   'b1' is not connected`); when ready, `ready`.
    package func readiness() -> (ready: Bool, reason: String) {
        let reasons = state.withLock { state in
            var reasons = state.pgUp ? [] : ["PostgreSQL is not connected"]
            for (broker, series) in state.brokers.sorted(by: { $0.key < $1.key }) where !series.isUp {
                reasons.append("broker '\(broker)' is not connected")
            }
            return reasons
        }
        return reasons.isEmpty ? (true, "ready") : (false, reasons.joined(separator: "; "))
    }

    /// All series in the Prometheus text format, version 0.0.4 (what `GET /metrics` serves).
    package func render() -> String {
        exposition.render()
    }
}
