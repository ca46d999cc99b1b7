import Logging
import Synchronization

/// A Logger whose messages are kept for a test to read: what a part logged, and how often.
package final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    package init() {}

    /// Every message logged so far, oldest first.
    package var messages: [String] { lines.withLock { $0 } }

    /// A logger (every level) that writes to this capture.
    package func logger(label: String = "test") -> Logger {
        Logger(label: label) { _ in Handler(capture: self) }
    }

    private struct Handler: LogHandler {
        let capture: LogCapture
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            capture.lines.withLock { $0.append("\(event.message)") }
        }
    }
}
