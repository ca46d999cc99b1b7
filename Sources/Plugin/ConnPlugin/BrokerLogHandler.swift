internal import CMosquittoBroker
import ConnRecorder
import Logging

#if canImport(Glibc)
import Glibc
import Locking
#endif

/// The plugin's one way into the broker's log: swift-log records become `mosquitto_log_printf`
/// lines in one format (`PluginLogLine`), the prefix and the metadata added here rather than by
/// each caller.
///
/// The broker's logging is not thread-safe (with `log_dest topic` it publishes a message), so
/// only the broker's own thread may call it. Records from the writer thread are queued and
/// emitted by the broker's thread at its next callback or tick (`drain()`).
struct BrokerLogHandler: LogHandler {
    /// The queue shared by every handler copy.
    final class Outbox: Sendable {
        private let pending = ConditionLocked<[(level: Int32, line: String)]>([])
        let brokerThread: pthread_t

        init(brokerThread: pthread_t) { self.brokerThread = brokerThread }

        func emit(_ level: Int32, _ line: String) {
            if pthread_equal(pthread_self(), brokerThread) != 0 {
                drain()
                cmosq_log(level, line)
            } else {
                pending.withLock { $0.append((level, line)) }
            }
        }

        /// Emits queued records. Broker's thread only.
        func drain() {
            let records = pending.withLock { queued in
                defer { queued.removeAll() }
                return queued
            }
            for record in records { cmosq_log(record.level, record.line) }
        }
    }

    let outbox: Outbox
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        outbox.emit(
            Self.brokerLevel(event.level), PluginLogLine.format(level: event.level, message: "\(event.message)", metadata: merged))
    }

    static func brokerLevel(_ level: Logger.Level) -> Int32 {
        switch level {
        case .trace, .debug: MOSQ_LOG_DEBUG
        case .info: MOSQ_LOG_INFO
        case .notice: MOSQ_LOG_NOTICE
        case .warning: MOSQ_LOG_WARNING
        case .error, .critical: MOSQ_LOG_ERR
        }
    }
}
