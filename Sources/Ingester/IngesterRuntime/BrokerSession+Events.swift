import Foundation
import IngestCore
import Locking
import Logging

// What the connection's events mean, on the connection's thread: the first attempt, a CONNACK
// (subscribe, or the refusal's reason), the SUBACK (ready, or refused), the end of a connection
// or of the connection's loop, a message, and each input handed to the queue.
extension BrokerSession {
    // MARK: - Connecting

    /// The first connect attempt starts.
    package func connecting() {
        enter(
            .connecting, "connecting", .info, "Connecting to the broker.",
            metadata: ["mqtt.broker": "\(settings.host):\(settings.port)"])
    }

    /// The first attempt failed before any loop ran (not a TLS failure: the loop handles those as
    /// its own). Not fatal: the connection retries with its reconnect delays.
    package func firstAttemptFailed(_ failure: BrokerFailure) {
        var metadata = failureMetadata(failure)
        metadata["mqtt.broker"] = "\(settings.host):\(settings.port)"
        enter(.reconnecting, "unreachable", .warning, "The broker is not reachable yet; retrying.", metadata: metadata)
    }

    /// The connection's loop gave up on an error it does not retry by itself (TLS failure,
    /// protocol error, a refused MQTT 5 CONNACK): logs it and waits 30 s (less if the ingester stops).
    /// - Returns: whether to try again (false: the ingester stops).
    package func loopEnded(_ failure: BrokerFailure) -> Bool {
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
        queue.sleep(.seconds(30))
        // The queue's stop comes first (the broker service stops the sessions only after the
        // ingest loop finished): do not start a blocking connect then.
        return !isStopping && !queue.isStopRequested
    }

    // MARK: - CONNACK and SUBACK

    /// The broker refused the connection (CONNACK with a non-zero code).
    /// - Parameters:
    ///   - code: MQTT 5 reason code (>= 128) or MQTT 3.1/3.1.1 return code (1-5).
    ///   - reason: its text (`mosquitto_reason_string` / `mosquitto_connack_string`).
    package func refused(code: Int32, reason: String) {
        observer.brokerConnection(settings.name, isUp: false)
        enter(
            .reconnecting, "refused-\(code)", .error, "The broker refused the connection.",
            metadata: ["mqtt.connack": "\(reason)", "mqtt.connack_code": "\(code)"])
    }

    /// The broker accepted the connection: marks it in the queue, then subscribes (so every
    /// reconnect resubscribes).
    /// - Parameter sessionPresent: CONNACK's session present: the broker kept our session and
    ///   replays what it queued for us first.
    package func connected(sessionPresent: Bool) {
        rememberLibraryError(nil)
        replays = ReplayFilter(sessionResumed: sessionPresent)
        replaysDropped = 0
        // The marker goes in before any message of this connection: the restart rule counts on it.
        received(.brokerConnected(atMicros: Clocks.wallMicroseconds(), sessionResumed: sessionPresent))
        observer.brokerConnection(settings.name, isUp: true)
        if wasConnected { observer.brokerReconnected(settings.name) }
        wasConnected = true
        enter(
            .connected, "connected", .info, "Connected to the broker.",
            metadata: [
                "mqtt.broker": "\(settings.host):\(settings.port)", "mqtt.client_id": "\(settings.clientID)",
                "mqtt.session_present": "\(sessionPresent)",
            ])
        // QoS 2: the log lines (published at QoS 2) are queued for us while we are away and come
        // exactly once; so are the metrics, whose replayed rounds `ReplayFilter` drops.
        do {
            subscription = try connection.subscribe(to: SysTopic.subscription, qos: 2)
        } catch {
            subscription = nil
            logger.error(
                "Subscribing failed.",
                metadata: ["mqtt.topic": "\(SysTopic.subscription)", "mqtt.error": "\(error.message)"])
        }
    }

