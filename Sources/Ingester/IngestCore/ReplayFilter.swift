/// Drops the metric rounds a broker queued for us while we were away.
///
/// mosquitto publishes `$SYS` metrics at QoS 2 too (`SYS_TREE_QOS` 2, 2.0 and 2.1), so a resumed
/// session gets every round of the gap, with nothing saying when each was published: stamped
/// with the ingest time they would be wrong values at wrong times (and an old uptime stamped now
/// looks like a broker restart). Log lines carry their own time and are kept. The broker sends
/// what it queued first, in order, and the retained copies our SUBSCRIBE asks for after them (one
/// queue per client): so metrics up to the first retained message of a connection are replays.
package struct ReplayFilter: Equatable, Sendable {
    private var replaying: Bool

    /// - Parameter sessionResumed: the CONNACK's session present (nothing was queued otherwise).
    package init(sessionResumed: Bool) {
        replaying = sessionResumed
    }

    /// Whether to keep a message of this connection.
    package mutating func keeps(topic: String, retained: Bool) -> Bool {
        if retained { replaying = false }
        guard replaying, case .metric = SysTopic.classify(topic) else { return true }
        return false
    }
}
