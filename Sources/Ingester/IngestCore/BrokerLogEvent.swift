/// One broker log line, normalised into the columns of an `events` row, plus what the session
/// bookkeeping needs to know about it.
package struct BrokerLogEvent: Equatable, Sendable {
    /// A fact about the broker itself carried by a line (restart detection uses it).
    package enum BrokerLifecycle: Equatable, Sendable {
        /// `mosquitto version X starting` / `running`: a new broker process.
        case started(version: String)
        /// `mosquitto version X terminating`: every connection is about to end.
        case terminating(version: String)
    }

    package var action: LogAction
    package var client: String?
    package var topic: String?
    package var qos: Int?
    package var username: String?
    /// The whole payload as received (NUL characters replaced, which PostgreSQL text cannot hold).
    package var raw: String
    /// Microseconds since the epoch: from the line's prefix, or the ingest time.
    package var timestampMicros: Int64
    /// True when `timestampMicros` came from the line's own prefix.
    package var timestampFromLine: Bool
    /// True when the line has more than one reading and the parser picked one (see docs).
    package var ambiguous: Bool = false
    /// True for a disconnect of a connection that never sent CONNECT: the broker printed the
    /// peer address (2.1) or `<unknown>` (2.0) where a client id would be.
    package var clientIsAddress: Bool = false
    package var lifecycle: BrokerLifecycle?

    package init(
        action: LogAction, client: String? = nil, topic: String? = nil, qos: Int? = nil, username: String? = nil,
        raw: String, timestampMicros: Int64, timestampFromLine: Bool
    ) {
        self.action = action
        self.client = client
        self.topic = topic
        self.qos = qos
        self.username = username
        self.raw = raw
        self.timestampMicros = timestampMicros
        self.timestampFromLine = timestampFromLine
    }
}
