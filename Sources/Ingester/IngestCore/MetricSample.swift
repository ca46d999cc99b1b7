/// One numeric `$SYS` value, ready for a `broker_metrics` row.
package struct MetricSample: Equatable, Sendable {
    /// The `$SYS/broker/` path suffix, deprecated aliases already renamed (`clients/connected`).
    package let metric: String
    package let value: Double

    package init(metric: String, value: Double) {
        self.metric = metric
        self.value = value
    }

    /// The metric holding the broker's uptime in seconds; it drives restart detection.
    package static let uptime = "uptime"
    /// The metric holding `mosquitto version X`; not numeric, read for the broker generation.
    package static let version = "version"

    /// Deprecated topics mosquitto 2.0 and 2.1 still publish next to their current name, always
    /// with the same value (mosquitto(8), `$SYS` section; src/sys_tree.c `topic_alias`).
    /// They are stored under the current name, so a chart of one metric has one series.
    package static let deprecatedAliases: [String: String] = [
        "clients/active": "clients/connected",
        "clients/inactive": "clients/disconnected",
        "messages/stored": "store/messages/count",
    ]

    /// Parses a metric message.
    ///
    /// - Parameters:
    ///   - metric: the path after `$SYS/broker/`.
    ///   - payload: the message text (`42`, `0.53`, `12345 seconds`).
    /// - Returns: nil when the payload is not a finite number (`mosquitto version 2.1.2`).
    package static func parse(metric: String, payload: String) -> MetricSample? {
        guard !metric.isEmpty, let value = number(payload) else { return nil }
        return MetricSample(metric: deprecatedAliases[metric] ?? metric, value: value)
    }

    /// A strict decimal number, optionally followed by ` seconds` (the uptime format).
    ///
    /// Stricter than `Double(_:)`, which would also accept `nan`, `inf` and hexadecimal floats.
    package static func number(_ payload: String) -> Double? {
        var text = Substring(payload)
        while let first = text.first, first == " " || first == "\t" || first == "\n" || first == "\r" {
            text = text.dropFirst()
        }
        while let last = text.last, last == " " || last == "\t" || last == "\n" || last == "\r" {
            text = text.dropLast()
        }
        if text.hasSuffix(" seconds") { text = text.dropLast(" seconds".count) }
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= 64 else { return nil }
        var index = 0
        func digits() -> Int {
            let start = index
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 { index += 1 }
            return index - start
        }
        if bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") { index += 1 }
        let integerDigits = digits()
        var fractionDigits = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            fractionDigits = digits()
        }
        guard integerDigits + fractionDigits > 0 else { return nil }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
                index += 1
            }
            guard digits() > 0 else { return nil }
        }
        guard index == bytes.count, let value = Double(String(text)), value.isFinite else { return nil }
        return value
    }
}
