/// Whether a connected broker still publishes `$SYS`: watches `$SYS/broker/uptime`, which every
/// publication round carries, and learns the round's interval from the uptime values (the
/// broker's own clock). Pure; one per connection.
package struct SysSilence: Equatable, Sendable {
    package static let watchedTopic = "$SYS/broker/uptime"
    /// mosquitto's default `sys_interval`, until two rounds tell the real one.
    package static let defaultInterval: Duration = .seconds(10)
    /// Rounds missed before the broker counts as silent.
    package static let missedRounds = 3

    /// The round interval: the smallest step between two uptime values seen (a skipped round
    /// shows a longer one).
    package private(set) var expectedInterval = defaultInterval
    /// Epoch microseconds.
    private var lastHeardAtMicros: Int64?
    private var lastUptime: Double?
    private var silent = false

    /// - Parameter connectedAtMicros: the subscription's start, the first "heard" (a broker that never
    ///   publishes is silent from there).
    package init(connectedAtMicros: Int64? = nil) {
        lastHeardAtMicros = connectedAtMicros
    }

    /// An uptime round at `ts` (local clock, epoch microseconds). - Returns: true when it ends a silence.
    package mutating func heard(uptime: Double, atMicros ts: Int64) -> Bool {
        // Uptime is the broker's count of seconds; a step is converted only when it is the new
        // (smaller) interval, so no absurd value reaches `Duration`.
        if let lastUptime, uptime > lastUptime, uptime - lastUptime < expectedInterval / .seconds(1) {
            expectedInterval = .seconds(uptime - lastUptime)
        }
        lastUptime = uptime
        lastHeardAtMicros = ts
        defer { silent = false }
        return silent
    }

    /// Once per silence: when the broker was last heard, if more than `missedRounds` rounds (and
    /// a second of slack) have passed since.
    package mutating func becameSilent(atMicros now: Int64) -> Int64? {
        guard !silent, let lastHeardAtMicros,
            .microseconds(now - lastHeardAtMicros) > expectedInterval * Self.missedRounds + .seconds(1)
        else { return nil }
        silent = true
        return lastHeardAtMicros
    }
}
