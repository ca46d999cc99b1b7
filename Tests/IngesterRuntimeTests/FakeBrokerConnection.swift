import IngesterRuntime
import Locking

/// A broker connection without a broker: it records what the session asks of it (subscriptions,
/// wake-ups, probes, disconnects). The tests report the connection's events themselves, by
/// calling the session's methods as libmosquitto's callbacks do in `MosquittoClient`.
final class FakeBrokerConnection: BrokerConnection {
    struct Record: Sendable {
        var started = false
        /// Every SUBSCRIBE sent, with the message id it got.
        var subscriptions: [(topic: String, qos: Int32, mid: Int32)] = []
        /// Topics of the empty messages published (the wake-ups).
        var published: [String] = []
        /// What `refusesConnections()` answers (a broker whose process is gone).
        var refuses = false
        var probes = 0
        var disconnects = 0
    }

    let record = ConditionLocked(Record())
    /// Runs at each `disconnect()`, before it returns: what the rest of the ingester had done by then.
    private let onDisconnect: @Sendable () -> Void

    init(onDisconnect: @escaping @Sendable () -> Void = {}) {
        self.onDisconnect = onDisconnect
    }

    /// The message id of the last SUBSCRIBE.
    var lastMid: Int32? { record.withLock { $0.subscriptions.last?.mid } }

    func start(reportingTo session: BrokerSession) throws(PosixThreadError) {
        record.withLock { $0.started = true }
        record.broadcast()
    }

    /// Waits until the session started the connection, at most 60 s (a guard against a hang, not a
    /// timing check: it takes milliseconds).
    func waitUntilStarted() -> Bool {
        record.withLock(when: { $0.started }, untilMicroseconds: Clocks.monotonicDeadline(after: .seconds(60))) { _, ready in
            ready
        }
    }

    func subscribe(to topic: String, qos: Int32) throws(MosquittoError) -> Int32 {
        record.withLock { record in
            let mid = Int32(record.subscriptions.count + 1)
            record.subscriptions.append((topic: topic, qos: qos, mid: mid))
            return mid
        }
    }

    func publishEmpty(to topic: String) {
        record.withLock { $0.published.append(topic) }
    }

    func refusesConnections() -> Bool {
        record.withLock { record in
            record.probes += 1
            return record.refuses
        }
    }

    func disconnect() {
        onDisconnect()
        record.withLock { $0.disconnects += 1 }
    }

    func waitUntilStopped(untilMicroseconds deadline: Int64) {}
}
