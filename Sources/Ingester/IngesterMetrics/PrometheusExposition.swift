internal import CoreMetrics
internal import Prometheus

/// A swift-prometheus registry of one `IngesterMetrics`, and the swift-metrics factory over it.
///
/// The factory is passed to every metric explicitly (`Counter(label:dimensions:factory:)`), so the
/// process-wide `MetricsSystem` is never bootstrapped: each `IngesterMetrics` (one per test, too)
/// has its own registry, and nothing else in the process can add series to `/metrics` by accident.
struct PrometheusExposition: Sendable {
    private let registry = PrometheusCollectorRegistry()
    /// Creates swift-metrics handlers that live in `registry`; `destroy()` removes them from it.
    let factory: any MetricsFactory

    /// - Parameter durationBuckets: histogram buckets of swift-metrics `Timer`s, by label.
    init(durationBuckets: [String: [Duration]]) {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets = durationBuckets
        self.factory = factory
    }

    /// The registry's series in the Prometheus text format (version 0.0.4), families sorted by name.
    ///
    /// swift-prometheus emits families and label sets in dictionary order, which changes between
    /// scrapes; sorting makes the output stable for people and diffs. Within a counter or gauge
    /// family the series are sorted too; a histogram's lines keep their order (buckets by `le`,
    /// then `_sum`, `_count`).
    func render() -> String {
        var families: [Family] = []
        for line in registry.emitToString().split(separator: "\n") {
            let startsFamily =
                line.hasPrefix("# HELP ") || (line.hasPrefix("# TYPE ") && !(families.last?.isHelpOnly ?? false))
            if startsFamily || families.isEmpty {
                families.append(Family(firstLine: line))
            } else {
                families[families.count - 1].lines.append(line)
            }
        }
        var output = ""
        for family in families.sorted(by: { $0.name < $1.name }) {
            let headers = family.lines.prefix { $0.hasPrefix("#") }
            let series = family.lines.dropFirst(headers.count)
            let isHistogram = headers.contains { $0.hasSuffix(" histogram") }
            for line in headers + (isHistogram ? Array(series) : series.sorted()) { output += line + "\n" }
        }
        return output
    }
}

/// The lines of one metric family in the text format: `# HELP`, `# TYPE`, then its series.
private struct Family {
    /// The family's name, the third word of its `# HELP` or `# TYPE` line.
    let name: String
    var lines: [Substring]

    init(firstLine: Substring) {
        let words = firstLine.split(separator: " ", maxSplits: 3)
        name = firstLine.hasPrefix("# ") && words.count >= 3 ? String(words[2]) : ""
        lines = [firstLine]
    }

    /// True while the block holds only its `# HELP` line (its `# TYPE` line follows).
    var isHelpOnly: Bool { lines.count == 1 && lines[0].hasPrefix("# HELP ") }
}
