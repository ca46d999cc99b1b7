internal import CMosquitto
import Foundation
import IngestCore
import IngesterConfig
import Logging
import Synchronization

/// One broker's MQTT connection: the only user of libmosquitto. The ingester makes one per
/// broker, each with its own handle, thread, reconnect backoff and state, so one broker that is
/// down or slow never holds another.
///
/// libmosquitto does the work: `mosquitto_loop_forever` (on a thread of ours) reads, pings and
/// reconnects with the delays set by `mosquitto_reconnect_delay_set` (1 s, then 4, 9, 10, 10 s ...).
/// Subscribing happens in the connect callback, so every reconnect resubscribes. Messages are
/// copied into Swift values on the first line of the callback and handed to `IngestQueue`, tagged
/// with this broker's index.
///
/// The handle is used by the loop thread and, for `beginStop()`, by the main thread;
/// `mosquitto_threaded_set` makes `mosquitto_disconnect` safe to call from another thread while
/// a loop runs (the loop thread then writes the packet).
///
/// Each state change is logged once, with the seed-004 lifecycle name in `event`
/// (`SessionEvent`) and the broker's name in `sys.broker`.
// @unchecked Sendable: `handle` is shared as above; `brokerState`, `subscription` and the replay
// state belong to the loop thread alone (it starts in `start()`). The callbacks are in
// MosquittoClient+Callbacks.swift; wake-ups, silence and the replay rule in MosquittoClient+Watch.swift.
final class MosquittoClient: @unchecked Sendable {
    let handle: OpaquePointer
    let settings: BrokerSettings
    /// This broker's position in the broker list: the tag of its inputs.
    let index: Int
    let queue: IngestQueue
    let logger: Logger
    let observer: any IngestObserver
    var brokerState: StateLog
    /// The message id of the `$SYS` SUBSCRIBE of the current connection, until its SUBACK.
    var subscription: Int32?
    /// Whether a connection was accepted before (the next one is a reconnect).
    var wasConnected = false
    /// Drops the metric rounds queued for us while we were away (loop thread only).
    var replays = ReplayFilter(sessionResumed: false)
    /// Replayed metric messages dropped since the connection began, for one debug line.
    var replaysDropped = 0
    /// What the main thread and the loop thread share.
    struct Shared {
        var stopping = false
        var loopStarted = false
        /// The last few distinct error lines libmosquitto logged since the last successful connect
        /// (`Error: host name verification failed.`, `OpenSSL Error[0]: ... certificate verify
        /// failed`): the return codes alone only say "A TLS error occurred", so failures are logged
        /// with these as `mqtt.detail`.
        var libraryErrors: [String] = []
        /// Subscribed and receiving: wake-ups are sent and silence is watched only then.
        var ready = false
        /// The `$SYS/broker/uptime` watch (`SysSilence`).
        var silence = SysSilence()
        /// When the last established connection was lost, until the broker was probed once.
        var lostAt: Double?
    }
    let shared = Mutex(Shared())
    private let finished = DispatchSemaphore(value: 0)

    /// Sets up the client; connects nothing yet.
    /// - Parameters:
    ///   - index: the broker's position in the broker list, the tag of its inputs.
    ///   - logger: gets `sys.broker` (the broker's name) added to every line.
    /// - Throws: `MosquittoError` naming the libmosquitto call that rejected a setting.
    init(
        settings: BrokerSettings, index: Int, queue: IngestQueue, logger: Logger,
        observer: any IngestObserver = SilentIngestObserver()
    ) throws(MosquittoError) {
        self.settings = settings
        self.index = index
        self.queue = queue
        var logger = logger
        logger[metadataKey: "sys.broker"] = "\(settings.name)"
        self.logger = logger
        self.observer = observer
        self.brokerState = StateLog(logger: logger)
        // > mosquitto_lib_init: Must be called before any other mosquitto functions.
        // Reference-counted since libmosquitto 2.0: every client calls it once, and
        // mosquitto_lib_cleanup once in its deinit.
        mosquitto_lib_init()
        // `self` does not exist yet, so userdata is set right after: no callback can run before
        // mosquitto_connect_async.
        // clean_session false (MQTT 5: clean start false, with a session expiry at CONNECT): the
        // broker keeps our subscription while we are away and queues the QoS 2 log lines.
        guard let handle = mosquitto_new(settings.clientID, false, nil) else {
            throw MosquittoError(
                code: Int32(MOSQ_ERR_NOMEM.rawValue), message: "out of memory", function: "mosquitto_new")
        }
        self.handle = handle
        // Ownership: userdata is an unretained `self`. The handle is destroyed in deinit, after the
        // loop thread has stopped, so no callback can run once `self` is gone.
        mosquitto_user_data_set(handle, Unmanaged.passUnretained(self).toOpaque())
        try configure()
    }

    deinit {
        mosquitto_destroy(handle)
        mosquitto_lib_cleanup()
    }

