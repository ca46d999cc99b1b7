/// Everything one burst of `$SYS` messages writes, in one transaction.
package struct BurstPlan: Equatable, Sendable {
    /// One row per metric (the last value of the burst wins), at the ingest time (epoch microseconds).
    package var metrics: [(metric: String, value: Double, atMicros: Int64)] = []
    /// One row per log line, in arrival order.
    package var events: [BrokerLogEvent] = []
    /// Upserts into `clients`, one per client id, applied before the session steps.
    package var clients: [ClientTouch] = []
    /// Session and subscription changes in arrival order.
    package var steps: [SessionStep] = []
    /// Gaps to record in `ingest_gaps`; one with `endedAt` set and kind `.brokerSilent` ends the
    /// open silent gap instead.
    package var gaps: [IngestGap] = []

    package init() {}

    package var isEmpty: Bool {
        metrics.isEmpty && events.isEmpty && clients.isEmpty && steps.isEmpty && gaps.isEmpty
    }

    package static func == (lhs: BurstPlan, rhs: BurstPlan) -> Bool {
        lhs.metrics.elementsEqual(rhs.metrics) { $0 == $1 } && lhs.events == rhs.events && lhs.clients == rhs.clients
            && lhs.steps == rhs.steps && lhs.gaps == rhs.gaps
    }
}

extension BurstPlan {
    /// Rows the plan writes or updates per table (sessions and subscriptions: one per step).
    package var rowCounts: [IngestTable: Int] {
        var sessions = 0
        var subscriptions = 0
        for step in steps {
            switch step {
            case .open, .close, .closeAll: sessions += 1
            case .subscribe, .unsubscribe: subscriptions += 1
            }
        }
        return [
            .brokerMetrics: metrics.count, .events: events.count, .clients: clients.count,
            .sessions: sessions,
            .subscriptions: subscriptions,
        ]
    }
}
