/// Whether a connected broker still publishes `$SYS`: watches `$SYS/broker/uptime`, which every
/// publication round carries, and learns the round's interval from the uptime values (the
/// broker's own clock). Pure; one per connection.
package struct SysSilence: Equatable, Sendable {
    package static let watchedTopic = "$SYS/broker/uptime"
    /// mosquitto's default `sys_interval`, until two rounds tell the real one.
    package static let defaultInterval: Double = 10
    /// Rounds missed before the broker counts as silent.
    package static let missedRounds: Double = 3

    /// The round interval: the smallest step between two uptime values seen (a skipped round
    /// shows a longer one).
    package private(set) var expectedInterval = defaultInterval
    private var lastHeardAt: Double?
    private var lastUptime: Double?
    private var silent = false

    /// - Parameter connectedAt: the subscription's start, the first "heard" (a broker that never
    ///   publishes is silent from there).
    package init(connectedAt: Double? = nil) {
        lastHeardAt = connectedAt
    }

    /// An uptime round at `ts` (local clock). - Returns: true when it ends a silence.
    package mutating func heard(uptime: Double, at ts: Double) -> Bool {
        if let lastUptime, uptime > lastUptime {
            expectedInterval = min(expectedInterval, uptime - lastUptime)
        }
        lastUptime = uptime
        lastHeardAt = ts
        defer { silent = false }
        return silent
    }

    /// Once per silence: when the broker was last heard, if more than `missedRounds` rounds (and
    /// a second of slack) have passed since.
    package mutating func becameSilent(at now: Double) -> Double? {
        guard !silent, let lastHeardAt, now - lastHeardAt > Self.missedRounds * expectedInterval + 1 else { return nil }
        silent = true
        return lastHeardAt
    }
}
