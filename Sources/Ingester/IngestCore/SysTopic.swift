/// Where a message under `$SYS/broker/` belongs.
package enum SysTopic: Equatable, Sendable {
    /// A metric; the associated value is the path after `$SYS/broker/` (`clients/total`).
    case metric(String)
    /// A broker log line published because of `log_dest topic`.
    case log(LogStream)
    /// Not under `$SYS/broker/` at all.
    case other

    /// The prefix every topic the ingester subscribes to starts with.
    package static let brokerPrefix = "$SYS/broker/"
    /// The subscription the ingester makes.
    package static let subscription = "$SYS/broker/#"

    /// Classifies a topic the broker published.
    package static func classify(_ topic: String) -> SysTopic {
        guard topic.hasPrefix(brokerPrefix) else { return .other }
        let path = String(topic.dropFirst(brokerPrefix.count))
        if path == "log" || path.hasPrefix("log/") {
            return .log(LogStream(path: String(path.dropFirst(min(4, path.count)))))
        }
        return .metric(path)
    }
}

/// The log topic a line arrived on: mosquitto publishes each log level to its own topic
/// (`$SYS/broker/log/N`, `/I`, `/W`, `/E`, `/M/subscribe`, `/M/unsubscribe`, `/WS`).
///
/// The topic is chosen by the broker, not by a client, so it is the most trustworthy part of a
/// line: the parser uses it to tell subscribe and unsubscribe lines from everything else.
package enum LogStream: Equatable, Sendable {
    case notice, information, warning, error, debug, subscribe, unsubscribe, websockets
    /// A level this ingester does not know; parsed like a notice.
    case other(String)

    /// - Parameter path: the part after `$SYS/broker/log/` (`N`, `M/subscribe`).
    package init(path: String) {
        switch path {
        case "N": self = .notice
        case "I": self = .information
        case "W": self = .warning
        case "E": self = .error
        case "D": self = .debug
        case "M/subscribe": self = .subscribe
        case "M/unsubscribe": self = .unsubscribe
        case "WS": self = .websockets
        default: self = .other(path)
        }
    }
}
