/// One connect or disconnect, as it will be stored: a row of `client_conn_events` and the
/// input of the `client_sessions` upsert; or the end of a kept MQTT session after its connection
/// (a row of `client_session_ends`, never of `client_conn_events`).
package struct ConnEvent: Sendable, Equatable {
    package enum Kind: String, Sendable, Equatable {
        case connect
        case disconnect
        /// The broker no longer holds a session that outlived its connection (docs/events.md).
        case sessionEnd = "session_end"
    }

    /// Why a disconnect row exists when the broker did not report one itself.
    package enum Cause: String, Sendable, Equatable {
        /// The broker raised MOSQ_EVT_DISCONNECT (the session ends with the connection).
        case disconnect
        /// The broker raised MOSQ_EVT_CLIENT_OFFLINE (the MQTT session outlives the connection).
        case clientOffline = "client_offline"
        /// The broker shut down with the client still connected; it raises no event for that.
        case brokerShutdown = "broker_shutdown"
        /// Found at plugin start: the client was still shown connected through this broker by an
        /// earlier run that ended without a clean shutdown (crash, kill -9).
        case staleAfterRestart = "stale_after_restart"
        /// Session end: its expiry interval passed (MOSQ_EVT_PERSIST_CLIENT_DELETE outside a connect).
        case sessionExpired = "session_expired"
        /// Session end: the client came back with clean start, so the broker dropped the old session.
        case sessionDiscarded = "session_discarded"
        /// Session end: found at start, the broker (restarted) no longer holds the session.
        case sessionNotRestored = "session_not_restored"
    }

    package var kind: Kind
    /// Microseconds since the Unix epoch, taken at the broker when the event happened.
    package var timestampMicros: Int64
    package var clientID: String
    package var username: String?
    /// The client's IP address.
    package var peer: String?
    /// `MQTT/3.1`, `MQTT/3.1.1` or `MQTT/5.0`.
    package var `protocol`: String?
    /// Set on disconnects only: the broker's reason (a MOSQ_ERR_* value).
    package var reasonCode: Int32?
    /// Set on disconnects only.
    package var cause: Cause?
    /// The connection's details, stored in `extra` on both tables.
    package var connection: ConnectionDetails
    /// Where the event comes from and its idempotency key.
    package var origin: EventOrigin

    package init(
        kind: Kind, timestampMicros: Int64, clientID: String, username: String?, peer: String?, protocol: String?,
        reasonCode: Int32?, cause: Cause?, connection: ConnectionDetails, origin: EventOrigin
    ) {
        self.kind = kind
        self.timestampMicros = timestampMicros
        self.clientID = clientID
        self.username = username
        self.peer = peer
        self.protocol = `protocol`
        self.reasonCode = reasonCode
        self.cause = cause
        self.connection = connection
        self.origin = origin
    }

    /// What the broker holds for the client after this event: `connected`, `kept` (the connection
    /// ended, the session did not) or `ended`.
    package var sessionState: String {
        switch kind {
        case .connect: "connected"
        case .disconnect: connection.sessionOutlivesConnection ? "kept" : "ended"
        case .sessionEnd: "ended"
        }
    }

    /// The `extra` JSON object of this event. Keys are listed in docs/events.md.
    package var extraJSON: String {
        var object = JSONObjectWriter()
        object.add("broker_id", origin.brokerID)
        object.add("event_key", origin.eventKey)
        object.add("boot_id", origin.bootID)
        object.add("seq", origin.sequence)
        object.add("connection_seq", connection.connectionSequence)
        if let port = connection.listenerPort { object.add("listener_port", Int64(port)) }
        if let keepAlive = connection.keepAliveSeconds { object.add("keepalive", Int64(keepAlive)) }
        if let clean = connection.cleanStart { object.add("clean_start", clean) }
        object.add("session_persists", connection.sessionOutlivesConnection)
        object.add("session_state", sessionState)
        if let websockets = connection.websockets { object.add("transport", websockets ? "websockets" : "tcp") }
        if let certificate = connection.clientCertificate { object.add("client_certificate", certificate) }
        if let cause { object.add("cause", cause.rawValue) }
        if let replay = origin.replayed, replay { object.add("replayed", true) }
        return object.finish()
    }
}

/// What the plugin knows about a connection from its CONNECT event.
package struct ConnectionDetails: Sendable, Equatable {
    /// Per broker boot, counts connections; pairs a disconnect with its connect.
    package var connectionSequence: Int64
    package var listenerPort: Int?
    package var keepAliveSeconds: Int?
    /// MQTT 3.x clean session / MQTT 5 clean start.
    package var cleanStart: Bool?
    /// Whether the broker keeps the session after the connection ends (the disconnect then
    /// arrives as MOSQ_EVT_CLIENT_OFFLINE). Known only once the connection ends.
    package var sessionOutlivesConnection: Bool
    /// MQTT over WebSockets rather than plain TCP (TLS or not: the plugin API does not say).
    package var websockets: Bool?
    /// The client presented a TLS client certificate (reported only with `require_certificate`).
    package var clientCertificate: Bool?

    package init(
        connectionSequence: Int64, listenerPort: Int?, keepAliveSeconds: Int?, cleanStart: Bool?,
        sessionOutlivesConnection: Bool = false, websockets: Bool? = nil, clientCertificate: Bool? = nil
    ) {
        self.connectionSequence = connectionSequence
        self.listenerPort = listenerPort
        self.keepAliveSeconds = keepAliveSeconds
        self.cleanStart = cleanStart
        self.sessionOutlivesConnection = sessionOutlivesConnection
        self.websockets = websockets
        self.clientCertificate = clientCertificate
    }
}

/// Identifies an event across retries: the same event written twice is stored once.
package struct EventOrigin: Sendable, Equatable {
    package var brokerID: String
    /// Random per plugin start; with `sequence` it makes `eventKey`.
    package var bootID: String
    /// Per run, in queue order; assigned by `ConnWriter` when it takes the event.
    package var sequence: Int64
    /// Set on events written from the spool after an outage.
    package var replayed: Bool?

    package init(brokerID: String, bootID: String, sequence: Int64, replayed: Bool? = nil) {
        self.brokerID = brokerID
        self.bootID = bootID
        self.sequence = sequence
        self.replayed = replayed
    }

    /// `<boot id>:<sequence>`, unique per event; the history table has a unique index on it.
    package var eventKey: String { bootID + ":" + String(sequence) }
}

/// The protocol column's text for `mosquitto_client_protocol_version()`.
package func protocolName(forVersion version: Int) -> String? {
    switch version {
    case 3: return "MQTT/3.1"
    case 4: return "MQTT/3.1.1"
    case 5: return "MQTT/5.0"
    default: return nil
    }
}
