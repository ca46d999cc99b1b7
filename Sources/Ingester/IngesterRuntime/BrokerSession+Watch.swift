import IngestCore
import Logging

// What a broker session watches besides its messages: the metric rounds a resumed session
// replays (connection thread), and the wake-ups and silence of its broker (the waker thread).
extension BrokerSession {
    // MARK: - Replayed rounds (on the connection's thread)

    /// The replay rule (`ReplayFilter`), with one debug line when a replay ends.
    func keeps(topic: String, retained: Bool) -> Bool {
        if replays.keeps(topic: topic, retained: retained) {
            if retained && replaysDropped > 0 {
                logger.debug("Dropped the metric rounds queued while we were away.", metadata: ["sys.dropped": "\(replaysDropped)"])
                replaysDropped = 0
            }
            return true
        }
        replaysDropped += 1
        return false
    }

    // MARK: - Wake-ups and silence (on the ingester's waker thread)

    /// Called twice a second: wakes the broker's loop and watches for a broker gone silent.
    ///
    /// mosquitto 2.1 refreshes `$SYS` only when its loop happens to run in a second where
    /// `now % sys_interval == 0`, and an idle broker's loop sleeps past those seconds (src/sys_tree.c):
    /// without traffic it publishes `$SYS` once and then no more. A QoS 0 PUBLISH of nothing to
    /// `wakeTopic`, which no one subscribes to, is traffic enough; twice a second, every second of
    /// the broker's clock gets one even when the two clocks disagree. Denied by an ACL, it still
    /// wakes the loop.
    /// - Parameter nowMicros: wall-clock microseconds since the epoch.
    package func wakeAndWatch(nowMicros: Int64) {
        let (ready, silentSince, expected, lostAt) = shared.withLock { shared -> (Bool, Int64?, Duration, Int64?) in
            guard shared.ready else {
                defer { shared.lostAtMicros = nil }
                return (false, nil, .zero, shared.lostAtMicros)
            }
            return (true, shared.silence.becameSilent(atMicros: nowMicros), shared.silence.expectedInterval, nil)
        }
        if let lostAt, !isStopping, connection.refusesConnections() {
            logger.info(
                "The broker refuses connections: its process is gone, and its clients' connections ended with ours.",
                metadata: ["mqtt.broker": "\(settings.host):\(settings.port)"])
            _ = queue.push(BrokerInput(broker: index, .brokerStopped(atMicros: lostAt)))
        }
        guard ready else { return }
        connection.publishEmpty(to: Self.wakeTopic)
        if let silentSince {
            logger.warning(
                "The broker publishes no $SYS: its metrics in the database are not current; recorded in ingest_gaps.",
                metadata: [
                    "sys.silent_since": "\(Double(silentSince) / 1e6)", "sys.expected_every_s": "\(expected / .seconds(1))",
                ])
            _ = queue.push(BrokerInput(broker: index, .brokerSilent(sinceMicros: silentSince, expectedEvery: expected)))
        }
    }

    /// Where the wake-ups go: under `$SYS`, so that no `#` subscriber sees them, and outside
    /// `$SYS/broker/`, so that `$SYS/broker/#` subscribers (the ingester too) do not.
    package static let wakeTopic = "$SYS/sys-ingester/wake"

    func publishingAgain(atMicros ts: Int64) {
        logger.info("The broker publishes $SYS again.")
        _ = queue.push(BrokerInput(broker: index, .brokerPublishing(atMicros: ts)))
    }
}
