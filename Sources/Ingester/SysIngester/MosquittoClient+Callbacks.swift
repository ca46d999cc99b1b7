internal import CMosquitto
import Foundation
import IngestCore
import Logging

// What libmosquitto's callbacks do, on the broker connection's loop thread: a CONNACK (subscribe,
// or the refusal's reason), the SUBACK (ready, or refused), the end of a connection, and each
// input handed to the queue.
extension MosquittoClient {
    func connected(rc: Int32, sessionPresent: Bool) {
        guard rc == 0 else {
            // MQTT 5 reports a reason code (>= 128, e.g. 135 "Not authorized"), for which
            // mosquitto_connack_string only says "unknown reason"; 3.1/3.1.1 codes are 1-5.
            let text = rc >= 128 ? mosquitto_reason_string(rc) : mosquitto_connack_string(rc)
            let reason = text.map { String(cString: $0) } ?? "code \(rc)"
            observer.brokerConnection(settings.name, isUp: false)
            enter(
                .reconnecting, "refused-\(rc)", .error, "The broker refused the connection.",
                metadata: ["mqtt.connack": "\(reason)", "mqtt.connack_code": "\(rc)"])
            return
        }
        rememberLibraryError(nil)
        replays = ReplayFilter(sessionResumed: sessionPresent)
        replaysDropped = 0
        // The marker goes in before any message of this connection: the restart rule counts on it.
        received(.brokerConnected(at: Date().timeIntervalSince1970, sessionResumed: sessionPresent))
        observer.brokerConnection(settings.name, isUp: true)
        if wasConnected { observer.brokerReconnected(settings.name) }
        wasConnected = true
        enter(
            .connected, "connected", .info, "Connected to the broker.",
            metadata: [
                "mqtt.broker": "\(settings.host):\(settings.port)", "mqtt.client_id": "\(settings.clientID)",
                "mqtt.session_present": "\(sessionPresent)",
            ])
        var mid: Int32 = 0
        // QoS 2: the log lines (published at QoS 2) are queued for us while we are away and come
        // exactly once; so are the metrics, whose replayed rounds `ReplayFilter` drops.
        let subscribed = mosquitto_subscribe(handle, &mid, SysTopic.subscription, 2)
        subscription = subscribed == Int32(MOSQ_ERR_SUCCESS.rawValue) ? mid : nil
        if subscribed != Int32(MOSQ_ERR_SUCCESS.rawValue) {
            logger.error(
                "Subscribing failed.",
                metadata: [
                    "mqtt.topic": "\(SysTopic.subscription)",
                    "mqtt.error": "\(MosquittoError.describe(subscribed))",
                ])
        }
    }

    /// The SUBACK of our `$SYS` subscription: the session is ready (or the broker refused it).
    func subscribed(mid: Int32, grantedQoS: Int32?) {
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
        let now = Date().timeIntervalSince1970
        shared.withLock {
            $0.ready = true
            $0.silence = SysSilence(connectedAt: now)
        }
    }

    func disconnected(rc: Int32) {
        if isStopping { return }
        // libmosquitto also calls this after a refused CONNACK or a failed TLS handshake; only
        // the end of an established connection is a state change worth a line of its own.
        let outcome = Outcome(rc)
        guard let state = brokerState.state, ["connected", "ready", "subscription-refused"].contains(state) else {
            // The first attempt failed (on loopback a refused TCP connect shows up here, not in
            // connect_async): one line; a TLS failure gets the loop's own line instead.
            if brokerState.state == "connecting" && !outcome.isTLSFailure {
                enter(
                    .reconnecting, "unreachable", .warning, "The broker is not reachable yet; retrying.",
                    metadata: failureMetadata(outcome))
            } else {
                logger.debug("The connection attempt ended.", metadata: failureMetadata(outcome))
            }
            return
        }
        subscription = nil
        let lostAt = Date().timeIntervalSince1970
        shared.withLock {
            $0.ready = false
            $0.lostAt = lostAt
        }
        received(.brokerDisconnected(at: lostAt))
        observer.brokerConnection(settings.name, isUp: false)
        enter(.disconnected, "lost", .warning, "Lost the broker connection.", metadata: failureMetadata(outcome))
        // libmosquitto's loop retries by itself; the attempts that fail the same way get no line.
        enter(.reconnecting, "reconnecting", .info, "Reconnecting with backoff (1 s growing to 10 s).")
    }

    func received(_ input: IngestInput) {
        if case .message(let topic, let payload, let at) = input {
            observer.messageReceived(settings.name, topic: topic, payload: payload, at: at)
            if topic == SysSilence.watchedTopic, let sample = MetricSample.parse(metric: "uptime", payload: payload) {
                let resumed = shared.withLock { $0.silence.heard(uptime: sample.value, at: at) }
                if resumed { publishingAgain(at: at) }
            }
        }
        if queue.push(BrokerInput(broker: index, input)) {
            logger.warning(
                "The message queue is full (PostgreSQL too slow or down); dropping the oldest messages.")
        }
    }
}
