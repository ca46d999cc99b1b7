internal import CMosquittoBroker
import ConnRecorder
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// Sends swift-log records to the broker's log (mosquitto_log_printf).
///
/// The broker's logging is not thread-safe (with `log_dest topic` it publishes a message), so
/// only the broker's own thread may call it. Records from the writer thread are queued and
/// emitted by the broker's thread at its next callback or tick (`drain()`).
struct BrokerLogHandler: LogHandler {
    /// The queue shared by every handler copy.
    final class Outbox: @unchecked Sendable {
        private let lock = ConditionLock()
        private var pending: [(Int32, String)] = []
        let brokerThread: pthread_t

        init(brokerThread: pthread_t) { self.brokerThread = brokerThread }

        func emit(_ level: Int32, _ message: String) {
            if pthread_equal(pthread_self(), brokerThread) != 0 {
                drain()
                cmosq_log(level, message)
            } else {
                lock.withLock { pending.append((level, message)) }
            }
        }

        /// Emits queued records. Broker's thread only.
        func drain() {
            let records = lock.withLock { () -> [(Int32, String)] in
                defer { pending.removeAll() }
                return pending
            }
            for (level, message) in records { cmosq_log(level, message) }
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
        let level: Int32
        switch event.level {
        case .trace, .debug: level = MOSQ_LOG_DEBUG
        case .info: level = MOSQ_LOG_INFO
        case .notice: level = MOSQ_LOG_NOTICE
        case .warning: level = MOSQ_LOG_WARNING
        case .error, .critical: level = MOSQ_LOG_ERR
        }
        outbox.emit(level, "\(event.message)")
    }
}
