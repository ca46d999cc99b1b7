/// The ingester's memory of one broker: which clients have an open session (and since which MQTT
/// connection of ours), the broker generation, and the uptime seen last. It decides when a
/// broker restart happened and which sessions it ended.
package struct SessionTracker: Sendable {
    /// How far the broker's start time (ingest time minus uptime) may drift between two samples
    /// before it counts as a restart: uptime has whole seconds and delivery takes time.
    package static let startTimeTolerance: Double = 5

    /// Open sessions: client id → the connection epoch in which its connect line arrived
    /// (0 = loaded from the database at start).
    package private(set) var openSessions: [String: Int] = [:]
    /// Increments on every (re)connect of the ingester to the broker.
    package private(set) var epoch = 0
    package private(set) var dialect: BrokerDialect = .unknown
    package private(set) var lastUptime: Double?
    /// The broker's estimated start time, seconds since the epoch.
    package private(set) var brokerStartedAt: Double?

    /// - Parameters:
    ///   - openClients: clients with an open session at this broker according to the database.
    ///   - lastUptime: the latest stored `uptime` sample and its ingest time, if any.
    package init(openClients: [String] = [], lastUptime: (value: Double, ts: Double)? = nil) {
        for client in openClients { openSessions[client] = 0 }
        if let lastUptime {
            self.lastUptime = lastUptime.value
            brokerStartedAt = lastUptime.ts - lastUptime.value
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
    package mutating func observeUptime(_ uptime: Double, at ts: Double) -> SessionStep? {
        let startedAt = ts - uptime
        defer {
            lastUptime = uptime
            brokerStartedAt = startedAt
        }
        var restarted = false
        if let lastUptime, uptime < lastUptime { restarted = true }
        if let brokerStartedAt, startedAt - brokerStartedAt > Self.startTimeTolerance { restarted = true }
        return restarted ? restart(at: startedAt) : nil
    }

    /// Applies a log event to the open-session memory and returns the steps it causes.
    package mutating func apply(_ event: BrokerLogEvent) -> [SessionStep] {
        switch event.lifecycle {
        case .started?:
            return restart(at: event.timestamp).map { [$0] } ?? []
        case .terminating?:
            openSessions.removeAll()
            return [.closeAll(except: [], at: event.timestamp)]
        case nil:
            break
        }
        guard let client = event.client else { return [] }
        switch event.action {
        case .connected:
            openSessions[client] = epoch
            return [.open(client: client, username: event.username, at: event.timestamp)]
        case .disconnected:
            openSessions[client] = nil
            return [.close(client: client, at: event.timestamp)]
        case .subscribe:
            guard let topic = event.topic else { return [] }
            return [.subscribe(client: client, topic: topic, qos: event.qos ?? 0, at: event.timestamp)]
        case .unsubscribe:
            guard let topic = event.topic else { return [] }
            return [.unsubscribe(client: client, topic: topic, at: event.timestamp)]
        case .checkpoint, .connInfo, .unknown:
            return []
        }
    }

    /// Sessions opened during an earlier connection of ours belong to the previous broker
    /// process (a restart always breaks our connection); the ones opened since stay.
    /// After a gap in which log lines may have been lost: closes every open session (at `ts`,
    /// the gap's start); nil when none is open.
    package mutating func closeUnknowable(at ts: Double) -> SessionStep? {
        guard !openSessions.isEmpty else { return nil }
        openSessions.removeAll()
        return .closeAll(except: [], at: ts)
    }

    private mutating func restart(at ts: Double) -> SessionStep? {
        let keep = openSessions.filter { $0.value == epoch && epoch > 0 }.map(\.key).sorted()
        openSessions = openSessions.filter { $0.value == epoch && epoch > 0 }
        return .closeAll(except: keep, at: ts)
    }
}
