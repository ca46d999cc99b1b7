/// A time in which the ingester may have missed what a broker said: a row of `ingest_gaps`.
package struct IngestGap: Equatable, Sendable {
    package enum Kind: String, Sendable {
        /// The broker had no session for us when we connected again (its restart without
        /// persistence, our session expired, a changed client id): every log line since
        /// `startedAt` is gone.
        case sessionNotResumed = "session_not_resumed"
        /// The session was resumed, but we were away longer than the log lines' 20 s message
        /// expiry: the lines of the gap's first part may have expired.
        case longerThanLogExpiry = "longer_than_log_expiry"
        /// Connected, but the broker published no `$SYS` (its metrics in the database are old).
        case brokerSilent = "broker_silent"
    }

    package var kind: Kind
    /// Epoch seconds.
    package var startedAt: Double
    /// nil while it lasts (a silent broker).
    package var endedAt: Double?
    /// Open sessions closed at `startedAt` because of it.
    package var sessionsClosed: Int

    package init(kind: Kind, startedAt: Double, endedAt: Double?, sessionsClosed: Int = 0) {
        self.kind = kind
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.sessionsClosed = sessionsClosed
    }
}

/// When the ingester last heard a broker, and whether a new connection left a hole in what it
/// recorded. Pure; one per broker, inside its planner.
package struct GapTracker: Equatable, Sendable {
    /// mosquitto's message expiry of `$SYS/broker/log/#` (2.1): a queued line older than this is
    /// dropped by the broker.
    package static let logExpirySeconds: Double = 20

    /// The newest moment we know we were hearing the broker: the last message, a clean stop of
    /// the previous ingester process, or the end of the last connection.
    package private(set) var lastHeard: Double?
    private var connected = false

    /// - Parameter lastHeard: from the database at start (`broker_status.ingester_last_seen`).
    package init(lastHeard: Double? = nil) {
        self.lastHeard = lastHeard
    }

    /// Whether the broker's connection is up, as the inputs so far tell.
    package var isConnected: Bool { connected }

    package mutating func heard(at ts: Double) {
        lastHeard = max(lastHeard ?? ts, ts)
    }

    package mutating func disconnected(at ts: Double) {
        if connected { heard(at: ts) }
        connected = false
    }

    /// A connection was established at `ts`: the gap it closes, if lines may have been lost.
    package mutating func connected(at ts: Double, sessionResumed: Bool) -> IngestGap? {
        defer {
            connected = true
            heard(at: ts)
        }
        guard let since = lastHeard, ts > since else { return nil }
        if !sessionResumed { return IngestGap(kind: .sessionNotResumed, startedAt: since, endedAt: ts) }
        if ts - since > Self.logExpirySeconds {
            return IngestGap(kind: .longerThanLogExpiry, startedAt: since, endedAt: ts)
        }
        return nil
    }
}
