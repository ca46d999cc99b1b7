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
    /// Epoch microseconds.
    package var startedAtMicros: Int64
    /// nil while it lasts (a silent broker).
    package var endedAtMicros: Int64?
    /// Open sessions closed at `startedAtMicros` because of it.
    package var sessionsClosed: Int

    package init(kind: Kind, startedAtMicros: Int64, endedAtMicros: Int64?, sessionsClosed: Int = 0) {
        self.kind = kind
        self.startedAtMicros = startedAtMicros
        self.endedAtMicros = endedAtMicros
        self.sessionsClosed = sessionsClosed
    }
}

/// When the ingester last heard a broker, and whether a new connection left a hole in what it
/// recorded. Pure; one per broker, inside its planner.
package struct GapTracker: Equatable, Sendable {
    /// mosquitto's message expiry of `$SYS/broker/log/#` (2.1): a queued line older than this is
    /// dropped by the broker.
    package static let logExpiry: Duration = .seconds(20)

    /// The newest moment we know we were hearing the broker: the last message, a clean stop of
    /// the previous ingester process, or the end of the last connection (epoch microseconds).
    package private(set) var lastHeardMicros: Int64?
    private var connected = false

    /// - Parameter lastHeard: from the database at start (`broker_status.ingester_last_seen`).
    package init(lastHeardMicros: Int64? = nil) {
        self.lastHeardMicros = lastHeardMicros
    }

    /// Whether the broker's connection is up, as the inputs so far tell.
    package var isConnected: Bool { connected }

    package mutating func heard(atMicros ts: Int64) {
        lastHeardMicros = max(lastHeardMicros ?? ts, ts)
    }

    package mutating func disconnected(atMicros ts: Int64) {
        if connected { heard(atMicros: ts) }
        connected = false
    }

    /// A connection was established at `ts` (epoch microseconds): the gap it closes, if lines may have been lost.
    package mutating func connected(atMicros ts: Int64, sessionResumed: Bool) -> IngestGap? {
        defer {
            connected = true
            heard(atMicros: ts)
        }
        guard let since = lastHeardMicros, ts > since else { return nil }
        if !sessionResumed { return IngestGap(kind: .sessionNotResumed, startedAtMicros: since, endedAtMicros: ts) }
        if .microseconds(ts - since) > Self.logExpiry {
            return IngestGap(kind: .longerThanLogExpiry, startedAtMicros: since, endedAtMicros: ts)
        }
        return nil
    }
}