    private func configure() throws(MosquittoError) {
        // > mosquitto_threaded_set: Used to tell the library that your application is using
        // > threads, but not using mosquitto_loop_start. [...] If you are managing your own threads
        // > and do not use this function you will experience crashes due to race conditions.
        // Our loop runs on its own Thread and beginStop() disconnects from the main thread: without
        // this, mosquitto_disconnect wrote the packet itself while the loop thread read the same
        // TLS session (a segfault at SIGTERM, 2 runs in 40 with TLS traffic).
        try MosquittoError.check(mosquitto_threaded_set(handle, true), "mosquitto_threaded_set")
        try MosquittoError.check(
            mosquitto_int_option(handle, MOSQ_OPT_PROTOCOL_VERSION, settings.protocolVersion.optionValue),
            "mosquitto_int_option(MOSQ_OPT_PROTOCOL_VERSION)")
        // At most 10 s between attempts: a broker that comes back after a long stop is reconnected
        // within 10 s, well inside the 20 s expiry mosquitto gives the log lines it queues for our
        // session meanwhile. At 30 s the first lines of its clients' reconnect storm expired before
        // we were back, and their sessions were missing (BENCH_MODE=fleet-scale, drift of thousands).
        try MosquittoError.check(mosquitto_reconnect_delay_set(handle, 1, 10, true), "mosquitto_reconnect_delay_set")
        if settings.protocolVersion == .mqttv5 {
            // libmosquitto's default receive maximum is 20 QoS 1/2 messages in flight; mosquitto
            // 2.0.11 sends its retained $SYS (QoS 2, some 60 topics) at a new subscription without
            // heeding it, and libmosquitto then drops the connection as a protocol error.
            try MosquittoError.check(
                mosquitto_int_option(handle, MOSQ_OPT_RECEIVE_MAXIMUM, 65535), "mosquitto_int_option(MOSQ_OPT_RECEIVE_MAXIMUM)")
        }
        if settings.username != nil || settings.password != nil {
            try MosquittoError.check(
                mosquitto_username_pw_set(handle, settings.username, settings.password), "mosquitto_username_pw_set")
        }
        if let tls = settings.tls {
            // No password callback: an encrypted key file is not supported (documented).
            try MosquittoError.check(
                mosquitto_tls_set(handle, tls.caFile, tls.caPath, tls.certFile, tls.keyFile, nil), "mosquitto_tls_set")
            if tls.insecure {
                try MosquittoError.check(mosquitto_tls_insecure_set(handle, true), "mosquitto_tls_insecure_set")
            }
        }
        mosquitto_connect_with_flags_callback_set(handle) { _, userdata, rc, flags in
            // flags bit 0: CONNACK's session present.
            MosquittoClient.from(userdata)?.connected(rc: rc, sessionPresent: flags & 1 == 1)
        }
        mosquitto_disconnect_callback_set(handle) { _, userdata, rc in
            MosquittoClient.from(userdata)?.disconnected(rc: rc)
        }
        mosquitto_subscribe_callback_set(handle) { _, userdata, mid, count, granted in
            // Copy at the boundary: granted_qos belongs to libmosquitto.
            let first = count > 0 ? granted?.pointee : nil
            MosquittoClient.from(userdata)?.subscribed(mid: mid, grantedQoS: first)
        }
        mosquitto_message_callback_set(handle) { _, userdata, message in
            guard let message, let client = MosquittoClient.from(userdata) else { return }
            // Copy at the boundary: topic and payload belong to libmosquitto after we return.
            let receivedAt = Date().timeIntervalSince1970
            let topic = message.pointee.topic.map { String(cString: $0) } ?? ""
            guard client.keeps(topic: topic, retained: message.pointee.retain) else { return }
            let length = Int(message.pointee.payloadlen)
            let payload =
                if let bytes = message.pointee.payload, length > 0 {
                    String(decoding: UnsafeRawBufferPointer(start: bytes, count: length), as: UTF8.self)
                } else {
                    ""
                }
            client.received(.message(topic: topic, payload: payload, receivedAt: receivedAt))
        }
        mosquitto_log_callback_set(handle) { _, userdata, level, text in
            guard let text, let client = MosquittoClient.from(userdata) else { return }
            let line = String(cString: text)
            // libmosquitto never logs the password; its lines are safe at any level.
            if level == MOSQ_LOG_ERR { client.rememberLibraryError(line) }
            client.logger.trace("libmosquitto: \(line)")
        }
    }

    private static func from(_ userdata: UnsafeMutableRawPointer?) -> MosquittoClient? {
        guard let userdata else { return nil }
        return Unmanaged<MosquittoClient>.fromOpaque(userdata).takeUnretainedValue()
    }

    // MARK: - Running