    /// The SUBACK of our `$SYS` subscription: the session is ready (or the broker refused it).
    /// - Parameter grantedQoS: the first granted QoS of the SUBACK (nil: none).
    package func subscribed(mid: Int32, grantedQoS: Int32?) {
        guard mid == subscription else { return }
        subscription = nil
        // 0x80: "Failure" (3.1.1) / "Unspecified error" and above (5): the broker refused the topic.
        if let grantedQoS, grantedQoS >= 0x80 {
            enter(
                .connected, "subscription-refused", .error,
                "The broker refused the subscription; nothing will be recorded (ACL?).",
                metadata: ["mqtt.topic": "\(SysTopic.subscription)", "mqtt.suback_code": "\(grantedQoS)"])
            return
        }
        enter(
            .ready, "ready", .info, "Subscribed; recording the broker's $SYS messages.",
            metadata: ["mqtt.topic": "\(SysTopic.subscription)"])
        let now = Clocks.wallMicroseconds()
        shared.withLock {
            $0.ready = true
            $0.silence = SysSilence(connectedAtMicros: now)
        }
    }

    // MARK: - The end of a connection

    /// A connection or an attempt ended (libmosquitto also reports a refused CONNACK or a failed
    /// TLS handshake this way); only the end of an established connection is a state change
    /// worth a line of its own.
    package func disconnected(_ failure: BrokerFailure) {
        if isStopping { return }
        guard let state = brokerState.state, ["connected", "ready", "subscription-refused"].contains(state) else {
            // The first attempt failed (on loopback a refused TCP connect shows up here, not in
            // connect_async): one line; a TLS failure gets the loop's own line instead.
            if brokerState.state == "connecting" && !failure.isTLSFailure {
                enter(
                    .reconnecting, "unreachable", .warning, "The broker is not reachable yet; retrying.",
                    metadata: failureMetadata(failure))
            } else {
                logger.debug("The connection attempt ended.", metadata: failureMetadata(failure))
            }
            return
        }
        subscription = nil
        let lostAt = Clocks.wallMicroseconds()
        shared.withLock {
            $0.ready = false
            $0.lostAtMicros = lostAt
        }
        received(.brokerDisconnected(atMicros: lostAt))
        observer.brokerConnection(settings.name, isUp: false)
        enter(.disconnected, "lost", .warning, "Lost the broker connection.", metadata: failureMetadata(failure))
        // libmosquitto's loop retries by itself; the attempts that fail the same way get no line.
        enter(.reconnecting, "reconnecting", .info, "Reconnecting with backoff (1 s growing to 10 s).")
    }

    // MARK: - Messages

    /// A message arrived: kept unless it is a replayed metric round (`ReplayFilter`), then queued.
    /// - Parameters:
    ///   - retained: the message's retain flag.
    ///   - receivedAtMicros: ingest time, microseconds since the epoch.
    ///   - payload: copies the payload; called only for a message that is kept.
    package func arrived(topic: String, retained: Bool, receivedAtMicros: Int64, payload: () -> String) {
        guard keeps(topic: topic, retained: retained) else { return }
        received(.message(topic: topic, payload: payload(), receivedAtMicros: receivedAtMicros))
    }

    /// A line libmosquitto logged; error lines are kept for the next failure's `mqtt.detail`.
    /// libmosquitto never logs the password; its lines are safe at any level.
    package func libraryLogged(_ line: String, isError: Bool) {
        if isError { rememberLibraryError(line) }
        logger.trace("libmosquitto: \(line)")
    }

    func received(_ input: IngestInput) {
        if case .message(let topic, let payload, let at) = input {
            observer.messageReceived(settings.name, topic: topic, payload: payload, atMicros: at)
            if topic == SysSilence.watchedTopic, let sample = MetricSample.parse(metric: "uptime", payload: payload) {
                let resumed = shared.withLock { $0.silence.heard(uptime: sample.value, atMicros: at) }
                if resumed { publishingAgain(atMicros: at) }
            }
        }
        if queue.push(BrokerInput(broker: index, input)) {
            logger.warning(
                "The message queue is full (PostgreSQL too slow or down); dropping the oldest messages.")
        }
    }
}
