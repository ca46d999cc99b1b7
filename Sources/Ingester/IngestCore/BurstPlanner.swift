/// Turns a burst of inputs into one `BurstPlan`, updating the tracker as it goes.
///
/// Pure: the writer executes the plan in one transaction. When that fails the writer retries
/// the same plan, so the tracker's view never runs ahead of what will be written.
package struct BurstPlanner: Sendable {
    package private(set) var tracker: SessionTracker
    package private(set) var parser = LogLineParser()
    package private(set) var gaps: GapTracker
    /// The ingester's own MQTT client id at this broker. Its lines are stored as events, but it
    /// gets no session: it sees its own connect line only when it resumes a session (the
    /// subscription exists before the connection), so its sessions would come and go with how it
    /// last stopped; the views count it instead (`presence_drift`).
    package let ownClientID: String?

    /// - Parameters:
    ///   - lastHeardMicros: when the previous ingester process last heard this broker (epoch
    ///     microseconds), for the gap the first connection may close.
    package init(tracker: SessionTracker, lastHeardMicros: Int64? = nil, ownClientID: String? = nil) {
        self.tracker = tracker
        self.gaps = GapTracker(lastHeardMicros: lastHeardMicros)
        self.ownClientID = ownClientID
    }

    /// Plans one burst.
    /// - Parameter inputs: messages and connection markers in arrival order.
    package mutating func plan(_ inputs: [IngestInput]) -> BurstPlan {
        var plan = BurstPlan()
        // Stored metric → its latest row in this plan and the topics folded into that row. A
        // metric and its deprecated alias arrive in the same publication round and make one row;
        // a topic seen again is the broker's next round (a burst may hold several when many
        // brokers or much log traffic keep the queue from going quiet) and makes a row of its own.
        var metricRows: [String: (index: Int, topics: Set<String>)] = [:]
        var clientIndex: [String: Int] = [:]

        func touch(_ event: BrokerLogEvent) {
            guard let client = event.client else { return }
            let ts = event.timestampMicros
            let creates = !(event.action == .disconnected && event.clientIsAddress)
            if let index = clientIndex[client] {
                plan.clients[index].firstSeenMicros = min(plan.clients[index].firstSeenMicros, ts)
                plan.clients[index].lastSeenMicros = max(plan.clients[index].lastSeenMicros, ts)
                plan.clients[index].createIfMissing = plan.clients[index].createIfMissing || creates
                if event.action == .connected {
                    plan.clients[index].setsUsername = true
                    plan.clients[index].username = event.username
                }
            } else {
                clientIndex[client] = plan.clients.count
                plan.clients.append(
                    ClientTouch(
                        client: client, firstSeenMicros: ts, lastSeenMicros: ts, setsUsername: event.action == .connected,
                        username: event.username, createIfMissing: creates))
            }
        }

        for input in inputs {
            switch input {
            case .brokerConnected(let at, let sessionResumed):
                tracker.brokerConnected()
                if var gap = gaps.connected(atMicros: at, sessionResumed: sessionResumed) {
                    // What happened to the sessions open before the gap cannot be known: they are
                    // closed when the gap began rather than left open forever.
                    gap.sessionsClosed = tracker.openSessions.count
                    if let step = tracker.closeUnknowable(atMicros: gap.startedAtMicros) { plan.steps.append(step) }
                    plan.gaps.append(gap)
                }
            case .brokerDisconnected(let at):
                gaps.disconnected(atMicros: at)
            case .brokerStopped(let at):
                // Its last lines (the terminating one among them) did not arrive: QoS 2 needs a
                // handshake the stopping broker no longer makes.
                if let step = tracker.closeUnknowable(atMicros: at) { plan.steps.append(step) }
            case .brokerSilent(let since, _):
                plan.gaps.append(IngestGap(kind: .brokerSilent, startedAtMicros: since, endedAtMicros: nil))
            case .brokerPublishing(let at):
                plan.gaps.append(IngestGap(kind: .brokerSilent, startedAtMicros: at, endedAtMicros: at))
            case .message(let topic, let payload, let receivedAt):
                gaps.heard(atMicros: receivedAt)
                switch SysTopic.classify(topic) {
                case .other:
                    continue
                case .metric(let path):
                    if path == MetricSample.version {
                        tracker.observeVersion(payload)
                        parser.dialect = tracker.dialect
                    }
                    guard let sample = MetricSample.parse(metric: path, payload: payload) else { continue }
                    if sample.metric == MetricSample.uptime,
                        let step = tracker.observeUptime(sample.value, atMicros: receivedAt)
                    {
                        plan.steps.append(step)
                    }
                    let row = (metric: sample.metric, value: sample.value, atMicros: receivedAt)
                    if var known = metricRows[sample.metric], !known.topics.contains(path) {
                        plan.metrics[known.index] = row
                        known.topics.insert(path)
                        metricRows[sample.metric] = known
                    } else {
                        metricRows[sample.metric] = (plan.metrics.count, [path])
                        plan.metrics.append(row)
                    }
                case .log(let stream):
                    let event = parser.parse(
                        stream: stream, payload: payload, receivedAtMicros: receivedAt, isKnownClient: tracker.isOpen)
                    plan.events.append(event)
                    if let ownClientID, event.client == ownClientID { continue }
                    switch event.action {
                    case .connected, .disconnected, .subscribe, .unsubscribe: touch(event)
                    default: break
                    }
                    plan.steps += tracker.apply(event)
                }
            }
        }
        return plan
    }
}