    /// Starts connecting on the client's own thread and returns at once: the first connect
    /// (name resolution, TCP, TLS) happens there too, so no broker's connect ever waits for
    /// another's. Failures to reach the broker are retried by libmosquitto and logged once per
    /// state change.
    func start() {
        let thread = Thread { [self] in
            runLoop(initialFailure: connect())
            finished.signal()
        }
        // Linux keeps 15 bytes of a thread name.
        thread.name = "mqtt-\(index)"
        shared.withLock { $0.loopStarted = true }
        thread.start()
    }

    /// The first connect attempt, on the loop thread.
    /// - Returns: a TLS failure for the loop to handle as its own, else nil.
    private func connect() -> Outcome? {
        let endpoint = "\(settings.host):\(settings.port)"
        enter(
            .connecting, "connecting", .info, "Connecting to the broker.",
            metadata: ["mqtt.broker": "\(endpoint)"])
        let connected = Outcome(connectFirst())
        // On loopback the TLS handshake can fail inside connect_async already (the broker's
        // answer arrives before SSL_connect returns): that is the same failure as one the loop
        // reports, not an unreachable broker, and it is handled the same way.
        if !connected.succeeded, !connected.isTLSFailure {
            // Not fatal: the loop retries with libmosquitto's reconnect delays.
            var metadata = failureMetadata(connected)
            metadata["mqtt.broker"] = "\(endpoint)"
            enter(
                .reconnecting, "unreachable", .warning, "The broker is not reachable yet; retrying.",
                metadata: metadata)
        }
        return connected.isTLSFailure ? connected : nil
    }

    /// How long an MQTT 5 broker keeps our session after the connection ends: far longer than
    /// the 20 s the log lines it queues for us live.
    static let sessionExpirySeconds: Int32 = 3600

    /// MQTT 3.1/3.1.1: `mosquitto_connect_async`. MQTT 5 needs the session expiry interval
    /// among the CONNECT properties (0, the default, would end the session with the connection),
    /// and only the blocking `mosquitto_connect_bind_v5` takes properties; libmosquitto keeps
    /// them for every reconnect. This runs on the client's own thread, so blocking holds no one.
    private func connectFirst() -> Int32 {
        guard settings.protocolVersion == .mqttv5 else {
            return mosquitto_connect_async(handle, settings.host, Int32(settings.port), Int32(settings.keepalive))
        }
        var properties: OpaquePointer? = nil
        defer { mosquitto_property_free_all(&properties) }
        let added = mosquitto_property_add_int32(
            &properties, Int32(MQTT_PROP_SESSION_EXPIRY_INTERVAL.rawValue), UInt32(Self.sessionExpirySeconds))
        guard added == Int32(MOSQ_ERR_SUCCESS.rawValue) else { return added }
        return mosquitto_connect_bind_v5(
            handle, settings.host, Int32(settings.port), Int32(settings.keepalive), nil, properties)
    }

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

    /// Runs libmosquitto's loop. `mosquitto_loop_forever` reconnects by itself after network
    /// errors but returns on errors it considers fatal (TLS failure, protocol error, a refused
    /// MQTT 5 CONNACK); those are retried here after 30 s rather than ending the process.
    private func runLoop(initialFailure: Outcome?) {
        var pendingFailure = initialFailure
        while !isStopping {
            let failure = pendingFailure ?? Outcome(mosquitto_loop_forever(handle, -1, 1))
            pendingFailure = nil
            if isStopping { break }
            if brokerState.state?.hasPrefix("refused-") == true {
                // A refused MQTT 5 CONNACK ends the loop too: the refusal was logged, and each
                // retry would otherwise log refused/failed alternately.
                logger.debug("Retrying the refused connection in 30 s.", metadata: failureMetadata(failure))
            } else if !enter(
                .reconnecting, "failed", .error, "The MQTT connection failed; retrying in 30 s.",
                metadata: failureMetadata(failure))
            {
                // One line until a connection succeeds: the same TLS failure can come back as
                // MOSQ_ERR_TLS or errno EPROTO, depending on who closed first.
                logger.debug("The MQTT connection failed again; retrying in 30 s.", metadata: failureMetadata(failure))
            }
            queue.sleep(30)
            // The queue's stop comes first (the main thread calls beginStop() only after the writer
            // finished): do not start a blocking connect then.
            if isStopping || queue.isStopRequested { break }
            let reconnected = Outcome(mosquitto_reconnect(handle))
            if reconnected.isTLSFailure { pendingFailure = reconnected }
        }
    }

    /// Marks the client stopping and disconnects; returns at once, so that all clients stop at
    /// the same time. Then `waitUntilStopped(deadline:)`.
    func beginStop() {
        shared.withLock { $0.stopping = true }
        _ = mosquitto_disconnect(handle)
    }

    /// Waits until the loop thread has ended, at most until `deadline`.
    func waitUntilStopped(deadline: DispatchTime) {
        if shared.withLock({ $0.loopStarted }) { _ = finished.wait(timeout: deadline) }
    }

    var isStopping: Bool { shared.withLock { $0.stopping } }
}
