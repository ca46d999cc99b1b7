internal import CMosquitto
import Foundation
import IngestCore
import IngesterConfig
import Logging
import Locking

/// One broker's MQTT connection through libmosquitto: the `BrokerConnection` of the ingester,
/// and the only user of libmosquitto. Each has its own handle and thread; what happens on the
/// connection goes to its `BrokerSession`, which decides what it means.
///
/// libmosquitto does the work: `mosquitto_loop_forever` (on a thread of ours) reads, pings and
/// reconnects with the delays set by `mosquitto_reconnect_delay_set` (1 s, then 4, 9, 10, 10 s ...).
/// Subscribing happens in the connect callback, so every reconnect resubscribes. Messages are
/// copied into Swift values on the first line of the callback.
///
/// The handle is used by the loop thread and, for `disconnect()`, by the stopping thread;
/// `mosquitto_threaded_set` makes `mosquitto_disconnect` safe to call from another thread while
/// a loop runs (the loop thread then writes the packet). The waker thread publishes with it
/// (`publishEmpty(to:)`), which the same setting makes safe.
// @unchecked Sendable: `handle` is shared as described above, and libmosquitto locks around it in threaded mode; the rest is immutable or inside `life`.
package final class MosquittoClient: BrokerConnection, @unchecked Sendable {
    let handle: OpaquePointer
    let settings: BrokerSettings
    /// Whether the loop thread was started, and whether it has ended.
    private let life = ConditionLocked((started: false, finished: false))

    /// Sets up the client; connects nothing yet (`start(reportingTo:)`).
    /// - Throws: `MosquittoError` naming the libmosquitto call that rejected a setting.
    package init(settings: BrokerSettings) throws(MosquittoError) {
        self.settings = settings
        // > mosquitto_lib_init: Must be called before any other mosquitto functions.
        // Reference-counted since libmosquitto 2.0: every client calls it once, and
        // mosquitto_lib_cleanup once in its deinit.
        mosquitto_lib_init()
        // userdata (the session) is set in start(reportingTo:): no callback can run before
        // mosquitto_connect_async.
        // clean_session false (MQTT 5: clean start false, with a session expiry at CONNECT): the
        // broker keeps our subscription while we are away and queues the QoS 2 log lines.
        guard let handle = mosquitto_new(settings.clientID, false, nil) else {
            throw MosquittoError(
                code: Int32(MOSQ_ERR_NOMEM.rawValue), message: "out of memory", function: "mosquitto_new")
        }
        self.handle = handle
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
        // Our loop runs on its own thread and disconnect() is called from another one: without
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
            guard let session = MosquittoClient.session(userdata) else { return }
            guard rc == 0 else {
                // MQTT 5 reports a reason code (>= 128, e.g. 135 "Not authorized"), for which
                // mosquitto_connack_string only says "unknown reason"; 3.1/3.1.1 codes are 1-5.
                let text = rc >= 128 ? mosquitto_reason_string(rc) : mosquitto_connack_string(rc)
                return session.refused(code: rc, reason: text.map { String(cString: $0) } ?? "code \(rc)")
            }
            // flags bit 0: CONNACK's session present.
            session.connected(sessionPresent: flags & 1 == 1)
        }
        mosquitto_disconnect_callback_set(handle) { _, userdata, rc in
            MosquittoClient.session(userdata)?.disconnected(Outcome(rc).failure)
        }
        mosquitto_subscribe_callback_set(handle) { _, userdata, mid, count, granted in
            // Copy at the boundary: granted_qos belongs to libmosquitto.
            let first = count > 0 ? granted?.pointee : nil
            MosquittoClient.session(userdata)?.subscribed(mid: mid, grantedQoS: first)
        }
        mosquitto_message_callback_set(handle) { _, userdata, message in
            guard let message, let session = MosquittoClient.session(userdata) else { return }
            // Copy at the boundary: topic and payload belong to libmosquitto after we return. The
            // payload is copied only for a message the session keeps.
            let receivedAt = Clocks.wallMicroseconds()
            let topic = message.pointee.topic.map { String(cString: $0) } ?? ""
            session.arrived(topic: topic, retained: message.pointee.retain, receivedAtMicros: receivedAt) {
                let length = Int(message.pointee.payloadlen)
                guard let bytes = message.pointee.payload, length > 0 else { return "" }
                return String(decoding: UnsafeRawBufferPointer(start: bytes, count: length), as: UTF8.self)
            }
        }
        mosquitto_log_callback_set(handle) { _, userdata, level, text in
            guard let text, let session = MosquittoClient.session(userdata) else { return }
            session.libraryLogged(String(cString: text), isError: level == MOSQ_LOG_ERR)
        }
    }

    private static func session(_ userdata: UnsafeMutableRawPointer?) -> BrokerSession? {
        guard let userdata else { return nil }
        return Unmanaged<BrokerSession>.fromOpaque(userdata).takeUnretainedValue()
    }

    // MARK: - Running

    /// Starts connecting on the client's own thread and returns at once.
    /// - Throws: `PosixThreadError` when the thread cannot start.
    package func start(reportingTo session: BrokerSession) throws(PosixThreadError) {
        // Ownership: userdata is an unretained `session`. The session owns this client, and the
        // loop thread holds both until it ends; the handle is destroyed in deinit, so no callback
        // can run once the session is gone.
        mosquitto_user_data_set(handle, Unmanaged.passUnretained(session).toOpaque())
        let thread = try PosixThread.start { [self] in
            runLoop(session, initialFailure: connect(session))
            life.withLock { $0.finished = true }
            life.broadcast()
        }
        life.withLock { $0.started = true }
        thread.detach()
    }

    /// The first connect attempt, on the loop thread.
    /// - Returns: a TLS failure for the loop to handle as its own, else nil.
    private func connect(_ session: BrokerSession) -> Outcome? {
        session.connecting()
        let connected = Outcome(connectFirst())
        // On loopback the TLS handshake can fail inside connect_async already (the broker's
        // answer arrives before SSL_connect returns): that is the same failure as one the loop
        // reports, not an unreachable broker, and it is handled the same way.
        if !connected.succeeded, !connected.isTLSFailure {
            // Not fatal: the loop retries with libmosquitto's reconnect delays.
            session.firstAttemptFailed(connected.failure)
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

    /// Runs libmosquitto's loop. `mosquitto_loop_forever` reconnects by itself after network
    /// errors but returns on errors it considers fatal (TLS failure, protocol error, a refused
    /// MQTT 5 CONNACK); those are retried after the session's wait rather than ending the process.
    private func runLoop(_ session: BrokerSession, initialFailure: Outcome?) {
        var pendingFailure = initialFailure
        while !session.isStopping {
            let failure = pendingFailure ?? Outcome(mosquitto_loop_forever(handle, -1, 1))
            pendingFailure = nil
            if session.isStopping { break }
            guard session.loopEnded(failure.failure) else { break }
            let reconnected = Outcome(mosquitto_reconnect(handle))
            if reconnected.isTLSFailure { pendingFailure = reconnected }
        }
    }

    // MARK: - Requests of the session

    package func subscribe(to topic: String, qos: Int32) throws(MosquittoError) -> Int32 {
        var mid: Int32 = 0
        try MosquittoError.check(mosquitto_subscribe(handle, &mid, topic, qos), "mosquitto_subscribe")
        return mid
    }

    package func publishEmpty(to topic: String) {
        _ = mosquitto_publish(handle, nil, topic, 0, nil, 0, false)
    }

    package func refusesConnections() -> Bool {
        BrokerProbe.refusesConnections(host: settings.host, port: settings.port)
    }

    package func disconnect() {
        _ = mosquitto_disconnect(handle)
    }

    package func waitUntilStopped(untilMicroseconds deadline: Int64) {
        life.withLock(when: { !$0.started || $0.finished }, untilMicroseconds: deadline) { _, _ in }
    }
}
