import IngestCore

/// How a `$SYS` metric is exposed to Prometheus: its series name and its type.
package struct SysMetricName: Equatable, Hashable, Sendable {
    /// Whether the broker's value only grows while the broker runs, or goes up and down.
    package enum Kind: String, Equatable, Hashable, Sendable {
        /// A count since the broker (or the plugin) started: `TYPE counter`, name ending in `_total`.
        case counter
        /// A current value, an average or a high-water mark: `TYPE gauge`.
        case gauge
    }

    /// The Prometheus metric name (`mosquitto_clients_connected`, `mosquitto_bytes_received_total`).
    package let name: String
    package let kind: Kind
    /// The `$SYS/broker/` path the name was made from, deprecated aliases renamed (`clients/connected`).
    package let path: String

    package init(name: String, kind: Kind, path: String) {
        self.name = name
        self.kind = kind
        self.path = path
    }

    /// The prefix of every `$SYS` series.
    package static let prefix = "mosquitto_"

    /// The `$SYS/broker/` paths whose values are counts since the broker or the plugin started
    /// (mosquitto(8), "BROKER STATUS": "the total number of ... since the broker started"; the
    /// plugin's counters in README.md, "Status"). They reset when the broker restarts, which
    /// Prometheus' `rate()` handles for counters.
    ///
    /// Everything else is a gauge, on purpose also for paths this table does not know: a gauge
    /// never claims a monotonicity the broker does not promise. Gauges by decision:
    /// - `uptime`: a duration in seconds, not a count of events (`mosquitto_uptime`);
    /// - `clients/maximum`, `heap/maximum`: high-water marks;
    /// - `clients/total`: the clients registered now, despite its name (`mosquitto_clients_total`);
    /// - `load/...`: moving averages; `connection/...`: a bridge's state (1/0);
    /// - `packet/out/...` (2.1): the packets and bytes queued for sending now;
    /// - `conn-plugin/events/queued`, `spool/bytes`, `database/connected`, `write/latency-us`,
    ///   `write/batch-size`.
    package static let cumulativePaths: Set<String> = [
        "bytes/received", "bytes/sent",
        "messages/received", "messages/sent",
        "publish/messages/received", "publish/messages/sent", "publish/messages/dropped",
        "publish/bytes/received", "publish/bytes/sent",
        "clients/expired",
        "conn-plugin/events/seen", "conn-plugin/events/written", "conn-plugin/events/spooled",
        "conn-plugin/events/dropped", "conn-plugin/events/dead-lettered",
    ]

    /// Maps a `$SYS` metric topic to its Prometheus name and type.
    ///
    /// The path is the part after `$SYS/broker/`; deprecated aliases are first renamed to their
    /// current name (`clients/active` is `clients/connected`, see `MetricSample.deprecatedAliases`),
    /// so a metric mosquitto publishes twice has one series. `/`, space, `-` and every other
    /// character that may not appear in a Prometheus name become `_`
    /// (`retained messages/count` → `mosquitto_retained_messages_count`); counters get `_total`.
    ///
    /// - Parameter topic: the full topic (`$SYS/broker/clients/connected`) or the path after
    ///   `$SYS/broker/` (`clients/connected`).
    /// - Returns: nil for a topic that is not a metric: empty, `log/...`, `version`, or another
    ///   `$SYS` tree than `$SYS/broker/`.
    package static func map(_ topic: String) -> SysMetricName? {
        let path: String
        switch SysTopic.classify(topic) {
        case .metric(let suffix): path = suffix
        case .log: return nil
        case .other:
            guard !topic.hasPrefix("$") else { return nil }
            guard case .metric(let suffix) = SysTopic.classify(SysTopic.brokerPrefix + topic) else { return nil }
            path = suffix
        }
        guard !path.isEmpty, path != MetricSample.version else { return nil }
        let current = MetricSample.deprecatedAliases[path] ?? path
        let kind: Kind = cumulativePaths.contains(current) ? .counter : .gauge
        var name = prefix + sanitized(current)
        if kind == .counter && !name.hasSuffix("_total") { name += "_total" }
        return SysMetricName(name: name, kind: kind, path: current)
    }

    /// `text` with every character outside `[A-Za-z0-9_]` replaced by one `_` (per Unicode scalar).
    ///
    /// Colons are valid in Prometheus names but reserved for recording rules, so they go too. The
    /// result is only used after `prefix`, so a leading digit is fine.
    package static func sanitized(_ text: String) -> String {
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", "_": result.append(scalar)
            default: result.append("_")
            }
        }
        return String(result)
    }
}
