import Foundation
import IngestCore
import IngesterConfig
import Locking
import Logging

/// One broker as the ingester follows it: what each event of its MQTT connection means, and what
/// goes into `IngestQueue`, tagged with the broker's index. The connection (`BrokerConnection`;
/// libmosquitto in `MosquittoClient`) reports events and carries out the session's requests
/// (subscribe, publish a wake-up, probe); the session decides and logs. One per broker, each with
/// its own connection, thread and state, so one broker that is down or slow never holds another.
///
/// Each state change is logged once, with the seed-004 lifecycle name in `event`
/// (`SessionEvent`) and the broker's name in `sys.broker`.
///
/// The connection events are in BrokerSession+Events.swift; wake-ups, silence and the replay
/// rule in BrokerSession+Watch.swift.
// @unchecked Sendable: `brokerState`, `subscription`, `wasConnected`, `replays` and `replaysDropped` belong to the connection's thread alone (every event is reported there); what other threads read is in `shared`.
package final class BrokerSession: @unchecked Sendable {
    package let settings: BrokerSettings
    /// This broker's position in the broker list: the tag of its inputs.
    package let index: Int
    let queue: IngestQueue
    let logger: Logger
    let observer: any IngestObserver
    /// The MQTT connection; the session owns it (see `MosquittoClient.start(reportingTo:)` for
    /// why that keeps libmosquitto's userdata valid).
    package let connection: any BrokerConnection
    var brokerState: StateLog
    /// The message id of the `$SYS` SUBSCRIBE of the current connection, until its SUBACK.
    var subscription: Int32?
    /// Whether a connection was accepted before (the next one is a reconnect).
    var wasConnected = false
    /// Drops the metric rounds queued for us while we were away (connection thread only).
    var replays = ReplayFilter(sessionResumed: false)
    /// Replayed metric messages dropped since the connection began, for one debug line.
    var replaysDropped = 0

    /// What the connection's thread, the waker's thread and the stopping thread share.
    struct Shared {
        var stopping = false
        /// The last few distinct error lines libmosquitto logged since the last successful connect
        /// (`Error: host name verification failed.`, `OpenSSL Error[0]: ... certificate verify
        /// failed`): the return codes alone only say "A TLS error occurred", so failures are logged
        /// with these as `mqtt.detail`.
        var libraryErrors: [String] = []
        /// Subscribed and receiving: wake-ups are sent and silence is watched only then.
        var ready = false
        /// The `$SYS/broker/uptime` watch (`SysSilence`).
        var silence = SysSilence()
        /// When the last established connection was lost (epoch microseconds), until the broker
        /// was probed once.
        var lostAtMicros: Int64?
    }
    let shared = ConditionLocked(Shared())

    /// Sets up the session; connects nothing yet (`start()`).
    /// - Parameters:
    ///   - index: the broker's position in the broker list, the tag of its inputs.
    ///   - logger: gets `sys.broker` (the broker's name) added to every line.
    ///   - connection: the MQTT connection to the broker, not started.
    package init(
        settings: BrokerSettings, index: Int, queue: IngestQueue, logger: Logger,
        observer: any IngestObserver = SilentIngestObserver(), connection: any BrokerConnection
    ) {
        self.settings = settings
        self.index = index
        self.queue = queue
        var logger = logger
        logger[metadataKey: "sys.broker"] = "\(settings.name)"
        self.logger = logger
        self.observer = observer
        self.brokerState = StateLog(logger: logger)
        self.connection = connection
    }

    // MARK: - Running

    /// Starts connecting on the connection's own thread and returns at once: the first connect
    /// (name resolution, TCP, TLS) happens there too, so no broker's connect ever waits for
    /// another's. Failures to reach the broker are retried and logged once per state change.
    /// - Throws: `PosixThreadError` when the thread cannot start.
    package func start() throws(PosixThreadError) {
        try connection.start(reportingTo: self)
    }

    /// Marks the session stopping and disconnects; returns at once, so that all brokers stop at
    /// the same time. Then `waitUntilStopped(untilMicroseconds:)`.
    package func beginStop() {
        shared.withLock { $0.stopping = true }
        connection.disconnect()
    }

    /// Waits until the connection's thread has ended, at most until `deadline` (monotonic microseconds).
    package func waitUntilStopped(untilMicroseconds deadline: Int64) {
        connection.waitUntilStopped(untilMicroseconds: deadline)
    }

    package var isStopping: Bool { shared.withLock { $0.stopping } }

    /// Logs a state change once, with its lifecycle event.
    @discardableResult
    func enter(
        _ event: SessionEvent, _ state: String, _ level: Logger.Level,
        _ message: @autoclosure () -> Logger.Message,
        metadata: Logger.Metadata = [:]
    ) -> Bool {
        var metadata = metadata
        metadata["event"] = "\(event.rawValue)"
        return brokerState.enter(state, level, message(), metadata: metadata)
    }

    // MARK: - Failures

    /// Adds an error line libmosquitto logged (nil: forgets them all, after a successful connect).
    func rememberLibraryError(_ line: String?) {
        shared.withLock { shared in
            guard let line else { return shared.libraryErrors.removeAll() }
            guard !shared.libraryErrors.contains(line) else { return }
            shared.libraryErrors.append(line)
            if shared.libraryErrors.count > 3 { shared.libraryErrors.removeFirst() }
        }
    }

    /// `mqtt.error` for the failure, and `mqtt.detail` with libmosquitto's recent error lines if
    /// any. A TLS failure without such lines gets `mqtt.hint` instead: the broker's close can
    /// overtake its TLS alert, and "Protocol error" alone helps nobody.
    func failureMetadata(_ failure: BrokerFailure) -> Logger.Metadata {
        let detail = shared.withLock { $0.libraryErrors.joined(separator: " | ") }
        var metadata: Logger.Metadata = ["mqtt.error": "\(failure.description)"]
        if !detail.isEmpty { metadata["mqtt.detail"] = "\(detail)" }
        if failure.isTLSFailure,
            let hint = TLSFailureHint.hint(
                usesTLS: settings.tls != nil, presentsClientCertificate: settings.tls?.certFile != nil,
                libraryDetail: detail)
        {
            metadata["mqtt.hint"] = "\(hint)"
        }
        return metadata
    }
}
