/// The tables the ingester writes, for row counts.
package enum IngestTable: String, Sendable, CaseIterable {
    case brokerMetrics = "broker_metrics"
    case events, clients, sessions, subscriptions
}

/// Hears what the ingester does, per broker and for the one writer, so that metrics (Prometheus,
/// health) can be exported without touching the connection or writer code. Every method has a
/// no-op default; implementations must be cheap and thread-safe: the broker methods are called on
/// each broker's network thread, the writer methods on the writer's.
package protocol IngestObserver: Sendable {
    /// The broker's connection came up (CONNACK accepted) or went down (lost or refused).
    func brokerConnection(_ broker: String, isUp: Bool)
    /// The broker's connection came back after having been up before.
    func brokerReconnected(_ broker: String)
    /// A `$SYS` message from the broker was queued.
    /// - Parameter atMicros: ingest time, microseconds since the epoch.
    func messageReceived(_ broker: String, topic: String, payload: String, atMicros: Int64)
    /// The writer's PostgreSQL connection came up or went down.
    func databaseConnection(isUp: Bool)
    /// A burst was committed: rows per table for one broker.
    func rowsWritten(_ broker: String, rows: [IngestTable: Int])
    /// One write to PostgreSQL ended, committed or not, after `duration`.
    func writeFinished(after duration: Duration, committed: Bool)
    /// Inputs waiting in the queue after the writer took a burst.
    func queueDepth(_ depth: Int)
    /// Messages that will never be written (queue overflow, a rejected burst, a stop).
    func messagesLost(_ count: Int)
}

extension IngestObserver {
    package func brokerConnection(_ broker: String, isUp: Bool) {}
    package func brokerReconnected(_ broker: String) {}
    package func messageReceived(_ broker: String, topic: String, payload: String, atMicros: Int64) {}
    package func databaseConnection(isUp: Bool) {}
    package func rowsWritten(_ broker: String, rows: [IngestTable: Int]) {}
    package func writeFinished(after duration: Duration, committed: Bool) {}
    package func queueDepth(_ depth: Int) {}
    package func messagesLost(_ count: Int) {}
}

/// The observer until one is wired in: hears nothing.
package struct SilentIngestObserver: IngestObserver {
    package init() {}
}
