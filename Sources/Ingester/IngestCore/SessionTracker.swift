/// The ingester's memory of one broker: which clients have an open session (and since which MQTT
/// connection of ours), the broker generation, and the uptime seen last. It decides when a
/// broker restart happened and which sessions it ended.
package struct SessionTracker: Sendable {
    /// How far the broker's start time (ingest time minus uptime) may drift between two samples
    /// before it counts as a restart: uptime has whole seconds and delivery takes time.
    package static let startTimeTolerance: Duration = .seconds(5)

    /// Open sessions: client id → the connection epoch in which its connect line arrived
    /// (0 = loaded from the database at start).
    package private(set) var openSessions: [String: Int] = [:]
    /// Increments on every (re)connect of the ingester to the broker.
    package private(set) var epoch = 0
    package private(set) var dialect: BrokerDialect = .unknown
    package private(set) var lastUptime: Double?
    /// The broker's estimated start time, microseconds since the epoch.
    package private(set) var brokerStartedAtMicros: Int64?

    /// - Parameters:
    ///   - openClients: clients with an open session at this broker according to the database.
    ///   - lastUptime: the latest stored `uptime` sample (seconds) and its ingest time (epoch
    ///     microseconds), if any.
    package init(openClients: [String] = [], lastUptime: (value: Double, atMicros: Int64)? = nil) {
        for client in openClients { openSessions[client] = 0 }
        if let lastUptime {
            self.lastUptime = lastUptime.value
            brokerStartedAtMicros = lastUptime.atMicros - Self.microseconds(ofSeconds: lastUptime.value)
        }
    }

    package func isOpen(_ client: String) -> Bool { openSessions[client] != nil }

    /// Records that the ingester's MQTT connection was (re)established.
    package mutating func brokerConnected() {
        epoch += 1
    }

    package mutating func observeVersion(_ payload: String) {
        let parsed = BrokerDialect(versionPayload: payload)
        if parsed != .unknown { dialect = parsed }
    }

    /// Feeds one uptime sample.
    /// - Returns: the step closing the previous broker process's sessions, when this sample
    ///   shows a restart (uptime went back, or the start time moved later than the tolerance).
    package mutating func observeUptime(_ uptime: Double, atMicros ts: Int64) -> SessionStep? {
        let startedAt = ts - Self.microseconds(ofSeconds: uptime)
        defer {
            lastUptime = uptime
            brokerStartedAtMicros = startedAt
        }
        var restarted = false
        if let lastUptime, uptime < lastUptime { restarted = true }
        if let brokerStartedAtMicros, .microseconds(startedAt - brokerStartedAtMicros) > Self.startTimeTolerance {
            restarted = true
        }
        return restarted ? restart(atMicros: startedAt) : nil
    }

    /// An uptime in whole microseconds. Any finite value is a valid metric, so an absurd one is
    /// held within ±2^62 µs (146,000 years), where subtracting it from a time cannot overflow.
    static func microseconds(ofSeconds seconds: Double) -> Int64 {
        let limit = 4_611_686_018_427_387_904.0
        return Int64(max(-limit, min(limit, (seconds * 1_000_000).rounded())))
    }

    /// Applies a log event to the open-session memory and returns the steps it causes.
    package mutating func apply(_ event: BrokerLogEvent) -> [SessionStep] {
        switch event.lifecycle {
        case .started?:
            return restart(atMicros: event.timestampMicros).map { [$0] } ?? []
        case .terminating?:
            openSessions.removeAll()
            return [.closeAll(except: [], atMicros: event.timestampMicros)]
        case nil:
            break
        }
        guard let client = event.client else { return [] }
        switch event.action {
        case .connected:
            openSessions[client] = epoch
            return [.open(client: client, username: event.username, atMicros: event.timestampMicros)]
        case .disconnected:
            openSessions[client] = nil
            return [.close(client: client, atMicros: event.timestampMicros)]
        case .subscribe:
            guard let topic = event.topic else { return [] }
            return [.subscribe(client: client, topic: topic, qos: event.qos ?? 0, atMicros: event.timestampMicros)]
        case .unsubscribe:
            guard let topic = event.topic else { return [] }
            return [.unsubscribe(client: client, topic: topic, atMicros: event.timestampMicros)]
        case .checkpoint, .connInfo, .unknown:
            return []
        }
    }

    /// Sessions opened during an earlier connection of ours belong to the previous broker
    /// process (a restart always breaks our connection); the ones opened since stay.
    /// After a gap in which log lines may have been lost: closes every open session (at `ts`,
    /// the gap's start, epoch microseconds); nil when none is open.
    package mutating func closeUnknowable(atMicros ts: Int64) -> SessionStep? {
        guard !openSessions.isEmpty else { return nil }
        openSessions.removeAll()
        return .closeAll(except: [], atMicros: ts)
    }

    private mutating func restart(atMicros ts: Int64) -> SessionStep? {
        let keep = openSessions.filter { $0.value == epoch && epoch > 0 }.map(\.key).sorted()
        openSessions = openSessions.filter { $0.value == epoch && epoch > 0 }
        return .closeAll(except: keep, atMicros: ts)
    }
}
